"""What a detector returns: a `Match` (kind, offsets), and what it is given: a `Context`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final, Literal, NamedTuple

Kind = Literal["email", "iban", "nir", "phone", "card", "id", "secret", "address", "name"]

PLACEHOLDERS: Final[dict[Kind, str]] = {
    "email": "[courriel]",
    "iban": "[iban]",
    "nir": "[numéro]",
    "phone": "[téléphone]",
    "card": "[numéro]",
    "id": "[numéro]",
    "secret": "[secret]",
    "address": "[adresse]",
    "name": "[nom]",
}


class Match(NamedTuple):
    """One piece of personal data: its kind and its [start, end) offsets in the text."""

    kind: Kind
    start: int
    end: int


class Context(NamedTuple):
    has_digit: bool
    shouting: bool


Finder = Callable[[str, Context], Iterator[Match]]
