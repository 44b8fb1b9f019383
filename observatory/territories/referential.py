"""The in-memory territorial referential (COG communes, EPCI, départements, régions) and lookups.

Read from the package data built by `tools/build_territories.py`, never from the source
referential, so an installed wheel needs nothing outside itself.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

DATA_PACKAGE = "observatory.territories"


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune (metro + DROM) with its ancestors, denormalised for one-step lookups."""

    code: str
    name: str
    epci_code: str | None  # None for the four island communes outside any EPCI
    departement_code: str
    region_code: str
    population: int  # population municipale
    postal_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Area:
    """An EPCI, département or région; `kind` is the EPCI legal form (CC, CA, CU, METRO…)."""

    code: str
    name: str
    population: int
    parent_code: str | None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Alias:
    """Another code of a current commune: arrondissement, commune déléguée/associée or old code."""

    code: str
    commune_code: str
    kind: str  # "arrondissement", "deleguee", "associee" or "ancien"
    name: str  # empty for old codes (the source keeps no name for them)


@dataclass(frozen=True)
class Referential:
    """Everything the observatory knows about territories; immutable and shared (cached)."""

    communes: dict[str, Commune]
    epcis: dict[str, Area]
    departements: dict[str, Area]
    regions: dict[str, Area]
    aliases: dict[str, Alias] = field(default_factory=dict)

    def resolve_commune(self, code: str) -> str | None:
        """The current commune code for any commune code people may hold.

        Data producers use arrondissement codes (75112), codes of communes déléguées after a
        merger, or codes that no longer exist; every one of them still names a current commune.
        """
        code = code.strip().upper()
        if code in self.communes:
            return code
        alias = self.aliases.get(code)
        return alias.commune_code if alias else None

    def commune_for_address(self, postal_code: str, commune_name: str) -> str | None:
        """The current commune of an address, from its postal code and the name people wrote.

        A postal code may serve several communes and a commune several postal codes, so the
        name decides; it is compared once normalised (accents, case, hyphens, "St"/"Saint",
        "Paris 12e Arrondissement"…) against current names and the names of arrondissements
        and communes déléguées/associées. If the name matches nothing but the postal code
        serves exactly one commune, that commune is the answer. As a last resort, a name that
        is unique within the département the postal code belongs to is accepted (postal code
        lists are not exhaustive). Otherwise None: guessing would misplace answers.
        """
        postal_code = postal_code.strip()
        wanted = normalise_name(commune_name)
        candidates = self._by_postal_code.get(postal_code, ())
        named = self._by_name.get(wanted, frozenset()) if wanted else frozenset()
        matches = named.intersection(candidates)
        if len(matches) == 1:
            return next(iter(matches))
        if not matches and len(candidates) == 1:
            return candidates[0]
        if matches:
            return None
        in_departement = {
            code
            for code in named
            if self.communes[code].departement_code in _departements_of_postal_code(postal_code)
        }
        return next(iter(in_departement)) if len(in_departement) == 1 else None

    @cached_property
    def _by_postal_code(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = defaultdict(list)
        for commune in self.communes.values():
            for postal_code in commune.postal_codes:
                index[postal_code].append(commune.code)
        return {key: tuple(codes) for key, codes in index.items()}

    @cached_property
    def _by_name(self) -> dict[str, frozenset[str]]:
        # Built on first use only: normalising ~37,000 names costs more than loading the data.
        index: dict[str, set[str]] = defaultdict(set)
        for commune in self.communes.values():
            index[normalise_name(commune.name)].add(commune.code)
        for alias in self.aliases.values():
            if alias.name:
                index[normalise_name(alias.name)].add(alias.commune_code)
        return {key: frozenset(codes) for key, codes in index.items()}


_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’`´.,/_]+")
_ARRONDISSEMENT = re.compile(r"^(.+?) \d+ ?(?:er|e|eme|re)? arrondissement$")
_TRAILING_ARTICLE = re.compile(r"^(.+) \((le|la|les|l)\)$")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"})


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """A commune name reduced to what people agree on: "St-Étienne" == "saint etienne".

    Case, accents, ligatures, hyphens, apostrophes and repeated spaces vary between
    producers; "St"/"Ste" are common abbreviations; "Paris 12e Arrondissement" names Paris;
    "Havre (Le)" is the INSEE way of writing "Le Havre".
    """
    text = unicodedata.normalize("NFKD", name.translate(_LIGATURES).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("(", " (").replace(")", ") ")
    text = " ".join(_SEPARATORS.sub(" ", text).split())
    article = _TRAILING_ARTICLE.match(text)
    if article:
        text = f"{article.group(2)} {article.group(1)}"
    text = " ".join(_ABBREVIATIONS.get(word, word) for word in text.split())
    arrondissement = _ARRONDISSEMENT.match(text)
    return arrondissement.group(1) if arrondissement else text


def _departements_of_postal_code(postal_code: str) -> tuple[str, ...]:
    """The département(s) a postal code usually belongs to (Corsica's 20xxx is 2A or 2B)."""
    if not re.fullmatch(r"\d{5}", postal_code):
        return ()
    if postal_code.startswith("97"):
        return (postal_code[:3],)
    if postal_code.startswith("20"):
        return ("2A", "2B")
    return (postal_code[:2],)


def _rows(name: str) -> Iterator[dict[str, str]]:
    blob = resources.files(DATA_PACKAGE).joinpath("data", name).read_bytes()
    text = gzip.decompress(blob).decode("utf-8")
    return csv.DictReader(io.StringIO(text))


@lru_cache(maxsize=1)
def load_referential() -> Referential:
    """The referential from the package data, loaded once per process (about 0.2 s)."""
    communes = {
        row["code"]: Commune(
            code=row["code"],
            name=row["name"],
            epci_code=row["epci"] or None,
            departement_code=row["departement"],
            region_code=row["region"],
            population=int(row["population"]),
            postal_codes=tuple(row["postal_codes"].split("|")) if row["postal_codes"] else (),
        )
        for row in _rows("communes.csv.gz")
    }
    epcis = {
        row["code"]: Area(row["code"], row["name"], int(row["population"]), None, row["type"])
        for row in _rows("epcis.csv.gz")
    }
    departements = {
        row["code"]: Area(row["code"], row["name"], int(row["population"]), row["region"])
        for row in _rows("departements.csv.gz")
    }
    regions = {
        row["code"]: Area(row["code"], row["name"], int(row["population"]), None)
        for row in _rows("regions.csv.gz")
    }
    aliases = {
        row["code"]: Alias(row["code"], row["commune"], row["kind"], row["name"])
        for row in _rows("aliases.csv.gz")
    }
    return Referential(communes, epcis, departements, regions, aliases)
