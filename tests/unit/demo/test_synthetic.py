"""Synthetic demo data: schema-valid places and responses with the structure dashboards show."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

import pandas as pd
import pytest
from frictionless import Resource, Schema
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.demo import wordbanks
from observatory.demo.places import synthetic_place_records
from observatory.demo.responses import SyntheticResponses, synthetic_responses
from observatory.questionnaires.definitions import Questionnaire, builtin

AS_OF = dt.date(2026, 6, 1)
END_MONTH = dt.date(2026, 5, 15)

# 30 communes over 12 départements, overseas and Corsica included; sizes from village to Paris.
COMMUNES = [
    ("01053", "Bourg-en-Bresse", "01", "84", 41_000, "01000"),
    ("01002", "L'Abergement-de-Varey", "01", "84", 250, "01640"),
    ("01004", "Ambérieu-en-Bugey", "01", "84", 14_500, "01500"),
    ("13055", "Marseille", "13", "93", 870_000, "13001"),
    ("13001", "Aix-en-Provence", "13", "93", 147_000, "13090"),
    ("13103", "Saint-Rémy-de-Provence", "13", "93", 9_800, "13210"),
    ("2A004", "Ajaccio", "2A", "94", 71_000, "20000"),
    ("2A247", "Porto-Vecchio", "2A", "94", 12_000, "20137"),
    ("2A041", "Bocognano", "2A", "94", 400, "20136"),
    ("29019", "Brest", "29", "53", 139_000, "29200"),
    ("29103", "Landerneau", "29", "53", 16_000, "29800"),
    ("29168", "Ouessant", "29", "53", 850, "29242"),
    ("33063", "Bordeaux", "33", "75", 260_000, "33000"),
    ("33529", "La Teste-de-Buch", "33", "75", 27_000, "33260"),
    ("59350", "Lille", "59", "32", 236_000, "59000"),
    ("59183", "Dunkerque", "59", "32", 87_000, "59140"),
    ("59001", "Abancourt", "59", "32", 480, "59268"),
    ("69123", "Lyon", "69", "84", 520_000, "69001"),
    ("69266", "Villeurbanne", "69", "84", 152_000, "69100"),
    ("75056", "Paris", "75", "11", 2_100_000, "75001"),
    ("87085", "Limoges", "87", "75", 130_000, "87000"),
    ("87187", "Saint-Yrieix-la-Perche", "87", "75", 6_800, "87500"),
    ("23096", "Guéret", "23", "75", 13_000, "23000"),
    ("23001", "Ahun", "23", "75", 1_400, "23150"),
    ("23079", "Faux-la-Montagne", "23", "75", 400, "23340"),
    ("72181", "Le Mans", "72", "52", 145_000, "72000"),
    ("72264", "Sablé-sur-Sarthe", "72", "52", 12_000, "72300"),
    ("97101", "Les Abymes", "971", "01", 53_000, "97139"),
    ("97120", "Pointe-à-Pitre", "971", "01", 15_000, "97110"),
    ("97113", "Le Gosier", "971", "01", 26_000, "97190"),
]


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    columns = ["code", "name", "departement_code", "region_code", "population", "postal_code"]
    return pd.DataFrame(COMMUNES, columns=columns)


@pytest.fixture(scope="module")
def schema_descriptor() -> dict[str, Any]:
    path = resources.files("observatory.places").joinpath(
        "data/lieux-mediation-numerique.schema.json"
    )
    descriptor: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return descriptor


@pytest.fixture(scope="module")
def records(communes: pd.DataFrame) -> list[dict[str, str]]:
    return synthetic_place_records(communes, 100, seed=1, as_of=AS_OF)


@pytest.fixture(scope="module")
def places(records: list[dict[str, str]], communes: pd.DataFrame) -> pd.DataFrame:
    """The frame the demo derives from imported places: what `synthetic_responses` takes."""
    by_code = communes.set_index("code")
    codes = [r["code_insee"] for r in records]
    return pd.DataFrame(
        {
            "place_id": range(1, len(records) + 1),
            "departement_code": by_code.loc[codes, "departement_code"].to_numpy(),
            "region_code": by_code.loc[codes, "region_code"].to_numpy(),
            "population": by_code.loc[codes, "population"].to_numpy(),
            "services": [r["services"].split("|") for r in records],
        }
    )


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return builtin()


@pytest.fixture(scope="module")
def generated(places: pd.DataFrame, questionnaire: Questionnaire) -> SyntheticResponses:
    return synthetic_responses(places, questionnaire, 30_000, END_MONTH, months=24, seed=7)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# ------------------------------------------------------------------------------------ places


def test_place_records_validate_against_the_national_schema(
    records: list[dict[str, str]], schema_descriptor: dict[str, Any]
) -> None:
    header = [f["name"] for f in schema_descriptor["fields"]]
    assert all(list(r) == header for r in records)
    assert all(isinstance(v, str) for r in records for v in r.values())
    schema = Schema.from_descriptor(schema_descriptor)
    report = Resource(data=[header, *[[r[h] for h in header] for r in records]], schema=schema)
    result = report.validate()
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_place_records_follow_their_commune(
    records: list[dict[str, str]], communes: pd.DataFrame
) -> None:
    by_code = communes.set_index("code")
    for r in records:
        commune = by_code.loc[r["code_insee"]]
        assert r["commune"] == commune["name"]
        assert r["code_postal"] == commune["postal_code"]
        if r["telephone"] and commune["departement_code"] == "971":
            assert r["telephone"].startswith("+590590")
        elif r["telephone"]:
            assert r["telephone"].startswith("+33")
        assert len(r["pivot"]) == 14
        assert luhn_ok(r["pivot"])
        assert 2 <= len(r["services"].split("|")) <= 6
        assert AS_OF - dt.timedelta(days=730) <= dt.date.fromisoformat(r["date_maj"]) <= AS_OF
        assert r["adresse"][0].isdigit()


def test_place_records_are_varied_and_plausible(records: list[dict[str, str]]) -> None:
    ids = [r["id"] for r in records]
    assert ids == [f"demo-{i:05d}" for i in range(1, len(records) + 1)]
    assert len({r["nom"] for r in records}) == len(records)
    first_codes = {r["typologie"].split("|")[0] for r in records}
    assert {"BIB", "RFS"} <= first_codes
    assert len(first_codes) >= 6
    fixed = sum(r["itinerance"] == "Fixe" for r in records)
    assert 0.8 * len(records) <= fixed < len(records) + 1
    france_services = [r for r in records if r["typologie"].startswith("RFS")]
    assert all("France Services" in r["dispositif_programmes_nationaux"] for r in france_services)
    assert all(r["services"].startswith("Aide aux démarches") for r in france_services)


def test_every_departement_gets_a_place(communes: pd.DataFrame) -> None:
    departements = set(communes["departement_code"])
    for n in (len(departements), 40):
        records = synthetic_place_records(communes, n, seed=3, as_of=AS_OF)
        by_code = communes.set_index("code")
        covered = {by_code.loc[r["code_insee"], "departement_code"] for r in records}
        assert len(records) == n
        assert covered == departements


def test_population_weight_is_sublinear(communes: pd.DataFrame) -> None:
    records = synthetic_place_records(communes, 2_000, seed=4, as_of=AS_OF)
    per_commune = pd.Series([r["code_insee"] for r in records]).value_counts()
    population = communes.set_index("code")["population"]
    assert per_commune["75056"] > per_commune.get("01002", 0)
    small = population[population < 2_000].index
    in_villages = per_commune.reindex(small).fillna(0).sum()
    # Villages get several times what a weight proportional to population would give them.
    assert in_villages > 5 * len(records) * population[small].sum() / population.sum()
    # Per inhabitant, Paris is much less dense in places than the villages.
    assert per_commune["75056"] / population["75056"] < in_villages / population[small].sum()


def test_place_records_are_deterministic(communes: pd.DataFrame) -> None:
    first = synthetic_place_records(communes, 50, seed=9, as_of=AS_OF)
    assert first == synthetic_place_records(communes, 50, seed=9, as_of=AS_OF)
    assert first != synthetic_place_records(communes, 50, seed=10, as_of=AS_OF)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(min_value=0, max_value=60), seed=st.integers(min_value=0, max_value=2**32))
def test_place_count_and_coverage_hold_for_any_size(n: int, seed: int) -> None:
    communes = pd.DataFrame(
        COMMUNES,
        columns=["code", "name", "departement_code", "region_code", "population", "postal_code"],
    )
    records = synthetic_place_records(communes, n, seed=seed, as_of=AS_OF)
    assert len(records) == n
    assert len({r["id"] for r in records}) == n
    if n >= communes["departement_code"].nunique():
        departements = communes.set_index("code").loc[[r["code_insee"] for r in records]]
        assert set(departements["departement_code"]) == set(communes["departement_code"])


# --------------------------------------------------------------------------------- responses


def test_responses_shape_and_calendar(generated: SyntheticResponses, places: pd.DataFrame) -> None:
    responses = generated.responses
    assert list(responses.columns) == ["row", "place_id", "day", "channel", "language"]
    assert len(responses) == 30_000
    assert responses["row"].tolist() == list(range(30_000))
    assert set(responses["place_id"]) <= set(places["place_id"])
    days = responses["day"]
    assert all(type(d) is dt.date for d in days.head(100))
    assert days.min() >= dt.date(2024, 6, 1)
    assert days.max() <= dt.date(2026, 5, 31)
    assert not any(d.weekday() == 6 for d in days)
    assert days.is_monotonic_increasing
    assert set(responses["channel"]) == {"qr", "kiosk", "paper", "assisted"}
    languages = responses["language"].value_counts(normalize=True)
    assert languages["fr"] > 0.85
    assert set(languages.index) <= {"fr", "en", "ar", "es", "pt", "uk"}


def test_answers_use_the_questionnaire(
    generated: SyntheticResponses, questionnaire: Questionnaire
) -> None:
    answers = generated.answers
    assert list(answers.columns) == ["row", "question", "option"]
    allowed = {(q.id, o.code) for q in questionnaire.questions for o in q.options}
    assert set(zip(answers["question"], answers["option"], strict=True)) <= allowed
    headline = answers[answers["question"] == questionnaire.headline.id]
    assert sorted(headline["row"]) == list(range(30_000))
    per_question = answers.groupby(["row", "question"]).size()
    repeated = per_question[per_question > 1]
    assert set(repeated.index.get_level_values("question")) == {"motif"}
    assert repeated.max() == 2
    assert not answers.duplicated().any()


def test_item_non_response_is_realistic(
    generated: SyntheticResponses, questionnaire: Questionnaire
) -> None:
    answered = generated.answers.groupby("question")["row"].nunique() / 30_000
    for q in questionnaire.questions[1:]:
        if q.kind != "text":
            assert 0.70 <= answered[q.id] <= 0.95, q.id


def test_motifs_come_from_the_services_of_the_place(
    generated: SyntheticResponses, places: pd.DataFrame, questionnaire: Questionnaire
) -> None:
    motif = questionnaire.question("motif")
    assert motif is not None
    code_of = {o.label: o.code for o in motif.options}
    offered = {
        (pid, code_of[label])
        for pid, labels in zip(places["place_id"], places["services"], strict=True)
        for label in labels
    }
    answers = generated.answers.merge(generated.responses[["row", "place_id"]], on="row")
    motifs = answers[answers["question"] == "motif"]
    assert set(zip(motifs["place_id"], motifs["option"], strict=True)) <= offered


def test_satisfaction_is_mostly_good_and_items_correlate(generated: SyntheticResponses) -> None:
    wide = generated.answers.pivot_table(
        index="row", columns="question", values="option", aggfunc="first"
    )
    shares = wide["satisfaction"].value_counts(normalize=True)
    assert 0.72 <= shares["tres_bien"] + shares["bien"] <= 0.88
    assert shares["pas_bien"] > 0.01
    recommends = wide["recommandation"].eq("oui").groupby(wide["satisfaction"]).mean()
    assert recommends["tres_bien"] > recommends["bien"] > recommends["pas_bien"]


def test_volume_is_seasonal_growing_and_heavy_tailed(generated: SyntheticResponses) -> None:
    days = pd.to_datetime(generated.responses["day"])
    per_month = days.groupby([days.dt.year, days.dt.month]).size()
    by_calendar_month = per_month.groupby(level=1).mean()
    assert by_calendar_month[8] < 0.7 * by_calendar_month[4]
    assert by_calendar_month[8] < by_calendar_month[6]
    assert per_month.iloc[12:].sum() > 1.1 * per_month.iloc[:12].sum()
    per_place = generated.responses["place_id"].value_counts()
    assert per_place.max() > 5 * per_place.median()


def test_comments_are_few_short_and_anonymous(generated: SyntheticResponses) -> None:
    comments = generated.comments
    assert list(comments.columns) == ["row", "question", "text"]
    assert 0.04 <= len(comments) / 30_000 <= 0.09
    assert set(comments["question"]) == {"amelioration"}
    assert comments["row"].is_unique
    bank = {
        *wordbanks.COMMENTS_PRAISE,
        *wordbanks.COMMENTS_SUGGESTION,
        *wordbanks.COMMENTS_COMPLAINT,
    }
    assert set(comments["text"]) <= bank
    assert not comments["text"].str.contains(r"@|\d{4}|M\.|Mme ", regex=True).any()
    # Unhappy people write more often than happy ones.
    satisfaction = generated.answers[generated.answers["question"] == "satisfaction"]
    rate = satisfaction["row"].isin(comments["row"]).groupby(satisfaction["option"]).mean()
    assert rate["pas_bien"] > rate["tres_bien"]


def test_responses_are_deterministic(places: pd.DataFrame, questionnaire: Questionnaire) -> None:
    first = synthetic_responses(places, questionnaire, 2_000, END_MONTH, seed=3)
    again = synthetic_responses(places, questionnaire, 2_000, END_MONTH, seed=3)
    other = synthetic_responses(places, questionnaire, 2_000, END_MONTH, seed=4)
    for name in ("responses", "answers", "comments"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    assert not first.answers.equals(other.answers)


def test_no_responses_gives_empty_frames(
    places: pd.DataFrame, questionnaire: Questionnaire
) -> None:
    empty = synthetic_responses(places, questionnaire, 0, END_MONTH, seed=0)
    assert empty.responses.empty
    assert empty.answers.empty
    assert empty.comments.empty


def test_window_ends_with_the_month_of_end_month(
    places: pd.DataFrame, questionnaire: Questionnaire
) -> None:
    short = synthetic_responses(places, questionnaire, 3_000, dt.date(2025, 2, 3), months=3)
    assert short.responses["day"].min() >= dt.date(2024, 12, 1)
    assert short.responses["day"].max() <= dt.date(2025, 2, 28)


def test_public_holidays_and_saturdays_are_quiet(generated: SyntheticResponses) -> None:
    per_day = generated.responses["day"].value_counts()
    weekdays = per_day[[d.weekday() < 5 for d in per_day.index]]
    saturdays = per_day[[d.weekday() == 5 for d in per_day.index]]
    holidays = [dt.date(2025, 7, 14), dt.date(2025, 4, 21), dt.date(2024, 12, 25)]
    assert all(per_day.get(d, 0) < 0.2 * weekdays.median() for d in holidays)
    assert saturdays.median() < 0.7 * weekdays.median()
