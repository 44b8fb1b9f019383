"""Synthetic but realistic places in the national schema v1.0.2 (pure, seeded, no I/O)."""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Hashable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from observatory.demo import wordbanks as wb

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

# Column order of the national places schema v1.0.2 (its CSV header).
SCHEMA_FIELDS: tuple[str, ...] = (
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
    "site_web", "horaires", "presentation_resume", "presentation_detail", "source", "itinerance",
    "structure_parente", "date_maj", "services", "publics_specifiquement_adresses",
    "prise_en_charge_specifique", "frais_a_charge", "dispositif_programmes_nationaux",
    "formations_labels", "autres_formations_labels", "modalites_acces",
    "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
)  # fmt: skip
SOURCE = "Données de démonstration (synthétiques)"


def synthetic_place_records(
    communes: pd.DataFrame, n_places: int, seed: int = 0, *, as_of: dt.date | None = None
) -> list[dict[str, str]]:
    """Rows of the national places schema, as the CSV would hold them, for `n_places` places.

    Going through the schema's own CSV form means the demo exercises the real import path.
    `as_of` anchors `date_maj` (default today); pass it to be reproducible across days.
    """
    np_rng = np.random.default_rng(seed)
    as_of = as_of or dt.date.today()
    communes = communes.sort_values("code", kind="stable").reset_index(drop=True)  # order-proof
    chosen = communes.iloc[_choose_communes(communes, n_places, np_rng)].reset_index(drop=True)
    # Scalar draws per record: the stdlib generator is ~20x cheaper per call than numpy's.
    rng = random.Random(int(np_rng.integers(2**62)))
    has_coords = {"latitude", "longitude"} <= set(chosen.columns)
    seen: set[str] = set()
    records = []
    for i, row in enumerate(chosen.to_dict("records"), start=1):
        pop = int(row["population"]) if pd.notna(row["population"]) else 0
        size_class = 0 if pop < 2000 else 1 if pop < 20000 else 2
        kind = rng.choices(wb.KINDS, [k.weights[size_class] for k in wb.KINDS])[0]
        record = _place_record(i, row, kind, rng, as_of)
        record["nom"] = _unique_name(record["nom"], str(row["name"]), seen, rng)
        if has_coords and pd.notna(row["latitude"]) and pd.notna(row["longitude"]):
            record["latitude"] = f"{float(row['latitude']) + rng.gauss(0, 0.004):.5f}"
            record["longitude"] = f"{float(row['longitude']) + rng.gauss(0, 0.004):.5f}"
        records.append(record)
    return records


def _choose_communes(communes: pd.DataFrame, n: int, rng: np.random.Generator) -> IntArray:
    """One place per département first, then population**0.6 so rural places stay visible."""
    pop = communes["population"].fillna(0).to_numpy(dtype=float).clip(min=1.0)
    weight = pop**0.6
    dep_codes, dep_idx = np.unique(
        communes["departement_code"].astype(str).to_numpy(), return_inverse=True
    )
    picks: list[IntArray] = []
    if n >= len(dep_codes):
        keys = np.log(weight) + rng.gumbel(size=len(weight))  # Gumbel-max: weighted pick per group
        order = np.lexsort((-keys, dep_idx))
        first_of_dep = np.r_[True, dep_idx[order][1:] != dep_idx[order][:-1]]
        picks.append(order[first_of_dep])
    rest = n - sum(len(p) for p in picks)
    picks.append(rng.choice(len(weight), size=rest, p=weight / weight.sum()))
    chosen = np.concatenate(picks).astype(np.int64)
    codes = communes["code"].astype(str).to_numpy()[chosen]
    return chosen[np.lexsort((codes, dep_codes[dep_idx[chosen]]))]


def _place_record(
    number: int, row: dict[Hashable, Any], kind: wb.PlaceKind, rng: random.Random, as_of: dt.date
) -> dict[str, str]:
    commune, dep, region = str(row["name"]), str(row["departement_code"]), str(row["region_code"])
    pick = rng.choice

    def weighted(bank: tuple[tuple[str, float], ...]) -> str:
        return rng.choices([v for v, _ in bank], [w for _, w in bank])[0]

    template, typologie = pick(kind.variants)
    name = template.format(
        de=_de(commune),
        commune=commune,
        figure=pick(wb.FIGURES),
        quartier=pick(wb.QUARTIERS),
        tiers_lieu=pick(wb.TIERS_LIEUX),
        association=pick(wb.ASSOCIATIONS),
    )
    itinerant = rng.random() < kind.itinerant
    number_in_street = rng.randint(1, 80)
    record = dict.fromkeys(SCHEMA_FIELDS, "")
    record |= {
        "id": f"demo-{number:05d}",
        "pivot": _siret(rng, public=typologie.split("|")[0] not in {"ASSO", "TIERS_LIEUX"}),
        "nom": name,
        "commune": commune,
        "code_postal": _postal_code(row),
        "code_insee": str(row["code"]),
        "adresse": f"{number_in_street}{' bis' if rng.random() < 0.05 else ''} {pick(wb.VOIES)}",
        "complement_adresse": pick(wb.COMPLEMENTS) if rng.random() < 0.25 else "",
        "typologie": typologie,
        "telephone": _telephone(dep, region, rng) if rng.random() < 0.9 else "",
        "courriels": f"contact@{_slug(name)}.example.org" if rng.random() < 0.75 else "",
        "site_web": f"https://www.{_slug(name)}.example.org/" if rng.random() < 0.35 else "",
        "horaires": pick(wb.HORAIRES_ITINERANTS if itinerant else wb.HORAIRES_FIXES),
        "presentation_resume": pick(kind.resumes),
        "source": SOURCE,
        "itinerance": "Itinérant" if itinerant else "Fixe",
        "structure_parente": kind.parent.format(de=_de(commune)),
        "date_maj": (as_of - dt.timedelta(days=rng.randrange(730))).isoformat(),
        "services": _services(kind, rng),
        "publics_specifiquement_adresses": pick(wb.PUBLICS) if rng.random() < 0.15 else "",
        "prise_en_charge_specifique": pick(wb.PRISES_EN_CHARGE) if rng.random() < 0.25 else "",
        "frais_a_charge": "Gratuit|Payant" if kind.key == "ressourcerie" else weighted(wb.FRAIS),
        "dispositif_programmes_nationaux": "|".join(
            label for label, p in kind.dispositifs if rng.random() < p
        ),
        "formations_labels": _labels(kind, region, rng),
        "modalites_acces": weighted(wb.MODALITES_ACCES),
        "modalites_accompagnement": _accompagnement(kind, rng),
    }
    return record


def _services(kind: wb.PlaceKind, rng: random.Random) -> str:
    """2-6 services weighted by kind; a France Services always helps with démarches."""
    k = rng.choices([2, 3, 4, 5, 6], [0.2, 0.3, 0.25, 0.15, 0.1])[0]
    # Weighted sampling without replacement (Efraimidis-Spirakis keys u**(1/w)).
    keys = sorted(
        range(len(kind.services)), key=lambda i: -(rng.random() ** (1 / kind.services[i]))
    )
    idx = keys[:k]
    if kind.key in {"france_services", "pimms"} and 0 not in idx:
        idx[-1] = 0
    return "|".join(wb.SERVICES[i] for i in sorted(idx))


def _labels(kind: wb.PlaceKind, region: str, rng: random.Random) -> str:
    labels = [label for label in wb.NATIONAL_LABELS if rng.random() < 0.06]
    if region in wb.REGIONAL_LABELS and rng.random() < 0.15:
        labels.append(wb.REGIONAL_LABELS[region])
    if kind.key == "tiers_lieu" and rng.random() < 0.25:
        labels.append("Fabriques de Territoire")
    if kind.key == "ressourcerie" and rng.random() < 0.3:
        labels.append("ORDI 3.0")
    return "|".join(labels)


def _accompagnement(kind: wb.PlaceKind, rng: random.Random) -> str:
    p = dict(
        zip(
            wb.MODALITES_ACCOMPAGNEMENT,
            (kind.self_service, 0.9, kind.collective, 0.15),
            strict=True,
        )
    )
    chosen = [m for m in wb.MODALITES_ACCOMPAGNEMENT if rng.random() < p[m]]
    return "|".join(chosen or ["Accompagnement individuel"])


def _siret(rng: random.Random, *, public: bool) -> str:
    """A SIRET passing the Luhn check, as the real ones do (SIREN 2… for public bodies)."""
    first = "2" if public else rng.choice("3478")
    siren = _luhn_complete(f"{first}{rng.randrange(10**7):07d}")
    return _luhn_complete(f"{siren}{rng.randrange(1, 100):04d}")


def _luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str(-total % 10)


def _telephone(dep: str, region: str, rng: random.Random) -> str:
    """International format the schema asks for, with overseas country codes and local zones."""
    if dep[:3] in wb.PHONE_OVERSEAS:
        code, local, n = wb.PHONE_OVERSEAS[dep[:3]]
        return f"{code}{local}{rng.randrange(10**n):0{n}d}"
    zone = wb.PHONE_ZONE.get(region, "9") if rng.random() < 0.85 else rng.choice("679")
    return f"+33{zone}{rng.randrange(10**8):08d}"


def _postal_code(row: dict[Hashable, Any]) -> str:
    """The commune's postal code; its INSEE code (Corsica as 20…) when the referential lacks one."""
    postal = str(row["postal_code"]).strip() if pd.notna(row["postal_code"]) else ""
    if re.fullmatch(r"\d{5}", postal):
        return postal
    return re.sub(r"2[AB]", "20", str(row["code"]))[:5]


def _de(name: str) -> str:
    """French elision and contraction: "de Reims", "d'Angers", "du Mans", "des Abymes"."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in "AEIOUYÉÈÊÂÎÔ":
        return "d'" + name
    return "de " + name


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def _unique_name(name: str, commune: str, seen: set[str], rng: random.Random) -> str:
    """Names are unique so that a team can find its place in a list without reading ids."""

    def candidates() -> Iterator[str]:
        yield name
        if commune not in name:
            yield f"{name} – {commune}"
        for quartier in rng.sample(wb.QUARTIERS, len(wb.QUARTIERS)):
            yield f"{name} – {quartier}"
        k = 2
        while True:
            yield f"{name} – site {k}"
            k += 1

    chosen = next(c for c in candidates() if c not in seen)
    seen.add(chosen)
    return chosen
