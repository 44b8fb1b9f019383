"""Load the territorial referential into the `territory` table (commune → national)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from observatory.territories.models import NATIONAL_CODE, Territory
from observatory.territories.referential import Commune, Referential, load_referential

NATIONAL_NAME = "France"


def import_territories(session: Session, referential: Referential | None = None) -> dict[str, int]:
    """Replace every territory row with the packaged referential; return the count per level.

    Runs inside the caller's transaction (delete then bulk insert), so readers never see a
    half-built table and running it twice gives the same rows.
    """
    ref = referential or load_referential()
    rows = territory_rows(ref)
    session.execute(delete(Territory))
    session.execute(insert(Territory), rows)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["level"]] += 1
    return dict(counts)


def territory_rows(ref: Referential) -> list[dict[str, Any]]:
    """One dict per territory row, every column set (bulk insert wants uniform keys)."""
    rows = [
        _row(
            "commune",
            c.code,
            c.name,
            c.population,
            parent=c.departement_code,
            epci=c.epci_code,
            departement=c.departement_code,
            region=c.region_code,
        )
        for c in ref.communes.values()
    ]
    majority = _epci_majority(ref.communes.values())
    for epci in ref.epcis.values():
        departement, region = majority.get(epci.code, (None, None))
        rows.append(
            _row(
                "epci",
                epci.code,
                epci.name,
                epci.population,
                parent=None,  # an EPCI may span départements (and even régions)
                departement=departement,
                region=region,
            )
        )
    for dep in ref.departements.values():
        rows.append(
            _row(
                "departement",
                dep.code,
                dep.name,
                dep.population,
                parent=dep.parent_code,
                departement=dep.code,
                region=dep.parent_code,
            )
        )
    for reg in ref.regions.values():
        rows.append(
            _row(
                "region", reg.code, reg.name, reg.population, parent=NATIONAL_CODE, region=reg.code
            )
        )
    national = sum(c.population for c in ref.communes.values())
    rows.append(_row("national", NATIONAL_CODE, NATIONAL_NAME, national, parent=None))
    return rows


def _row(
    level: str,
    code: str,
    name: str,
    population: int,
    *,
    parent: str | None,
    epci: str | None = None,
    departement: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    return {
        "level": level,
        "code": code,
        "name": name,
        "population": population,
        "parent_code": parent,
        "epci_code": epci,
        "departement_code": departement,
        "region_code": region,
    }


def _epci_majority(communes: Iterable[Commune]) -> dict[str, tuple[str, str]]:
    """For each EPCI, the (département, région) holding most of its members' population.

    Ties (and all-zero populations) go to the smallest code, so the result is deterministic.
    """
    weights: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for commune in communes:
        if commune.epci_code:
            key = (commune.departement_code, commune.region_code)
            weights[commune.epci_code][key] += commune.population
    return {epci: _heaviest(by_area) for epci, by_area in weights.items()}


def _heaviest(by_area: dict[tuple[str, str], int]) -> tuple[str, str]:
    return min(by_area, key=lambda area: (-by_area[area], area))
