"""Build the territorial package data from the `decoupage-administratif` referential (dev tool).

Run by developers when the referential changes, never at run time:

    .venv/bin/python tools/build_territories.py [SOURCE_DIR] [--output DIR]

SOURCE_DIR holds communes.json, epci.json, departements.json, regions.json and LICENSE
(default: ../shared/reference/decoupage-administratif relative to the repository root).
The output (default: observatory/territories/data) is gzip'd CSV with mtime=0, sorted rows and
"\\n" line endings, so rebuilding from the same source gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "reference" / "decoupage-administratif"
DEFAULT_OUTPUT = REPO_ROOT / "observatory" / "territories" / "data"

# Metropolitan France and the five DROM; the COM (975, 977, 978, 984, 986-989) are out of scope.
KEPT_ZONES = ("metro", "drom")
EXCLUDED_COM = ("975", "977", "978", "984", "986", "987", "988", "989")

COMMUNE_HEADER = ("code", "name", "epci", "departement", "region", "population", "postal_codes")
EPCI_HEADER = ("code", "name", "type", "population")
DEPARTEMENT_HEADER = ("code", "name", "region", "population")
REGION_HEADER = ("code", "name", "population")
ALIAS_HEADER = ("code", "commune", "kind", "name")

SOURCE_MD = (
    "Origin: decoupage-administratif (Etalab, "
    "https://github.com/datagouv/decoupage-administratif), "
    "communes/epci/departements/regions.json, metro + DROM only.\n"
    "Licence: MIT (Etalab), see LICENSE-decoupage-administratif in this directory.\n"
    "Rebuild: .venv/bin/python tools/build_territories.py [SOURCE_DIR] (deterministic output).\n"
)


def _load(source: Path, name: str) -> list[dict[str, Any]]:
    with (source / name).open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, list):
        raise SystemExit(f"{source / name}: expected a JSON array")
    return data


def _kept(entry: dict[str, Any]) -> bool:
    return entry.get("zone") in KEPT_ZONES and entry.get("departement", "") not in EXCLUDED_COM


def build_tables(source: Path) -> dict[str, tuple[Sequence[str], list[tuple[str, ...]]]]:
    """All tables as (header, sorted rows of strings), keyed by output file stem."""
    entries = _load(source, "communes.json")
    current = {e["code"]: e for e in entries if e["type"] == "commune-actuelle" and _kept(e)}
    # The communes file carries no EPCI code: membership comes from the EPCI members lists.
    epci_of: dict[str, str] = {}
    epci_rows = []
    for epci in _load(source, "epci.json"):
        members = [m["code"] for m in epci["membres"] if m["code"] in current]
        if not members:
            continue
        for code in members:
            epci_of[code] = epci["code"]
        epci_rows.append(
            (epci["code"], epci["nom"], epci["type"], str(epci["populationMunicipale"]))
        )

    commune_rows = [
        (
            code,
            e["nom"],
            epci_of.get(code, ""),
            e["departement"],
            e["region"],
            str(e.get("population", 0)),
            "|".join(sorted(set(e.get("codesPostaux", [])))),
        )
        for code, e in current.items()
    ]

    dep_population: dict[str, int] = defaultdict(int)
    reg_population: dict[str, int] = defaultdict(int)
    for e in current.values():
        dep_population[e["departement"]] += int(e.get("population", 0))
        reg_population[e["region"]] += int(e.get("population", 0))
    departement_rows = [
        (d["code"], d["nom"], d["region"], str(dep_population[d["code"]]))
        for d in _load(source, "departements.json")
        if _kept(d) and d["code"] not in EXCLUDED_COM
    ]
    region_rows = [
        (r["code"], r["nom"], str(reg_population[r["code"]]))
        for r in _load(source, "regions.json")
        if r.get("zone") in KEPT_ZONES
    ]

    return {
        "communes": (COMMUNE_HEADER, sorted(commune_rows)),
        "epcis": (EPCI_HEADER, sorted(epci_rows)),
        "departements": (DEPARTEMENT_HEADER, sorted(departement_rows)),
        "regions": (REGION_HEADER, sorted(region_rows)),
        "aliases": (ALIAS_HEADER, sorted(_alias_rows(entries, current))),
    }


def _alias_rows(
    entries: list[dict[str, Any]], current: dict[str, dict[str, Any]]
) -> Iterable[tuple[str, str, str, str]]:
    """Other codes → current commune code, most specific first.

    A code that is both an old code of one commune and a current déléguée/associée of another
    (it happens: 55273, 60455) follows its present status, so the later kinds never override.
    """
    aliases: dict[str, tuple[str, str, str, str]] = {}

    def add(code: str, target: str, kind: str, name: str) -> None:
        if code in current or code in aliases or target not in current:
            return
        aliases[code] = (code, target, kind, name)

    for e in entries:
        if e["type"] == "arrondissement-municipal" and _kept(e):
            add(e["code"], e["commune"], "arrondissement", e["nom"])
    for e in entries:
        if e["type"] in ("commune-deleguee", "commune-associee") and _kept(e):
            add(e["code"], e["chefLieu"], e["type"].removeprefix("commune-"), e["nom"])
    for code, e in sorted(current.items()):
        for old in e.get("anciensCodes", []):
            add(old, code, "ancien", "")
    return aliases.values()


def write_csv_gz(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Deterministic gzip: no file name, mtime 0, fixed level, "\\n" line endings."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as handle,
    ):
        handle.write(text.getvalue().encode("utf-8"))


def build(source: Path, output: Path) -> dict[str, int]:
    """Write every table, the licence and SOURCE.md into `output`; return the row counts."""
    output.mkdir(parents=True, exist_ok=True)
    counts = {}
    for stem, (header, rows) in build_tables(source).items():
        write_csv_gz(output / f"{stem}.csv.gz", header, rows)
        counts[stem] = len(rows)
    shutil.copyfile(source / "LICENSE", output / "LICENSE-decoupage-administratif")
    (output / "SOURCE.md").write_text(SOURCE_MD, encoding="utf-8", newline="\n")
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    counts = build(args.source, args.output)
    print(", ".join(f"{n} {stem}" for stem, n in counts.items()), "→", args.output)


if __name__ == "__main__":
    main()
