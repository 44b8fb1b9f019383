"""What an import of places did, row by row, and its plain-text summary for the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

VALUE_LIMIT = 80


@dataclass(frozen=True, slots=True)
class Rejection:
    """One bad field of one row; a row with three bad fields gives three rejections."""

    line: int
    field: str
    value: str  # at most VALUE_LIMIT characters
    reason: str


@dataclass(frozen=True, slots=True)
class Unlinked:
    """A row imported without a commune: neither its code_insee nor its address matched."""

    line: int
    source_id: str
    name: str
    code_insee: str
    postal_code: str
    commune_name: str


@dataclass
class ImportReport:
    """Counts per outcome; `rejected` counts rows, `rejections` lists every bad field."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    unlinked: list[Unlinked] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    # "line" for CSV (physical line), "record" for JSON (1-based index in the array).
    location: str = "line"

    @property
    def total(self) -> int:
        return self.imported + self.updated + self.unchanged + self.rejected


def truncate(value: str, limit: int = VALUE_LIMIT) -> str:
    """Long values (descriptions, pasted paragraphs) would drown the report."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def format_report(report: ImportReport) -> str:
    """A human summary: the counts, then every rejection, then every unlinked row."""
    lines = [
        f"{report.imported} imported, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.rejected} rejected row{'s' if report.rejected != 1 else ''} "
        f"(of {report.total})."
    ]
    if report.ignored_columns:
        lines.append(f"Ignored columns (not in the schema): {', '.join(report.ignored_columns)}.")
    if report.rejections:
        lines.append(f"Rejected ({len(report.rejections)} problems):")
        lines.extend(
            f"  {report.location} {r.line}, {r.field or '(row)'} = {r.value!r}: {r.reason}"
            for r in report.rejections
        )
    if report.unlinked:
        lines.append(f"Imported without a commune ({len(report.unlinked)}):")
        lines.extend(
            f"  {report.location} {u.line}, id {u.source_id!r} ({u.name}): "
            f"code_insee {u.code_insee!r}, code_postal {u.postal_code!r}, "
            f"commune {u.commune_name!r} match no current commune"
            for u in report.unlinked
        )
    return "\n".join(lines)
