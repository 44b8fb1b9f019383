"""Import places from a file in the national schema: validate, link to communes, upsert.

A bad row never blocks the good ones: it is reported (line, field, value, reason) and skipped.
Good rows upsert on the schema `id`, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from observatory.places.codes import allocate_code
from observatory.places.models import Place
from observatory.places.report import ImportReport, Rejection, Unlinked, format_report, truncate
from observatory.places.schema import (
    FIELD_NAMES,
    FieldProblem,
    NotPlacesSchemaError,
    ParsedFile,
    ParsedRecord,
    read_places_file,
    validate_records,
)
from observatory.territories.referential import Referential

__all__ = [
    "ImportReport",
    "NotPlacesSchemaError",
    "ParsedFile",
    "format_report",
    "import_places",
    "read_places_file",
]

# Column widths of `place` that the schema itself does not bound (PostgreSQL would refuse).
DB_LIMITS = {"id": 200, "source": 200, "nom": 300, "commune": 200, "adresse": 300}
# Everything a re-import may change; `code` and `id` are never touched once allocated.
COMPARED = (
    "source",
    "pivot",
    "name",
    "commune_code",
    "commune_name",
    "postal_code",
    "address",
    "lat",
    "lon",
    "typologie",
    "services",
    "dispositifs",
    "itinerant",
    "updated_at",
    "record",
    "presentation",
)
# Above this many ids, one query over every place beats one huge IN list (bind limits).
IN_LIST_LIMIT = 5000
_FIELD_ORDER = {name: i for i, name in enumerate(FIELD_NAMES)}


def import_places(session: Session, parsed: ParsedFile, referential: Referential) -> ImportReport:
    """Validate every record of `parsed` and upsert the good ones, in the caller's transaction."""
    records = parsed.records
    problems = validate_records([r.values for r in records])
    problems += _duplicate_problems(records, parsed.format) + _stricter_problems(records)
    bad = {p.index for p in problems}
    report = ImportReport(
        rejected=len(bad),
        rejections=_rejections(problems, records),
        ignored_columns=parsed.ignored_columns,
        location="line" if parsed.format == "csv" else "record",
    )
    good = [r for i, r in enumerate(records) if i not in bad]
    values_by_id: dict[str, dict[str, Any]] = {}
    for record in good:
        commune_code = link_commune(record.values, referential)
        if commune_code is None:
            report.unlinked.append(_unlinked(record))
        values_by_id[record.values["id"]] = place_values(record.values, commune_code)

    existing = _existing(session, list(values_by_id))
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    taken = set(session.scalars(select(Place.code)))
    for source_id, values in values_by_id.items():
        current = existing.get(source_id)
        if current is None:
            code = allocate_code(source_id, taken.__contains__)
            taken.add(code)
            new_rows.append({"code": code, **values})
        elif any(current[name] != values[name] for name in COMPARED):
            changed_rows.append({"id": current["id"], **values})
    if new_rows:
        session.execute(insert(Place), new_rows)
    if changed_rows:
        session.execute(update(Place), changed_rows)
        _expire_places(session)
    report.imported, report.updated = len(new_rows), len(changed_rows)
    report.unchanged = len(values_by_id) - len(new_rows) - len(changed_rows)
    return report


def link_commune(values: Mapping[str, str], referential: Referential) -> str | None:
    """The current commune of a row: its code_insee if known (old codes and arrondissements
    included), else its postal code and commune name."""
    if values.get("code_insee"):
        code = referential.resolve_commune(values["code_insee"])
        if code is not None:
            return code
    return referential.commune_for_address(values.get("code_postal", ""), values.get("commune", ""))


def place_values(values: Mapping[str, str], commune_code: str | None) -> dict[str, Any]:
    """The `place` columns of a validated row (every key of `COMPARED`, plus `source_id`)."""
    address = values["adresse"]
    if values.get("complement_adresse"):
        address = f"{address}, {values['complement_adresse']}"
    return {
        "source_id": values["id"],
        "source": values.get("source") or None,
        "pivot": values["pivot"],
        "name": values["nom"],
        "commune_code": commune_code,
        "commune_name": values["commune"],
        "postal_code": values["code_postal"],
        "address": truncate(address, DB_LIMITS["adresse"]),
        "lat": _float(values.get("latitude", "")),
        "lon": _float(values.get("longitude", "")),
        "typologie": _split(values.get("typologie", "")),
        "services": _split(values.get("services", "")),
        "dispositifs": _split(values.get("dispositif_programmes_nationaux", "")),
        "itinerant": "Itinérant" in values.get("itinerance", ""),
        # strptime, like frictionless: "2024-4-2" is accepted there, not by fromisoformat.
        "updated_at": dt.datetime.strptime(values["date_maj"], "%Y-%m-%d").date(),
        "record": {name: values.get(name, "") for name in FIELD_NAMES},
        "presentation": values.get("presentation_resume") or None,
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _float(text: str) -> float | None:
    return float(text) if text else None


def _duplicate_problems(records: Sequence[ParsedRecord], file_format: str) -> list[FieldProblem]:
    """The first row with an id owns it; later ones are reported against its line."""
    first_line: dict[str, int] = {}
    problems = []
    for index, record in enumerate(records):
        source_id = record.values["id"]
        if not source_id:
            continue
        if source_id in first_line:
            where = "line" if file_format == "csv" else "record"
            reason = f"duplicate id: already used on {where} {first_line[source_id]}"
            problems.append(FieldProblem(index, "id", source_id, reason))
        else:
            first_line[source_id] = record.line
    return problems


def _stricter_problems(records: Sequence[ParsedRecord]) -> list[FieldProblem]:
    """What the schema allows but the observatory cannot store or use: overlong texts, NUL
    characters (PostgreSQL refuses them), and coordinates that are not finite WGS84 degrees
    ("NaN" and "inf" pass as numbers)."""
    problems = []
    for index, record in enumerate(records):
        values = record.values
        for name, value in values.items():
            if "\x00" in value:
                reason = "contains a NUL character (\\u0000), which cannot be stored"
                problems.append(FieldProblem(index, name, value.replace("\x00", "\\0"), reason))
        for name, limit in DB_LIMITS.items():
            if len(values[name]) > limit:
                reason = f"has {len(values[name])} characters, more than the {limit} stored"
                problems.append(FieldProblem(index, name, values[name], reason))
        for name, bound in (("latitude", 90.0), ("longitude", 180.0)):
            number = _number(values[name])
            if number is not None and not -bound <= number <= bound:
                reason = f"is not a WGS84 {name} (between {-bound:g} and {bound:g} degrees)"
                problems.append(FieldProblem(index, name, values[name], reason))
    return problems


def _number(text: str) -> float | None:
    """The value as a float when it parses (else the schema validation reports it)."""
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _rejections(
    problems: Iterable[FieldProblem], records: Sequence[ParsedRecord]
) -> list[Rejection]:
    ordered = sorted(problems, key=lambda p: (p.index, _FIELD_ORDER.get(p.field, -1)))
    return [Rejection(records[p.index].line, p.field, truncate(p.value), p.reason) for p in ordered]


def _unlinked(record: ParsedRecord) -> Unlinked:
    values = record.values
    return Unlinked(
        line=record.line,
        source_id=values["id"],
        name=values["nom"],
        code_insee=values["code_insee"],
        postal_code=values["code_postal"],
        commune_name=values["commune"],
    )


def _existing(session: Session, source_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The places already stored for these ids, as plain dicts (one query)."""
    if not source_ids:
        return {}
    columns = [Place.id, Place.source_id, *(getattr(Place, name) for name in COMPARED)]
    statement = select(*columns)
    if len(source_ids) <= IN_LIST_LIMIT:
        statement = statement.where(Place.source_id.in_(source_ids))
    wanted = set(source_ids)
    return {
        row.source_id: row._asdict()
        for row in session.execute(statement)
        if row.source_id in wanted
    }


def _expire_places(session: Session) -> None:
    """Bulk UPDATE bypasses the identity map: drop any stale Place the caller holds."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Place):
            session.expire(instance)
