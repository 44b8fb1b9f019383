"""The cell key method: a fixed perturbation table maps (count, cell key) to a small bounded
noise, so that the same cell always shows the same value and differencing two published cells
gives noise, not a person.

Each response carries a secret random record key in [0, 2**32); a cell's key is the sum of its
records' keys modulo 2**32 (folded like n and sum, docs/decisions/0019). Its position in
[0, 1) picks a noise value through the cumulative distribution of the table's row for the
cell's count. The table itself may be published (docs/methodology.md); record keys never are.

Every row has mean 0 (the published counts are unbiased), the same variance (the precision of
a figure does not depend on the cell), and noise within ±`max_noise`; a count is never turned
negative, and 0 is never perturbed (an empty cell stays empty: a structural zero is no secret).
Rows are the maximum-entropy distribution under those constraints: the least informative noise
for a given variance, so an attacker who knows the table learns as little as possible.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq, fsolve

from observatory.responses.models import KEY_MODULUS

MAX_NOISE = 4
VARIANCE = 2.0


@dataclass(frozen=True)
class Row:
    """The noise values of one count and their cumulative probabilities."""

    values: tuple[int, ...]
    cumulative: tuple[float, ...]

    def noise(self, position: float) -> int:
        """The noise a cell key at `position` in [0, 1) draws: the first value whose
        cumulative probability exceeds it (the same rule as `perturb_many`'s searchsorted)."""
        return self.values[min(bisect_right(self.cumulative, position), len(self.values) - 1)]

    def mean(self) -> float:
        return sum(v * p for v, p in zip(self.values, self._probabilities(), strict=True))

    def variance(self) -> float:
        mean = self.mean()
        return sum(
            (v - mean) ** 2 * p for v, p in zip(self.values, self._probabilities(), strict=True)
        )

    def _probabilities(self) -> list[float]:
        previous = 0.0
        out = []
        for upto in self.cumulative:
            out.append(upto - previous)
            previous = upto
        return out


def _symmetric(max_noise: int, variance: float) -> list[float]:
    """p(d) ∝ exp(-d²/(2s²)) on -D…D, with s chosen so that the variance is `variance`."""
    values = np.arange(-max_noise, max_noise + 1)

    def spread(scale: float) -> float:
        weights = np.exp(-(values**2) / (2 * scale**2))
        return float((weights * values**2).sum() / weights.sum()) - variance

    scale = brentq(spread, 1e-3, 1e3)
    weights = np.exp(-(values**2) / (2 * scale**2))
    return list(weights / weights.sum())


def _truncated(lowest: int, max_noise: int, variance: float) -> list[float]:
    """Maximum entropy on lowest…D with mean 0 and the given variance: p(d) ∝ exp(a·d + b·d²)."""
    values = np.arange(lowest, max_noise + 1, dtype=float)

    def moments(params: npt.NDArray[np.float64]) -> list[float]:
        a, b = params
        logits = a * values + b * values**2
        weights = np.exp(logits - logits.max())
        p = weights / weights.sum()
        return [float((p * values).sum()), float((p * values**2).sum()) - variance]

    solution, _info, status, _message = fsolve(moments, x0=[0.0, -0.3], full_output=True)
    if status != 1 or max(abs(m) for m in moments(solution)) > 1e-9:
        raise ValueError(f"no noise on {lowest}…{max_noise} has mean 0 and variance {variance}")
    a, b = solution
    logits = a * values + b * values**2
    weights = np.exp(logits - logits.max())
    return list(weights / weights.sum())


def _row(values: range, probabilities: list[float]) -> Row:
    cumulative = np.cumsum(probabilities)
    cumulative[-1] = 1.0  # exactly: every position in [0, 1) lands on a value
    return Row(tuple(values), tuple(float(c) for c in cumulative))


@dataclass(frozen=True)
class PerturbationTable:
    """Noise rows for counts 1 … `max_noise` (truncated so no count turns negative) and one
    row for every larger count."""

    max_noise: int = MAX_NOISE
    variance: float = VARIANCE
    rows: dict[int, Row] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_noise < 1 or not 0 < self.variance < self.max_noise**2:
            raise ValueError("the noise needs 1 ≤ max_noise and 0 < variance < max_noise²")
        rows = self.rows
        for count in range(1, self.max_noise + 1):
            rows[count] = _row(
                range(-count, self.max_noise + 1),
                _truncated(-count, self.max_noise, self.variance),
            )
        rows[self.max_noise + 1] = _row(
            range(-self.max_noise, self.max_noise + 1), _symmetric(self.max_noise, self.variance)
        )

    def row(self, count: int) -> Row:
        return self.rows[min(count, self.max_noise + 1)]

    def noise(self, count: int, cell_key: int) -> int:
        """The noise of a cell with `count` records whose keys sum to `cell_key` (mod 2**32)."""
        if count <= 0:
            return 0
        return self.row(count).noise((cell_key % KEY_MODULUS) / KEY_MODULUS)

    def perturb(self, count: int, cell_key: int) -> int:
        """The published count: never negative, 0 stays 0, at most `max_noise` away."""
        return count + self.noise(count, cell_key)

    def perturb_many(
        self, counts: npt.ArrayLike, cell_keys: npt.ArrayLike
    ) -> npt.NDArray[np.int64]:
        """`perturb` over arrays (a whole table at once, for page speed)."""
        n = np.asarray(counts, dtype=np.int64)
        positions = (np.asarray(cell_keys, dtype=np.int64) % KEY_MODULUS) / KEY_MODULUS
        out = n.copy()
        for count, row in self.rows.items():
            chosen = (n == count) if count <= self.max_noise else (n > self.max_noise)
            if not chosen.any():
                continue
            index = np.searchsorted(np.asarray(row.cumulative), positions[chosen], side="right")
            index = np.minimum(index, len(row.values) - 1)
            out[chosen] = n[chosen] + np.asarray(row.values, dtype=np.int64)[index]
        return out

    def as_rows(self) -> list[tuple[int, int, float]]:
        """(count, noise, probability) for every row: the table as it may be published."""
        out = []
        for count, row in sorted(self.rows.items()):
            for value, probability in zip(row.values, row._probabilities(), strict=True):
                out.append((count, value, probability))
        return out


@lru_cache(maxsize=4)
def perturbation_table(max_noise: int = MAX_NOISE, variance: float = VARIANCE) -> PerturbationTable:
    """The table in use (built once per process: it depends on its two parameters only)."""
    return PerturbationTable(max_noise, variance)
