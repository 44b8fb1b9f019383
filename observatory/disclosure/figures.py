"""What a count, a share or a distribution of answers becomes when it is published to an
audience: exact for a team looking at its own cells, perturbed (cell key method) for anyone
else, then held back below the audience's threshold or when (almost) everyone gave the same
answer.

Order matters: perturb first, then apply the threshold to the perturbed count, so that whether
a figure is shown says nothing exact about the true count either. Scores and shares are
computed from perturbed counts only (each option count is a cell with its own key), so the
arithmetic "score × n" gives back perturbed sums, never exact ones.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from observatory.config import Settings
from observatory.disclosure.gate import Audience, threshold
from observatory.disclosure.perturbation import PerturbationTable, perturbation_table

# Below this many (published) answers, a share or a score is held back when fewer than
# DOMINANCE_MIN answers differ from the others: "11 out of 11" or a score of 0.0 from 11
# identical answers would tell every respondent's answer (docs/decisions/0018).
DOMINANCE_N = 30
DOMINANCE_MIN = 3


@dataclass(frozen=True)
class Rules:
    """How figures are published to one audience."""

    k: int  # smallest published count
    perturbed: bool  # anyone but the team itself sees perturbed counts
    dominance: bool  # (almost) unanimous answers on small counts are held back
    table: PerturbationTable

    @classmethod
    def for_audience(cls, audience: Audience, settings: Settings) -> Rules:
        own = audience is Audience.TEAM
        return cls(
            k=threshold(audience, settings),
            perturbed=not own,
            dominance=not own,
            table=perturbation_table(),
        )


def count(n: int, key: int, rules: Rules) -> int | None:
    """The published count of a cell of `n` records whose keys sum to `key`; None: held back."""
    shown = rules.table.perturb(n, key) if rules.perturbed else n
    return shown if shown >= rules.k else None


def counts(frame: pd.DataFrame, rules: Rules, n: str = "n", key: str = "key_sum") -> pd.Series:
    """`count` for every row of a table at once (nullable integers, NA: held back)."""
    values = frame[n].to_numpy(dtype=np.int64)
    shown: npt.NDArray[np.int64] = (
        rules.table.perturb_many(values, frame[key].to_numpy(dtype=np.int64))
        if rules.perturbed
        else values
    )
    out = pd.Series(shown, index=frame.index, dtype="Int64")
    return out.mask(out < rules.k)


def _dominated(values: Mapping[str, int], total: int, rules: Rules) -> bool:
    if not rules.dominance or total >= DOMINANCE_N:
        return False
    return total - max(values.values(), default=0) < DOMINANCE_MIN


def distribution(
    options: Mapping[str, tuple[int, int]], rules: Rules, among: Container[str] | None = None
) -> dict[str, int] | None:
    """Published counts of each option ({option: (count, key)}) of one question, or None;
    `among`: only those options (a score's levels, leaving "je ne sais pas" out).

    The total is the sum of the published option counts (shares and scores then add up);
    it must reach the threshold, and below `DOMINANCE_N` at least `DOMINANCE_MIN` answers must
    differ from the most frequent option.
    """
    shown = {
        option: (rules.table.perturb(c, key) if rules.perturbed else c)
        for option, (c, key) in options.items()
        if among is None or option in among
    }
    total = sum(shown.values())
    if total < rules.k or total == 0 or _dominated(shown, total, rules):
        return None
    return shown


def share(part: tuple[int, int], whole: tuple[int, int], rules: Rules) -> tuple[int, int] | None:
    """A published (numerator, denominator) pair for "part out of whole", each (count, key).

    The denominator must reach the threshold; below `DOMINANCE_N`, neither the numerator nor
    its complement may be smaller than `DOMINANCE_MIN` (no "0 %" or "100 %" of a small group).
    """
    x = rules.table.perturb(*part) if rules.perturbed else part[0]
    n = rules.table.perturb(*whole) if rules.perturbed else whole[0]
    x = min(x, n)  # two perturbed counts: the part never shows above the whole
    if n < rules.k or n == 0:
        return None
    if _dominated({"part": x, "rest": n - x}, n, rules):
        return None
    return x, n
