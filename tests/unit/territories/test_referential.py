"""The packaged territorial referential: completeness, hierarchy, aliases and address lookup."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from observatory.territories.referential import Referential, load_referential, normalise_name

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "observatory" / "territories" / "data"
SOURCE = REPO.parent / "shared" / "reference" / "decoupage-administratif"
DROM = ("971", "972", "973", "974", "976")


@pytest.fixture(scope="module")
def ref() -> Referential:
    return load_referential()


def test_departements_and_regions(ref: Referential) -> None:
    assert len(ref.departements) == 101
    assert len(ref.regions) == 18
    assert {"2A", "2B", *DROM} <= set(ref.departements)
    assert "20" not in ref.departements
    assert not {"975", "977", "978", "984", "986", "987", "988", "989"} & set(ref.departements)
    assert ref.departements["2A"].parent_code == "94"
    assert ref.departements["976"].name == "Mayotte"
    assert all(dep.parent_code in ref.regions for dep in ref.departements.values())


def test_every_commune_has_one_departement_within_its_region(ref: Referential) -> None:
    assert 34_000 < len(ref.communes) < 36_000
    for commune in ref.communes.values():
        departement = ref.departements[commune.departement_code]
        assert departement.parent_code == commune.region_code
        assert commune.region_code in ref.regions
        assert commune.epci_code is None or commune.epci_code in ref.epcis


def test_populations_add_up(ref: Referential) -> None:
    total = sum(c.population for c in ref.communes.values())
    assert sum(r.population for r in ref.regions.values()) == total
    assert sum(d.population for d in ref.departements.values()) == total
    assert 65_000_000 < total < 70_000_000


def test_drom_communes_are_present(ref: Referential) -> None:
    by_departement = dict.fromkeys(DROM, 0)
    for commune in ref.communes.values():
        if commune.departement_code in by_departement:
            by_departement[commune.departement_code] += 1
    assert by_departement == {"971": 32, "972": 34, "973": 22, "974": 24, "976": 17}
    assert ref.communes["97411"].name == "Saint-Denis"
    assert ref.communes["97611"].region_code == "06"


def test_communes_outside_any_epci(ref: Referential) -> None:
    outside = sorted(c.code for c in ref.communes.values() if c.epci_code is None)
    assert outside == ["22016", "29083", "29155", "85113"]  # the four islands


def test_commune_details(ref: Referential) -> None:
    paris = ref.communes["75056"]
    assert paris.name == "Paris" and paris.departement_code == "75" and paris.region_code == "11"
    assert "75012" in paris.postal_codes and "75116" in paris.postal_codes
    assert paris.epci_code == "200054781"
    assert ref.epcis["200054781"].kind == "METRO"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("75056", "75056"),
        ("75101", "75056"),  # arrondissement municipal
        ("75120", "75056"),
        ("13201", "13055"),
        ("69381", "69123"),
        ("01039", "01138"),  # Béon, commune déléguée of Culoz-Béon
        ("55273", "55386"),  # a commune associée, also listed as an old code elsewhere
        ("01003", "01165"),  # an old code
        ("2a004", "2A004"),  # case does not matter
        ("98714", None),  # Papeete: a COM, out of scope
        ("99999", None),
        ("", None),
    ],
)
def test_resolve_commune(ref: Referential, code: str, expected: str | None) -> None:
    assert ref.resolve_commune(code) == expected


@pytest.mark.parametrize(
    ("postal_code", "name", "expected"),
    [
        ("51100", "Reims", "51454"),
        ("51100", "REIMS", "51454"),
        ("75012", "Paris 12e Arrondissement", "75056"),
        ("13001", "Marseille 1er Arrondissement", "13055"),
        ("69003", "Lyon 3ème arrondissement", "69123"),
        ("42000", "St-Etienne", "42218"),
        ("42100", "saint étienne", "42218"),
        ("97400", "St Denis", "97411"),
        ("93200", "Saint-Denis", "93066"),
        ("76600", "Havre (Le)", "76351"),
        ("85350", "L'Ile d'Yeu", "85113"),
        ("85350", "l’île-d’yeu", "85113"),
        ("50100", "Cherbourg-Octeville", "50129"),  # a commune déléguée's name
        ("51100", "Rheims", "51454"),  # misspelt, but 51100 serves only Reims
        ("01400", "Nowhere", None),  # 01400 serves several communes: no guess
        ("99999", "Reims", None),
        ("98714", "Papeete", None),
    ],
)
def test_commune_for_address(
    ref: Referential, postal_code: str, name: str, expected: str | None
) -> None:
    assert ref.commune_for_address(postal_code, name) == expected


def test_name_normalisation() -> None:
    assert normalise_name("Sainte-Marie-aux-Mines") == normalise_name("STE MARIE AUX MINES")
    assert normalise_name("Saint-Étienne") == "saint etienne"
    assert normalise_name("L'Haÿ-les-Roses") == normalise_name("L Hay les Roses")
    assert normalise_name("Œuilly") == "oeuilly"
    assert normalise_name("Paris 12e Arrondissement") == "paris"


def test_load_is_cached() -> None:
    load_referential.cache_clear()
    ref = load_referential()
    assert load_referential() is ref


def test_runtime_never_reads_the_shared_reference() -> None:
    sources = [
        path
        for package in ("observatory", "survey", "dashboards")
        for path in (REPO / package).rglob("*.py")
    ]
    assert sources
    offenders = [p for p in sources if "shared/reference" in p.read_text(encoding="utf-8")]
    assert offenders == []


@pytest.mark.skipif(not SOURCE.is_dir(), reason="the source referential is not available here")
def test_rebuild_gives_identical_bytes(tmp_path: Path) -> None:
    script = REPO / "tools" / "build_territories.py"
    subprocess.run(
        [sys.executable, str(script), str(SOURCE), "--output", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in DATA.iterdir() if p.is_file())
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
