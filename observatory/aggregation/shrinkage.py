"""Empirical-Bayes shrinkage of place mean scores towards their territory; pure, no I/O.

Why: a place with 6 answers and a mean of 9.5/10 is much more likely lucky than excellent.
Showing raw means (or ranking them) rewards and punishes small places for noise. Shrinkage
replaces each place's mean with a weighted average of its own mean and its territory's:

    shrunk_i = prior_i + w_i · (mean_i - prior_i),   w_i = tau² / (tau² + sigma_i² / n_i)

where sigma_i² is the variance of single answers within places and tau² the variance of the
places' true means around the territory. A place with many answers (sigma²/n small) keeps
almost its own mean; a place with few is pulled strongly towards the territory; if places do
not differ beyond chance (tau² = 0), every place gets the territory's value.

tau² is estimated by the method of moments: it solves

    sum_i (mean_i - prior_i)² / (sigma_i²/n_i + tau²) = k - r - 2

(k places, r = number of prior means estimated from these same places), truncated at 0. This is
Paule & Mandel's moment equation with the degrees of freedom of the James-Stein rule: with equal
n it gives tau² = S/(k - r - 2) - sigma²/n, i.e. the positive-part James-Stein estimator
w = 1 - (k - 3)·(sigma²/n)/S for r = 1, which reproduces Efron & Morris's baseball example (1975;
Scientific American 1977) exactly, and for unequal n it weights each place by its precision.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import optimize

FloatArray = npt.NDArray[np.float64]


def _broadcast(
    n: npt.ArrayLike,
    mean: npt.ArrayLike,
    variance_within: npt.ArrayLike,
    prior_mean: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    arrays = np.broadcast_arrays(
        np.asarray(n, dtype=np.float64),
        np.asarray(mean, dtype=np.float64),
        np.asarray(variance_within, dtype=np.float64),
        np.asarray(prior_mean, dtype=np.float64),
    )
    sizes, means, variances, priors = (np.atleast_1d(a).astype(np.float64) for a in arrays)
    if sizes.ndim != 1:
        raise ValueError("expected one value per place")
    if np.any(sizes < 1):
        raise ValueError("every place needs at least one answer")
    if np.any(~np.isfinite(variances)) or np.any(variances <= 0):
        raise ValueError(
            "variance_within must be positive; use the territory's pooled within-place variance"
        )
    if np.any(~np.isfinite(means)) or np.any(~np.isfinite(priors)):
        raise ValueError("means and prior means must be finite")
    return sizes, means, variances, priors


def pooled_within_variance(
    n: npt.ArrayLike, total: npt.ArrayLike, total_sq: npt.ArrayLike
) -> float:
    """Variance of single answers within places, pooled over places, from their (n, sum, sum_sq).

    sum_i (sum_sq_i - sum_i²/n_i) / sum_i (n_i - 1). Why pooled: a place's own variance from a
    handful of answers is itself very noisy (zero when all its answers agree, which would stop
    it from being shrunk at all); the territory's pooled value is stable.
    """
    sizes = np.atleast_1d(np.asarray(n, dtype=np.float64))
    sums = np.atleast_1d(np.asarray(total, dtype=np.float64))
    squares = np.atleast_1d(np.asarray(total_sq, dtype=np.float64))
    if np.any(sizes < 1):
        raise ValueError("every place needs at least one answer")
    dof = float(np.sum(sizes - 1))
    if dof <= 0:
        raise ValueError("a within-place variance needs a place with at least two answers")
    within = np.maximum(squares - sums * sums / sizes, 0.0)
    return float(np.sum(within) / dof)


def between_place_variance(
    n: npt.ArrayLike,
    mean: npt.ArrayLike,
    variance_within: npt.ArrayLike,
    prior_mean: npt.ArrayLike,
    *,
    prior_parameters: int = 1,
) -> float:
    """Method-of-moments estimate of tau², the variance of places' true means (module docstring).

    `prior_parameters` (r) is how many prior means were computed from these same places' answers:
    1 when `prior_mean` is their territory's mean (the usual case), the number of territories when
    it holds several territories' means, 0 when it comes from elsewhere (e.g. the national figure).
    Needs k ≥ r + 3 places, as the James-Stein rule does.
    """
    sizes, means, variances, priors = _broadcast(n, mean, variance_within, prior_mean)
    dof = sizes.size - prior_parameters - 2
    if prior_parameters < 0 or dof < 1:
        raise ValueError(
            f"estimating the between-place variance needs at least {prior_parameters + 3} places"
        )
    sampling = variances / sizes
    squared = (means - priors) ** 2
    if float(np.sum(squared / sampling)) <= dof:
        return 0.0
    upper = float(np.sum(squared)) / dof  # the left side is < sum(squared)/tau², so tau² < upper

    def excess(tau2: float) -> float:
        return float(np.sum(squared / (sampling + tau2))) - dof

    return float(optimize.brentq(excess, 0.0, upper, xtol=upper * 1e-14, rtol=1e-15))


def shrinkage_weight(n: npt.ArrayLike, variance_within: npt.ArrayLike, tau2: float) -> FloatArray:
    """Weight w = tau² / (tau² + sigma²/n) that a place's own mean keeps (1 - w goes to the prior).

    It grows with n: the more answers, the more a place speaks for itself.
    """
    if not tau2 >= 0:
        raise ValueError("tau2 must be non-negative")
    sizes, _, variances, _ = _broadcast(n, 0.0, variance_within, 0.0)
    return (tau2 / (tau2 + variances / sizes)).astype(np.float64)


def shrink_means(
    n: npt.ArrayLike,
    mean: npt.ArrayLike,
    variance_within: npt.ArrayLike,
    prior_mean: npt.ArrayLike,
    *,
    tau2: float | None = None,
    prior_parameters: int = 1,
) -> FloatArray:
    """Empirical-Bayes (shrunk) means of places, pulled towards `prior_mean` (their territory).

    `n` and `mean` hold one value per place; `variance_within` (sigma², the variance of single
    answers, best the pooled value from `pooled_within_variance`) and `prior_mean` are one value
    or one per place. tau² is estimated with `between_place_variance` unless given. Each result
    lies between the place's own mean and its prior.
    """
    sizes, means, variances, priors = _broadcast(n, mean, variance_within, prior_mean)
    if tau2 is None:
        tau2 = between_place_variance(
            sizes, means, variances, priors, prior_parameters=prior_parameters
        )
    weight = shrinkage_weight(sizes, variances, tau2)
    return (priors + weight * (means - priors)).astype(np.float64)
