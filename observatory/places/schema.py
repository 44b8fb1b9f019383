"""The national places schema (v1.0.2): reading CSV/JSON files and validating their rows.

The schema is the packaged Table Schema, validated with frictionless; what this module adds is
tolerance for how files really come (BOM, semicolons, JSON lists, extra columns), physical
line numbers people can find in their spreadsheet, and reasons written for humans.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

SCHEMA_FILE = "lieux-mediation-numerique.schema.json"


def _load_descriptor() -> dict[str, Any]:
    text = resources.files("observatory.places").joinpath("data", SCHEMA_FILE).read_text("utf-8")
    descriptor: dict[str, Any] = json.loads(text)
    return descriptor


DESCRIPTOR = _load_descriptor()
SCHEMA_VERSION: str = DESCRIPTOR["version"]
SCHEMA_HOMEPAGE: str = DESCRIPTOR["homepage"]
SCHEMA_LABEL = (
    f"national schema of places of digital mediation « {DESCRIPTOR['title']} » "
    f"{SCHEMA_VERSION} ({SCHEMA_HOMEPAGE})"
)
FIELD_NAMES: tuple[str, ...] = tuple(f["name"] for f in DESCRIPTOR["fields"])
REQUIRED_FIELDS: tuple[str, ...] = tuple(
    f["name"] for f in DESCRIPTOR["fields"] if f.get("constraints", {}).get("required")
)
_FIELDS: dict[str, dict[str, Any]] = {f["name"]: f for f in DESCRIPTOR["fields"]}
# `(?:(?:^|\|)(A|B|C))+$`: the schema's way of writing "one or more of A, B, C joined by |".
_ENUM_PATTERN = re.compile(r"^\(\?:\(\?:\^\|\\\|\)\((?P<values>.+)\)\)\+\$$")
_TYPE_HINTS = {
    "date": "is not a date in the YYYY-MM-DD format",
    "number": "is not a number (write decimals with a dot, e.g. 43.52609)",
    "integer": "is not a whole number",
}


class NotPlacesSchemaError(ValueError):
    """The file as a whole is not in the national places schema: nothing in it can be imported."""


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """One record: where it starts (CSV physical line, or JSON 1-based index) and its values.

    `values` has every schema field (missing ones empty, all stripped strings) and nothing else.
    """

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class ParsedFile:
    """A file read into records, before any validation of their values."""

    name: str
    format: Literal["csv", "json"]
    records: list[ParsedRecord]
    ignored_columns: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A value that breaks the schema: `index` is the record's position in the file's list."""

    index: int
    field: str
    value: str
    reason: str


def read_places_file(path: str | os.PathLike[str]) -> ParsedFile:
    """Read a CSV or JSON places file; raise NotPlacesSchemaError if it is not one at all."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotPlacesSchemaError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_places(data, path.name)


def parse_places(data: bytes, name: str = "<data>") -> ParsedFile:
    """Parse file contents (UTF-8, with or without BOM); the format is sniffed, not trusted."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotPlacesSchemaError(
            f"{name} is not a UTF-8 CSV or JSON file (undecodable byte at offset {exc.start}); "
            f"expected the {SCHEMA_LABEL}."
        ) from exc
    if "\x00" in text:
        raise NotPlacesSchemaError(f"{name} is a binary file; expected the {SCHEMA_LABEL}.")
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped.startswith(("[", "{")):
        return _parse_json(text, name)
    return _parse_csv(text, name)


def _parse_csv(text: str, name: str) -> ParsedFile:
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise NotPlacesSchemaError(f"{name} is empty; expected the {SCHEMA_LABEL}.")
        labels = [label.strip().lower() for label in header]
        _check_columns(name, labels)
        positions = {label: i for i, label in reversed(list(enumerate(labels)))}
        records = []
        previous_end = reader.line_num
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            values = {
                f: row[positions[f]].strip() if f in positions and positions[f] < len(row) else ""
                for f in FIELD_NAMES
            }
            if any(values.values()):
                records.append(ParsedRecord(start, values))
    except csv.Error as exc:
        raise NotPlacesSchemaError(
            f"{name} is not a readable CSV file (line {reader.line_num}: {exc}); "
            f"expected the {SCHEMA_LABEL}."
        ) from exc
    return ParsedFile(name, "csv", records, _ignored(labels))


def _parse_json(text: str, name: str) -> ParsedFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotPlacesSchemaError(
            f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}); "
            f"expected the {SCHEMA_LABEL} as an array of objects."
        ) from exc
    items = document.get("data") if isinstance(document, dict) else document
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise NotPlacesSchemaError(
            f"{name} is JSON but not an array of objects (nor an object with a 'data' array); "
            f"expected the {SCHEMA_LABEL}."
        )
    objects = [{str(k).strip().lower(): v for k, v in item.items()} for item in items]
    labels = list(dict.fromkeys(key for item in objects for key in item))
    if objects:
        _check_columns(name, labels)
    records = []
    for index, item in enumerate(objects, start=1):
        values = {f: _json_text(item.get(f)) for f in FIELD_NAMES}
        if any(values.values()):
            records.append(ParsedRecord(index, values))
    return ParsedFile(name, "json", records, _ignored(labels))


def _json_text(value: Any) -> str:
    """A JSON value as the schema's text: lists joined with "|", JSON literals spelled out."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(text for text in (_json_text(v) for v in value) if text)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value).strip()


def _check_columns(name: str, labels: Sequence[str]) -> None:
    missing = [f for f in REQUIRED_FIELDS if f not in labels]
    if missing:
        found = ", ".join(label for label in labels if label) or "none"
        raise NotPlacesSchemaError(
            f"{name} is not in the {SCHEMA_LABEL}: missing required column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(required: {', '.join(REQUIRED_FIELDS)}; found: {_shorten(found, 300)})."
        )


def _ignored(labels: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({label for label in labels if label and label not in _FIELDS}))


@lru_cache(maxsize=1)
def _validation_schema() -> Any:
    """The frictionless schema without `unique`/primary key: duplicates are checked by the
    importer, which can name the line of the first occurrence."""
    from frictionless import Schema

    descriptor = json.loads(json.dumps(DESCRIPTOR))
    descriptor.pop("primaryKey", None)
    for spec in descriptor["fields"]:
        spec.get("constraints", {}).pop("unique", None)
    return Schema.from_descriptor(descriptor)


def validate_records(records: Sequence[Mapping[str, str]]) -> list[FieldProblem]:
    """Every schema violation of every record, one problem per bad field.

    Rows are streamed through frictionless rather than `validate()`d: the cell checks are
    the same, without a report that deep-copies the whole inline table (half the time).
    """
    from frictionless import Resource

    if not records:
        return []
    rows: list[list[str]] = [list(FIELD_NAMES)]
    rows.extend([record.get(f, "") for f in FIELD_NAMES] for record in records)
    problems = []
    with Resource(data=rows, schema=_validation_schema()) as resource:
        for row in resource.row_stream:
            index = row.row_number - 2  # frictionless counts the header as row 1
            for error in row.errors:
                name = getattr(error, "field_name", None) or ""
                value = records[index].get(name, "") if name else ""
                problems.append(FieldProblem(index, name, value, describe_error(error, value)))
    return problems


def describe_error(error: Any, value: str) -> str:
    """A frictionless error in plain English, naming the constraint that was broken."""
    spec = _FIELDS.get(getattr(error, "field_name", None) or "", {})
    constraint = re.match(r'constraint "(\w+)"', error.note or "")
    if error.type == "type-error":
        kind = spec.get("type", "value")
        return _TYPE_HINTS.get(kind, f"is not a valid {kind}")
    if error.type == "constraint-error" and constraint:
        return _describe_constraint(constraint.group(1), spec.get("constraints", {}), value)
    return str(error.note or error.message)


def _describe_constraint(name: str, constraints: Mapping[str, Any], value: str) -> str:
    if name == "required":
        return "is required but empty"
    if name == "maxLength":
        return f"has {len(value)} characters, more than the {constraints['maxLength']} allowed"
    if name == "pattern":
        pattern = str(constraints["pattern"])
        enum = _ENUM_PATTERN.match(pattern)
        if enum:
            allowed = [re.sub(r"\\(.)", r"\1", v) for v in enum.group("values").split("|")]
            wrong = [part for part in value.split("|") if part not in allowed] or [value]
            verb = "is" if len(wrong) == 1 else "are"
            return (
                f"{', '.join(repr(w) for w in wrong)} {verb} not among the allowed values "
                f"({' | '.join(allowed)}); join several with '|'"
            )
        return f"does not match pattern {pattern}"
    return f"breaks the {name} constraint ({constraints.get(name)!r})"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
