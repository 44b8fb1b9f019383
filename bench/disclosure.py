"""Benchmark of the disclosure gate (cell key method): its cost at page time against plain
thresholding, and its utility cost (how far published figures move from the exact ones).

Synthetic cells at DESIGN §9's scale (10 M answers over 36 months, 20,000 places, 101
départements): a page's table is 101 départements × 4 channels × 6 age bands × 24 months of
counts, plus the 12-month score of every département and of every place. Cell keys are uniform
(a sum of uniform record keys modulo 2³² is uniform). No database: the gate is a pure function
of the cells, which the pages read in one query before calling it.

    .venv/bin/python bench/disclosure.py [--repeat 50] [--output bench/results/disclosure.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from report import write_results  # bench/ is on sys.path when a bench runs

from observatory.config import Settings
from observatory.disclosure import figures
from observatory.disclosure.gate import Audience
from observatory.disclosure.perturbation import MAX_NOISE, VARIANCE
from observatory.responses.models import KEY_MODULUS

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "results" / "disclosure.json"
SECRET = "bench-disclosure-0123456789abcdef-0123456789"
LEVELS = np.array([0, 1, 2, 3])  # the headline question's levels (score = 10 × mean / 3)
SHARES = np.array([0.03, 0.07, 0.30, 0.60])  # how answers spread over them


def page_table(rng: np.random.Generator) -> pd.DataFrame:
    """101 départements × 4 channels × 6 age bands × 24 months: about 2,750 answers a month
    per département, split unevenly between channels and age bands."""
    deps, splits, months = 101, 4 * 6, 24
    totals = rng.poisson(2_750, size=deps * months)
    weights = rng.dirichlet(np.ones(splits), size=deps * months)
    n = np.concatenate([rng.multinomial(t, w) for t, w in zip(totals, weights, strict=True)])
    return pd.DataFrame(
        {"n": n.astype(np.int64), "key_sum": rng.integers(0, KEY_MODULUS, size=n.size)}
    )


def level_counts(rng: np.random.Generator, totals: np.ndarray) -> np.ndarray:
    return np.stack([rng.multinomial(int(t), SHARES) for t in totals])


def options_of(rng: np.random.Generator, row: np.ndarray) -> dict[str, tuple[int, int]]:
    """{level: (count, cell key)} of one question's distribution."""
    return {
        str(lv): (int(c), int(rng.integers(0, KEY_MODULUS)))
        for lv, c in zip(LEVELS, row, strict=True)
    }


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        out.append(time.perf_counter() - start)
    return out


def score(levels: Sequence[int], counts: Sequence[int]) -> float:
    total = sum(counts)
    return 10 * sum(lv * c for lv, c in zip(levels, counts, strict=True)) / (3 * total)


def utility(
    rng: np.random.Generator, rules: figures.Rules, sizes: dict[str, np.ndarray]
) -> dict[str, Any]:
    """Per scope level: mean absolute change of counts, relative change, and how often a score
    shown with one decimal differs from the exact one."""
    out: dict[str, Any] = {}
    for level, totals in sizes.items():
        keys = rng.integers(0, KEY_MODULUS, size=totals.size, dtype=np.int64)
        shown = rules.table.perturb_many(totals, keys)
        published = shown >= rules.k
        change = np.abs(shown - totals)[published]
        counts = level_counts(rng, totals)
        moved, scored = 0, 0
        for row in counts:
            dist = figures.distribution(options_of(rng, row), rules)
            if dist is None or sum(row) == 0:
                continue
            scored += 1
            exact = round(score(LEVELS, row), 1)
            blurred = round(score(LEVELS, [dist[str(lv)] for lv in LEVELS]), 1)
            moved += exact != blurred
        out[level] = {
            "cells": int(totals.size),
            "median_answers": float(np.median(totals)),
            "published_share": float(published.mean()),
            "mean_absolute_change": float(change.mean()) if change.size else None,
            "mean_relative_change": float((change / totals[published]).mean())
            if change.size
            else None,
            "scores_published": int(scored),
            "scores_moved_by_rounding": int(moved),
            "share_of_scores_moved": moved / scored if scored else None,
        }
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    rules = figures.Rules.for_audience(Audience.PUBLIC, Settings(secret_key=SECRET))
    table = page_table(rng)
    deps = level_counts(rng, rng.poisson(33_000, size=101))
    dep_options = [
        {
            str(lv): (int(c), int(rng.integers(0, KEY_MODULUS)))
            for lv, c in zip(LEVELS, row, strict=True)
        }
        for row in deps
    ]

    def gate() -> None:
        figures.counts(table, rules)
        for options in dep_options:
            figures.distribution(options, rules)

    def baseline() -> None:  # thresholds only, no perturbation: the least any gate does
        values = table["n"]
        values.mask(values < rules.k)
        for options in dep_options:
            sum(c for c, _ in options.values()) >= rules.k  # noqa: B015

    gate()
    baseline()  # warm both (imports, the table's construction)
    gate_times, base_times = [], []
    for _ in range(args.repeat):  # interleaved rounds: both see the same machine load
        gate_times += timed(gate, 1)
        base_times += timed(baseline, 1)
    sizes = {
        "national (month)": rng.poisson(278_000, size=36),
        "département (month)": rng.poisson(2_750, size=101 * 36),
        "place (month)": rng.poisson(14, size=20_000),
        "place (12 months)": rng.poisson(167, size=20_000),
    }
    return {
        "date": dt.date.today().isoformat(),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
        "parameters": {"max_noise": MAX_NOISE, "variance": VARIANCE, "k_public": rules.k},
        "page": {
            "cells": len(table),
            "scores": len(dep_options),
            "gate_p50_ms": 1000 * float(np.percentile(gate_times, 50)),
            "gate_p95_ms": 1000 * float(np.percentile(gate_times, 95)),
            "baseline_p50_ms": 1000 * float(np.percentile(base_times, 50)),
            "baseline_p95_ms": 1000 * float(np.percentile(base_times, 95)),
            "repeat": args.repeat,
        },
        "utility": utility(rng, rules, sizes),
    }


def markdown(results: dict[str, Any]) -> str:
    page = results["page"]
    lines = [
        "| page table | gate p50 | gate p95 | thresholds only p50 | ratio (p50) |",
        "|---|---:|---:|---:|---:|",
        f"| {page['cells']:,} counts + {page['scores']} scores | {page['gate_p50_ms']:.1f} ms "
        f"| {page['gate_p95_ms']:.1f} ms | {page['baseline_p50_ms']:.1f} ms "
        f"| × {page['gate_p50_ms'] / page['baseline_p50_ms']:.1f} |",
        "",
        "| scope | cells | median answers | published | mean abs. change | mean rel. change "
        "| scores moved at 1 decimal |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for level, u in results["utility"].items():
        rel = u["mean_relative_change"]
        moved = u["share_of_scores_moved"]
        scores = f"{100 * (moved or 0):.1f} % of {u['scores_published']:,}"
        lines.append(
            f"| {level} | {u['cells']:,} | {u['median_answers']:,.0f} "
            f"| {100 * u['published_share']:.1f} % | {u['mean_absolute_change'] or 0:.2f} "
            f"| {100 * (rel or 0):.3f} % | {scores} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    results = run(args)
    write_results(args.output, results, markdown(results))
    return results


if __name__ == "__main__":
    main()
