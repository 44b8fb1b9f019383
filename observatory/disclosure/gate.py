"""Primary suppression: a figure is shown only when enough answers stand behind it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from observatory.config import Settings

T = TypeVar("T")


class Audience(Enum):
    """Who will see the figure; it decides the threshold."""

    TEAM = "team"  # a team looking at its own cells
    PUBLIC = "public"  # anyone else: public, coordinators, ministry, researchers
    PLACE_SCORE = "place_score"  # the public score of one single place


def threshold(audience: Audience, settings: Settings) -> int:
    return {
        Audience.TEAM: settings.k_team,
        Audience.PUBLIC: settings.k_public,
        Audience.PLACE_SCORE: settings.n_place_score,
    }[audience]


@dataclass(frozen=True)
class Disclosed(Generic[T]):
    """A figure that went through the gate: `value` is None when it is suppressed."""

    value: T | None
    n: int
    suppressed: bool


def disclose(value: T, n: int, audience: Audience, settings: Settings) -> Disclosed[T]:
    """Let `value` through only if at least the audience's threshold of answers support it.

    The count itself is hidden too when suppressed: "3 answers" identifies as well as a score.
    """
    if n >= threshold(audience, settings):
        return Disclosed(value, n, False)
    return Disclosed(None, 0, True)
