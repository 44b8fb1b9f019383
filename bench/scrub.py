"""Benchmark of `scrub()` against a baseline doing the minimum any scrubber must do, and
report of its recall and precision on the labelled corpus.

    .venv/bin/python bench/scrub.py [--count 10000] [--repeat 3]
    .venv/bin/python bench/scrub.py --quality-only     # the quality tables, no timing

Quality (docs/scrubbing.md, "Measured results"): recall per kind and per language, the
false-positive rate on comments without personal data and the share of scrubbed letters
and digits that were personal data, computed by observatory.responses.scrub.evaluation on
tests/data/scrub_corpus.jsonl, the same code the test suite asserts on.

Two inputs, each timed for `scrub()` and for the baseline (one precompiled e-mail + phone
regular expression, one substitution) in the same run, rounds interleaved so that both see
the same machine load:

- `corpus`: `--count` comments cycled from tests/data/scrub_corpus.jsonl;
- `long`: `--count` comments of `--length` characters, made by joining corpus comments.

Each figure is the best of `--repeat` rounds (the median is recorded too). The result goes
to bench/results/scrub.json and a Markdown table is printed (docs/performance.md).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from report import write_results  # bench/ is on sys.path when a bench runs

from observatory.responses.scrub import scrub
from observatory.responses.scrub.evaluation import evaluate
from observatory.responses.scrub.evaluation import load_corpus as load_entries
from observatory.responses.scrub.evaluation import markdown as quality_markdown

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "scrub_corpus.jsonl"
OUTPUT = ROOT / "bench" / "results" / "scrub.json"

# The floor: what any scrubber has to pay, one compiled pattern and one pass per text.
BASELINE_PATTERN = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|(?:\+33[ ]?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)"  # French phone number
)


def baseline(text: str) -> str:
    return BASELINE_PATTERN.sub("[retiré]", text)


def load_corpus() -> list[str]:
    rows = CORPUS.read_text(encoding="utf-8").splitlines()
    return [json.loads(row)["text"] for row in rows if row.strip()]


def corpus_comments(corpus: Sequence[str], count: int) -> list[str]:
    return [corpus[i % len(corpus)] for i in range(count)]


def long_comments(corpus: Sequence[str], count: int, length: int) -> list[str]:
    """Comments of exactly `length` characters: corpus comments joined, each from a new start."""
    texts = []
    for i in range(count):
        parts: list[str] = []
        size = 0
        j = i
        while size < length:
            parts.append(corpus[j % len(corpus)])
            size += len(parts[-1]) + 1
            j += 1
        texts.append(" ".join(parts)[:length])
    return texts


def time_once(function: Callable[[str], str], texts: Sequence[str]) -> float:
    gc.collect()
    started = time.perf_counter()
    for text in texts:
        function(text)
    return time.perf_counter() - started


def figures(times: list[float], count: int) -> dict[str, Any]:
    best = min(times)
    return {
        "runs_s": [round(t, 4) for t in times],
        "best_s": round(best, 4),
        "median_s": round(statistics.median(times), 4),
        "per_comment_ms": round(best / count * 1000, 4),
        "comments_per_s": round(count / best, 1),
    }


def measure(name: str, texts: Sequence[str], repeat: int) -> dict[str, Any]:
    # Warm-up: compiled patterns, caches (word folding), allocator.
    for text in texts[:200]:
        scrub(text)
        baseline(text)
    scrub_times: list[float] = []
    baseline_times: list[float] = []
    for round_ in range(repeat):
        scrub_times.append(time_once(scrub, texts))
        baseline_times.append(time_once(baseline, texts))
        print(
            f"  {name} round {round_ + 1}/{repeat}: scrub {scrub_times[-1]:.3f} s, "
            f"baseline {baseline_times[-1]:.3f} s",
            file=sys.stderr,
        )
    result = {
        "comments": len(texts),
        "mean_length": round(statistics.fmean(len(t) for t in texts), 1),
        "scrub": figures(scrub_times, len(texts)),
        "baseline": figures(baseline_times, len(texts)),
    }
    result["ratio"] = round(min(scrub_times) / min(baseline_times), 1)
    return result


def markdown(results: dict[str, Any]) -> str:
    labels = {
        "corpus": "{comments:,} corpus comments (mean {mean_length:.0f} characters)",
        "long": "{comments:,} comments of {mean_length:,.0f} characters",
    }
    lines = [
        "| input | `scrub()` | baseline | ratio | `scrub()` throughput | baseline throughput |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results["inputs"].items():
        s, b = r["scrub"], r["baseline"]
        lines.append(
            f"| {labels[name].format(**r)} | {s['best_s']:.2f} s | {b['best_s']:.3f} s "
            f"| × {r['ratio']:,.0f} | {s['comments_per_s']:,.0f} /s "
            f"({s['per_comment_ms']:.2f} ms each) | {b['comments_per_s']:,.0f} /s |"
        )
    return "\n".join(lines)


def quality() -> tuple[dict[str, Any], str]:
    """Recall, precision and false positives on the corpus: figures and Markdown tables."""
    entries = load_entries(CORPUS)
    report = evaluate(entries)
    figures = {
        "entries": len(entries),
        "clean": report.clean,
        "recall_per_kind": {
            k: {"found": f, "labelled": n} for k, (f, n) in report.recall().items()
        },
        "recall_per_language": {
            k: {"found": f, "labelled": n} for k, (f, n) in report.recall_per_language().items()
        },
        "false_positives": len(report.changed),
        "false_positive_rate": round(report.false_positive_rate, 4),
        "precision": round(report.precision, 4),
        "misses": report.misses,
    }
    return figures, quality_markdown(report)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="comments per input")
    parser.add_argument("--length", type=int, default=1_000, help="length of a long comment")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best one counts")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--quality-only",
        action="store_true",
        help="print recall / precision on the corpus, time nothing, write nothing",
    )
    args = parser.parse_args(argv)

    quality_figures, quality_tables = quality()
    if args.quality_only:
        print(quality_tables)
        return

    corpus = load_corpus()
    inputs = {
        "corpus": corpus_comments(corpus, args.count),
        "long": long_comments(corpus, args.count, args.length),
    }
    results: dict[str, Any] = {
        "benchmark": "scrub",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "system": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "baseline": "one precompiled e-mail + French phone regex, re.sub per comment",
        "repeat": args.repeat,
        "inputs": {name: measure(name, texts, args.repeat) for name, texts in inputs.items()},
        "quality": quality_figures,
    }
    write_results(args.output, results, f"{markdown(results)}\n\n{quality_tables}")


if __name__ == "__main__":
    main()
