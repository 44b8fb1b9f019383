"""Fixtures for the places tests: the official example row and a writer of schema files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from observatory.territories.referential import Referential, load_referential

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "data" / "lieux-mediation-numerique.exemple-valide.csv"
)

WriteCsv = Callable[..., Path]


@pytest.fixture(scope="session")
def example_header() -> list[str]:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture
def example_row() -> dict[str, str]:
    """The official example row, as a fresh dict the test may change."""
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))


@pytest.fixture(scope="session")
def referential() -> Referential:
    return load_referential()


@pytest.fixture
def write_csv(tmp_path: Path, example_header: list[str]) -> WriteCsv:
    """Write rows (dicts) as a CSV file in the schema's column order; returns its path."""

    def write(
        rows: Sequence[dict[str, str]],
        name: str = "places.csv",
        header: Sequence[str] | None = None,
        delimiter: str = ",",
        encoding: str = "utf-8",
    ) -> Path:
        columns = list(header or example_header)
        text = io.StringIO()
        writer = csv.DictWriter(
            text, columns, delimiter=delimiter, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
        path = tmp_path / name
        path.write_bytes(text.getvalue().encode(encoding))
        return path

    return write
