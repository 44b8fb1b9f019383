"""Loading the referential into the `territory` table, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from observatory.territories.models import Territory
from observatory.territories.referential import load_referential
from observatory.territories.service import import_territories


def _db_counts(session: Session) -> dict[str, int]:
    statement = select(Territory.level, func.count().label("n")).group_by(Territory.level)
    return {row.level: row.n for row in session.execute(statement)}


def _get(session: Session, level: str, code: str) -> Territory:
    territory = session.get(Territory, (level, code))
    assert territory is not None, (level, code)
    return territory


def test_import_counts_per_level_and_is_idempotent(session: Session) -> None:
    ref = load_referential()
    expected = {
        "commune": len(ref.communes),
        "epci": len(ref.epcis),
        "departement": 101,
        "region": 18,
        "national": 1,
    }
    assert import_territories(session) == expected
    assert _db_counts(session) == expected
    assert import_territories(session) == expected
    session.commit()
    assert _db_counts(session) == expected


def test_imported_hierarchy(session: Session) -> None:
    import_territories(session)
    paris = _get(session, "commune", "75056")
    assert (paris.parent_code, paris.departement_code, paris.region_code) == ("75", "75", "11")
    assert paris.epci_code == "200054781"
    assert _get(session, "commune", "29155").epci_code is None  # Ouessant

    dep = _get(session, "departement", "2A")
    assert (dep.parent_code, dep.region_code, dep.departement_code) == ("94", "94", "2A")
    assert _get(session, "region", "06").parent_code == "FR"

    national = _get(session, "national", "FR")
    assert national.name == "France" and national.parent_code is None
    regions_total = session.scalar(
        select(func.sum(Territory.population)).where(Territory.level == "region")
    )
    assert national.population == regions_total

    # The Métropole du Grand Paris spans six départements (75, 91-95): Paris weighs most.
    grand_paris = _get(session, "epci", "200054781")
    assert grand_paris.parent_code is None
    assert (grand_paris.departement_code, grand_paris.region_code) == ("75", "11")
    unplaced = session.scalar(
        select(func.count())
        .select_from(Territory)
        .where(Territory.level == "epci", Territory.departement_code.is_(None))
    )
    assert unplaced == 0
