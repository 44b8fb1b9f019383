"""Option counts of cells added up, each with its cell key: a question's answers over several
months or places, as a cell of the larger scope or period would hold them (keys add modulo
2**32, like the record keys they sum)."""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence

import pandas as pd

from observatory.responses.models import KEY_MODULUS

Tally = dict[str, tuple[int, int]]  # option → (count, cell key)


def add_tally(into: Tally, tally: Tally) -> None:
    """Add `tally` into `into`, in place."""
    for option, (count, key) in tally.items():
        total, total_key = into.get(option, (0, 0))
        into[option] = (total + count, (total_key + key) % KEY_MODULUS)


def tallies_by(rows: pd.DataFrame, by: Sequence[str]) -> dict[tuple[Hashable, ...], Tally]:
    """The option counts and keys of cell rows (read_cells' counts_json and keys_json) added up
    per value of the `by` columns; each row's JSON is parsed once."""
    out: dict[tuple[Hashable, ...], Tally] = {}
    columns = [rows[c] for c in by]
    for *group, counts, keys in zip(*columns, rows["counts_json"], rows["keys_json"], strict=True):
        key_of = json.loads(str(keys))
        row = {
            option: (int(c), int(key_of[option])) for option, c in json.loads(str(counts)).items()
        }
        add_tally(out.setdefault(tuple(group), {}), row)
    return out
