"""Audiences and their thresholds, and the shape of a figure once it went through the gate."""

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
