"""Recall and precision of the scrubber on a labelled corpus (tests/data/scrub_corpus.jsonl).

One implementation shared by the test that guards the figures
(tests/unit/responses/test_scrub.py) and by the report that prints them
(bench/scrub.py --quality, docs/scrubbing.md), so the published numbers are the tested ones.
Not used by the application.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatory.responses.scrub.core import find_pii, scrub
from observatory.responses.scrub.normalise import normalise
from observatory.responses.scrub.spans import Match

CORPUS_KINDS: frozenset[str] = frozenset(
    {"email", "phone", "nir", "card", "iban", "address", "postal", "name", "id", "secret"}
)


@dataclass(frozen=True)
class Entry:
    """One comment of the corpus: its text, the personal data in it, its language."""

    text: str
    pii: tuple[tuple[str, str], ...]
    lang: str
    note: str | None = None


def load_corpus(path: Path) -> list[Entry]:
    """The entries of a JSON-lines corpus (a missing `lang` means French, the first corpus)."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row: dict[str, Any] = json.loads(line)
            pii = tuple((p["kind"], p["value"]) for p in row["pii"])
            entries.append(Entry(row["text"], pii, row.get("lang", "fr"), row.get("note")))
    return entries


def squash(text: str) -> str:
    """Whitespace-insensitive form: a clean text may only change in its spacing."""
    return " ".join(text.split())


def occurrences(text: str, value: str) -> Iterable[int]:
    start = text.find(value)
    while start >= 0:
        yield start
        start = text.find(value, start + 1)


def removed(text: str, value: str, matches: list[Match], output: str) -> bool:
    """Every letter and digit of every occurrence of `value` lies inside a detected span,
    and the value (as typed, and once normalised) is absent from the output."""
    covered = {i for m in matches for i in range(m.start, m.end)}
    for start in occurrences(text, value):
        for i in range(start, start + len(value)):
            if text[i].isalnum() and i not in covered:
                return False
    return value not in output and normalise(value) not in output


@dataclass
class Report:
    """Counts behind the published figures."""

    found: Counter[str] = field(default_factory=Counter)  # per kind
    labelled: Counter[str] = field(default_factory=Counter)
    lang_found: Counter[str] = field(default_factory=Counter)  # values, per language
    lang_labelled: Counter[str] = field(default_factory=Counter)
    lang_clean: Counter[str] = field(default_factory=Counter)  # texts without personal data
    lang_changed: Counter[str] = field(default_factory=Counter)  # … that were changed
    covered_chars: int = 0  # letters and digits inside a detected span
    covered_pii_chars: int = 0  # … of which belong to a labelled value
    misses: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def clean(self) -> int:
        return sum(self.lang_clean.values())

    @property
    def false_positive_rate(self) -> float:
        return len(self.changed) / self.clean if self.clean else 0.0

    @property
    def precision(self) -> float:
        """Share of the scrubbed letters and digits that were personal data."""
        return self.covered_pii_chars / self.covered_chars if self.covered_chars else 1.0

    def recall(self) -> dict[str, tuple[int, int]]:
        return {k: (self.found[k], self.labelled[k]) for k in sorted(self.labelled)}

    def recall_per_language(self) -> dict[str, tuple[int, int]]:
        return {k: (self.lang_found[k], self.lang_labelled[k]) for k in sorted(self.lang_clean)}


def evaluate(
    entries: Iterable[Entry],
    find: Callable[[str], list[Match]] = find_pii,
    clean_up: Callable[[str], str] = scrub,
    normal: Callable[[str], str] = normalise,
) -> Report:
    """Measure `find`/`clean_up` on `entries` (defaults: this scrubber).

    A value counts as found when every letter and digit of it lies inside a detected span
    and it is absent from the output; a clean text is a false positive when its output
    differs from its normalised form other than in whitespace.
    """
    report = Report()
    for entry in entries:
        matches = find(entry.text)
        output = clean_up(entry.text)
        report.lang_clean[entry.lang] += 0  # every language gets a row
        for kind, value in entry.pii:
            report.labelled[kind] += 1
            report.lang_labelled[entry.lang] += 1
            if removed(entry.text, value, matches, output):
                report.found[kind] += 1
                report.lang_found[entry.lang] += 1
            else:
                report.misses.append(f"{entry.lang} {kind}: {value!r} in {output!r}")
        personal = {
            i
            for _, v in entry.pii
            for s in occurrences(entry.text, v)
            for i in range(s, s + len(v))
        }
        for m in matches:
            for i in range(m.start, m.end):
                if entry.text[i].isalnum():
                    report.covered_chars += 1
                    report.covered_pii_chars += i in personal
        if not entry.pii:
            report.lang_clean[entry.lang] += 1
            if squash(output) != squash(normal(entry.text)):
                report.lang_changed[entry.lang] += 1
                report.changed.append((entry.text, output))
    return report


def markdown(report: Report) -> str:
    """The tables of docs/scrubbing.md."""
    lines = ["| kind | labelled values | found | recall |", "|---|---:|---:|---:|"]
    for kind, (f, n) in report.recall().items():
        lines.append(f"| {kind} | {n} | {f} | {f / n:.3f} |")
    lines += [
        "",
        "| language | values | found | recall | clean texts | changed | false-positive rate |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for lang, (f, n) in report.recall_per_language().items():
        clean, changed = report.lang_clean[lang], report.lang_changed[lang]
        recall = f"{f / n:.3f}" if n else "–"
        rate = f"{changed / clean:.1%}" if clean else "–"
        lines.append(f"| {lang} | {n} | {f} | {recall} | {clean} | {changed} | {rate} |")
    total_found = sum(f for f, _ in report.recall().values())
    total = sum(n for _, n in report.recall().values())
    lines += [
        "",
        f"All values: {total_found}/{total} found (recall {total_found / total:.3f}); "
        f"clean texts changed: {len(report.changed)}/{report.clean} "
        f"(false-positive rate {report.false_positive_rate:.1%}); "
        f"precision (share of scrubbed letters and digits that were personal data): "
        f"{report.precision:.3f}.",
    ]
    return "\n".join(lines)
