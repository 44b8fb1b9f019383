"""Public place codes: short, unambiguous, deterministic, and collision-safe."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observatory.places.codes import (
    ALPHABET,
    CodeSpaceExhaustedError,
    allocate_code,
    normalise_code,
    place_code,
)

lengths = st.integers(min_value=6, max_value=8)


@given(st.text(), lengths)
def test_codes_use_the_unambiguous_alphabet(source_id: str, length: int) -> None:
    code = place_code(source_id, length)
    assert len(code) == length
    assert set(code) <= set(ALPHABET)
    assert not set(code) & set("01OI")


@given(st.text())
def test_codes_are_deterministic_and_extend(source_id: str) -> None:
    six, seven, eight = (place_code(source_id, n) for n in (6, 7, 8))
    assert place_code(source_id) == six == place_code(source_id, 6)
    assert seven.startswith(six) and eight.startswith(seven)


def test_known_code_is_stable_across_releases() -> None:
    # Printed QR codes depend on this: changing the derivation breaks them all.
    assert place_code("structure-1") == place_code("structure-1", 6)
    assert len(ALPHABET) == 32
    assert place_code("structure-1") == "ATG4GY"


@given(st.text(), st.sets(st.integers(min_value=6, max_value=8)))
def test_allocate_takes_the_shortest_free_code(source_id: str, taken_lengths: set[int]) -> None:
    taken = {place_code(source_id, n) for n in taken_lengths}
    free = [n for n in (6, 7, 8) if n not in taken_lengths]
    if free:
        assert allocate_code(source_id, taken.__contains__) == place_code(source_id, free[0])
    else:
        with pytest.raises(CodeSpaceExhaustedError):
            allocate_code(source_id, taken.__contains__)


@given(st.lists(st.text(), min_size=1, max_size=50, unique=True))
def test_allocation_in_sequence_never_hands_out_a_code_twice(source_ids: list[str]) -> None:
    taken: set[str] = set()
    for source_id in source_ids:
        code = allocate_code(source_id, taken.__contains__)
        assert code not in taken
        taken.add(code)


def test_allocation_when_many_codes_collide() -> None:
    # Every 6-character code is "taken": everyone gets a 7-character code, all distinct.
    taken: set[str] = set()
    for i in range(200):
        code = allocate_code(f"id-{i}", lambda c: len(c) == 6 or c in taken)
        assert len(code) == 7
        taken.add(code)


@given(st.text(), lengths)
def test_normalise_accepts_codes_however_typed(source_id: str, length: int) -> None:
    code = place_code(source_id, length)
    assert normalise_code(code) == code
    assert normalise_code(f"  {code.lower()}\n") == code


@given(st.text())
def test_normalise_rejects_anything_else(text: str) -> None:
    result = normalise_code(text)
    if result is not None:
        assert 6 <= len(result) <= 8 and set(result) <= set(ALPHABET)


@pytest.mark.parametrize(
    "text", ["", "ABCDE", "ABCDEFGHJ", "ABC0EF", "ABCOEF", "ABC1EF", "ABCIEF", "ßßß", "ABC DEF"]
)
def test_malformed_codes(text: str) -> None:
    assert normalise_code(text) is None
