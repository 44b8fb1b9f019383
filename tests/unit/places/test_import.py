"""Import of places in the national schema v1.0.2 (CSV and JSON), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from observatory.places.codes import normalise_code, place_code
from observatory.places.importer import (
    NotPlacesSchemaError,
    format_report,
    import_places,
    read_places_file,
)
from observatory.places.models import Place
from observatory.places.schema import parse_places
from observatory.territories.referential import Referential

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "data" / "lieux-mediation-numerique.exemple-valide.csv"
)
WriteCsv = Callable[..., Path]


def _places(session: Session) -> dict[str, Place]:
    return {p.source_id: p for p in session.scalars(select(Place))}


def test_official_example_imports_linked_to_reims(
    session: Session, referential: Referential
) -> None:
    report = import_places(session, read_places_file(EXAMPLE), referential)
    session.commit()

    assert (report.imported, report.updated, report.unchanged, report.rejected) == (1, 0, 0, 0)
    assert report.rejections == [] and report.unlinked == []
    place = session.scalars(select(Place)).one()
    assert place.source_id == "structure-1"
    assert place.commune_code == "51454"
    assert normalise_code(place.code) == place.code and len(place.code) == 6
    assert place.code == place_code("structure-1")
    assert place.name == "Anonymal" and place.pivot == "43493312300029"
    assert place.address == "12 BIS RUE DE LECLERCQ, Le patio du bois de l'Aulne"
    assert (place.lat, place.lon) == (43.52609, 5.41423)
    assert place.typologie == ["TIERS_LIEUX", "ASSO"]
    assert place.services[0] == "Maîtrise des outils numériques du quotidien"
    assert place.dispositifs == ["Aidants Connect", "Conseillers numériques", "La Croix Rouge"]
    assert place.itinerant is True
    assert place.updated_at == dt.date(2024, 4, 2)
    assert place.source == "Hubik"
    assert place.presentation is not None and place.presentation.startswith("Notre association")
    assert place.record["code_insee"] == "51454" and len(place.record) == 32


def test_mixed_file_imports_good_rows_and_reports_each_bad_field(
    session: Session, referential: Referential, example_row: dict[str, str], write_csv: WriteCsv
) -> None:
    def row(source_id: str, **changes: str) -> dict[str, str]:
        return {**example_row, "id": source_id, **changes}

    rows = [
        row("good-1"),  # line 2
        row("bad-postal", code_postal="5110"),  # line 3
        row("good-2", code_insee="", commune="REIMS"),  # line 4 (linked by address)
        row("bad-date", date_maj="2024-13-45"),  # line 5
        row("no-name", nom=""),  # line 6
        row("good-1", nom="Same id again"),  # line 7
        row("bad-services", services="Foo|Loisirs et créations numériques"),  # line 8
        row("two-bad", code_postal="ABCDE", latitude="43,5"),  # line 9
        row("good-3", code_insee="", code_postal="99999", commune="Nulle Part"),  # line 10
    ]
    report = import_places(session, read_places_file(write_csv(rows)), referential)

    assert (report.imported, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 6)
    found = [(r.line, r.field, r.value) for r in report.rejections]
    assert found == [
        (3, "code_postal", "5110"),
        (5, "date_maj", "2024-13-45"),
        (6, "nom", ""),
        (7, "id", "good-1"),
        (8, "services", "Foo|Loisirs et créations numériques"),
        (9, "code_postal", "ABCDE"),
        (9, "latitude", "43,5"),
    ]
    reasons = {(r.line, r.field): r.reason for r in report.rejections}
    assert reasons[3, "code_postal"] == r"does not match pattern ^\d{5}$"
    assert "YYYY-MM-DD" in reasons[5, "date_maj"]
    assert "required" in reasons[6, "nom"]
    assert reasons[7, "id"] == "duplicate id: already used on line 2"
    assert reasons[8, "services"].startswith("'Foo' is not among the allowed values (")
    assert "Aide aux démarches administratives" in reasons[8, "services"]
    assert "number" in reasons[9, "latitude"]

    places = _places(session)
    assert set(places) == {"good-1", "good-2", "good-3"}
    assert places["good-1"].name == "Anonymal"  # the first row with an id owns it
    assert places["good-2"].commune_code == "51454"
    assert places["good-3"].commune_code is None
    assert [(u.line, u.source_id) for u in report.unlinked] == [(10, "good-3")]
    assert len({p.code for p in places.values()}) == 3

    text = format_report(report)
    assert text.splitlines()[0] == "3 imported, 0 updated, 0 unchanged, 6 rejected rows (of 9)."
    assert r"line 3, code_postal = '5110': does not match pattern ^\d{5}$" in text
    assert "line 10, id 'good-3'" in text


def test_multiline_record_keeps_physical_line_numbers(
    session: Session, referential: Referential, example_row: dict[str, str], write_csv: WriteCsv
) -> None:
    rows = [
        {**example_row, "id": "a", "presentation_resume": "Two lines:\nthe second one."},
        {**example_row, "id": "b", "code_postal": "123"},  # starts on physical line 4
        {**example_row, "id": "c", "horaires": "x\ny\nz"},  # lines 5-7
        {**example_row, "id": "d", "date_maj": "yesterday"},  # line 8
    ]
    parsed = read_places_file(write_csv(rows))
    assert [r.line for r in parsed.records] == [2, 4, 5, 8]

    report = import_places(session, parsed, referential)
    assert [(r.line, r.field) for r in report.rejections] == [(4, "code_postal"), (8, "date_maj")]
    assert _places(session)["a"].presentation == "Two lines:\nthe second one."


def test_semicolon_bom_and_extra_columns(
    session: Session,
    referential: Referential,
    example_row: dict[str, str],
    example_header: list[str],
    write_csv: WriteCsv,
) -> None:
    header = [*example_header, "colonne_maison"]
    header.remove("telephone")  # optional columns may be absent
    path = write_csv(
        [{**example_row, "colonne_maison": "x"}],
        header=header,
        delimiter=";",
        encoding="utf-8-sig",
    )
    parsed = read_places_file(path)
    assert parsed.ignored_columns == ("colonne_maison",)
    assert parsed.records[0].values["telephone"] == ""
    report = import_places(session, parsed, referential)
    assert report.imported == 1 and report.rejections == []
    assert "colonne_maison" in format_report(report)


def test_json_input_with_lists_numbers_and_nulls(
    session: Session, referential: Referential, example_row: dict[str, str], tmp_path: Path
) -> None:
    first = {
        **example_row,
        "typologie": ["TIERS_LIEUX", "ASSO"],
        "services": ["Aide aux démarches administratives", "Loisirs et créations numériques"],
        "latitude": 49.25,
        "longitude": 4.03,
        "complement_adresse": None,
    }
    second = {**example_row, "id": "structure-2", "code_postal": 51100, "date_maj": "02/04/2024"}
    path = tmp_path / "places.json"
    path.write_text(json.dumps({"data": [first, second]}, ensure_ascii=False), encoding="utf-8")

    parsed = read_places_file(path)
    assert parsed.format == "json"
    assert parsed.records[0].values["typologie"] == "TIERS_LIEUX|ASSO"
    assert parsed.records[0].values["latitude"] == "49.25"
    report = import_places(session, parsed, referential)

    assert (report.imported, report.rejected) == (1, 1)
    assert [(r.line, r.field) for r in report.rejections] == [(2, "date_maj")]
    assert "record 2, date_maj = '02/04/2024'" in format_report(report)
    place = _places(session)["structure-1"]
    assert place.services == [
        "Aide aux démarches administratives",
        "Loisirs et créations numériques",
    ]
    assert (place.lat, place.lon) == (49.25, 4.03)
    assert place.address == "12 BIS RUE DE LECLERCQ"


def test_json_array_at_top_level(example_row: dict[str, str]) -> None:
    parsed = parse_places(json.dumps([example_row]).encode(), "places.json")
    assert [r.line for r in parsed.records] == [1]


def test_reimport_is_idempotent_and_counts_changes(
    session: Session, referential: Referential, example_row: dict[str, str], write_csv: WriteCsv
) -> None:
    rows = [{**example_row, "id": f"p{i}"} for i in range(3)]
    first = import_places(session, read_places_file(write_csv(rows)), referential)
    session.commit()
    codes = {p.source_id: p.code for p in _places(session).values()}
    assert first.imported == 3

    again = import_places(session, read_places_file(write_csv(rows)), referential)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)

    rows[1]["nom"] = "Nouveau nom"
    rows.append({**example_row, "id": "p3"})
    changed = import_places(session, read_places_file(write_csv(rows)), referential)
    session.commit()
    assert (changed.imported, changed.updated, changed.unchanged) == (1, 1, 2)
    places = _places(session)
    assert places["p1"].name == "Nouveau nom"
    assert all(places[key].code == code for key, code in codes.items())  # codes never move


def test_new_codes_avoid_codes_already_taken(
    session: Session, referential: Referential, example_row: dict[str, str], write_csv: WriteCsv
) -> None:
    squatter = {
        "code": place_code("wanted", 6),
        "source_id": "somebody-else",
        "pivot": "123456789",
        "name": "x",
        "commune_name": "x",
        "postal_code": "51100",
        "address": "x",
        "updated_at": dt.date(2024, 1, 1),
    }
    session.execute(insert(Place), [squatter])
    import_places(
        session, read_places_file(write_csv([{**example_row, "id": "wanted"}])), referential
    )
    assert _places(session)["wanted"].code == place_code("wanted", 7)


def test_commune_linking_through_old_codes_and_addresses(
    session: Session, referential: Referential, example_row: dict[str, str], write_csv: WriteCsv
) -> None:
    rows = [
        {**example_row, "id": "arr", "code_insee": "75112", "code_postal": "75012"},
        {
            **example_row,
            "id": "addr",
            "code_insee": "",
            "code_postal": "75012",
            "commune": "Paris 12e Arrondissement",
        },
        {
            **example_row,
            "id": "st",
            "code_insee": "",
            "code_postal": "42000",
            "commune": "St-Etienne",
        },
    ]
    report = import_places(session, read_places_file(write_csv(rows)), referential)
    assert report.unlinked == []
    linked = {key: p.commune_code for key, p in _places(session).items()}
    assert linked == {"arr": "75056", "addr": "75056", "st": "42218"}


def test_missing_required_columns_raise_one_clear_error(
    example_row: dict[str, str], example_header: list[str], write_csv: WriteCsv
) -> None:
    header = [c for c in example_header if c not in ("nom", "code_postal")]
    path = write_csv([example_row], header=header)
    with pytest.raises(NotPlacesSchemaError) as caught:
        read_places_file(path)
    message = str(caught.value)
    assert "missing required columns nom, code_postal" in message
    assert "v1.0.2" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"name,city\nfoo,bar\n", "missing required columns id, pivot, nom"),
        (b'{"places": [1, 2]}', "not an array of objects"),
        (b"[1, 2]", "not an array of objects"),
        (b"[{", "not valid JSON"),
        (b"", "empty"),
    ],
)
def test_files_that_are_not_the_schema(content: bytes, expected: str) -> None:
    with pytest.raises(NotPlacesSchemaError, match="schema") as caught:
        parse_places(content, "upload")
    assert expected in str(caught.value)


def test_bad_row_values_are_truncated_in_the_report(
    session: Session, referential: Referential, example_row: dict[str, str], write_csv: WriteCsv
) -> None:
    rows = [{**example_row, "presentation_resume": "x" * 300}]
    report = import_places(session, read_places_file(write_csv(rows)), referential)
    (rejection,) = report.rejections
    assert rejection.field == "presentation_resume"
    assert len(rejection.value) == 80
    assert "280" in rejection.reason


@pytest.mark.parametrize(
    "case",
    [
        ("latitude", "NaN", "between -90 and 90"),
        ("longitude", "181", "between -180 and 180"),
        ("nom", "Bad\x00name", "NUL"),
        ("nom", "x" * 301, "more than the 300 stored"),
    ],
)
def test_values_the_schema_allows_but_the_database_cannot_hold(
    session: Session,
    referential: Referential,
    example_row: dict[str, str],
    tmp_path: Path,
    case: tuple[str, str, str],
) -> None:
    field, value, reason = case
    path = tmp_path / "places.json"
    rows = [{**example_row, "id": "good"}, {**example_row, "id": "bad", field: value}]
    path.write_text(json.dumps(rows), encoding="utf-8")
    report = import_places(session, read_places_file(path), referential)
    session.commit()
    assert (report.imported, report.rejected) == (1, 1)
    (rejection,) = report.rejections
    assert (rejection.line, rejection.field) == (2, field)
    assert reason in rejection.reason
