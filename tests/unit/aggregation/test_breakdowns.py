"""Breakdown cells (theme, channel, age band, language) and periods derived from months."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.aggregation.cells.builder import compute_cells, to_rows
from observatory.aggregation.cells.columns import ANSWER_COLUMNS
from observatory.aggregation.models import (
    ADDITIVE_BREAKDOWNS,
    BREAKDOWN_LEVELS,
    UNKNOWN_VALUE,
)
from observatory.aggregation.periods import derive
from tests.unit.aggregation.test_cells import GEO, LEVELS, MULTI, SINGLE, cell, record_key

DAY = dt.date(2026, 3, 14)


def response(
    seq: int,
    *,
    place: int = 1,
    team: int | None = 7,
    day: dt.date = DAY,
    channel: str = "qr",
    language: str = "fr",
    **answers: str | list[str],
) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for question, chosen in answers.items():
        for option in [chosen] if isinstance(chosen, str) else chosen:
            key = record_key(seq)
            rows.append((seq, place, team, day, 1, channel, language, key, question, option))
    return rows


def answers(*responses: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame([r for rows in responses for r in rows], columns=ANSWER_COLUMNS)


def test_each_breakdown_splits_the_respondents() -> None:
    rows = to_rows(
        compute_cells(
            answers(
                response(1, satisfaction="tres_bien", age="65_74", motif=["demarches", "securite"]),
                response(2, satisfaction="bien", channel="kiosk", language="ar"),
                response(3, satisfaction="pas_bien", age="65_74", motif="demarches"),
            ),
            GEO,
            LEVELS,
        )
    )
    national = rows[(rows.scope_level == "national") & (rows.question == "satisfaction")]
    by = {(r.breakdown, r.breakdown_value): int(r.n) for r in national.itertuples()}
    assert by[("none", "")] == 3
    assert by[("channel", "qr")] == 2 and by[("channel", "kiosk")] == 1
    assert by[("language", "fr")] == 2 and by[("language", "ar")] == 1
    assert by[("age", "65_74")] == 2 and by[("age", UNKNOWN_VALUE)] == 1
    # A response naming two themes counts in both: theme cells overlap.
    assert by[("theme", "demarches")] == 2 and by[("theme", "securite")] == 1
    assert by[("theme", UNKNOWN_VALUE)] == 1
    securite = cell(national, breakdown="theme", breakdown_value="securite")
    assert json.loads(securite.counts_json) == {"tres_bien": 1}


def test_a_question_is_not_split_by_itself_and_places_are_not_split() -> None:
    rows = to_rows(
        compute_cells(
            answers(response(1, satisfaction="bien", age="25_44", motif="loisirs")), GEO, LEVELS
        )
    )
    assert not len(rows[(rows.question == "age") & (rows.breakdown == "age")])
    assert not len(rows[(rows.question == "motif") & (rows.breakdown == "theme")])
    split = rows[rows.breakdown != "none"]
    assert set(split.scope_level) == set(BREAKDOWN_LEVELS)


def responses_strategy() -> st.SearchStrategy[pd.DataFrame]:
    @st.composite
    def build(draw: st.DrawFn) -> pd.DataFrame:
        out = []
        for seq in range(1, draw(st.integers(1, 30)) + 1):
            chosen: dict[str, str | list[str]] = {}
            for qid, options in SINGLE.items():
                if qid == "satisfaction" or draw(st.booleans()):
                    chosen[qid] = draw(st.sampled_from(options))
            themes = sorted(draw(st.sets(st.sampled_from(MULTI), max_size=3)))
            if themes:
                chosen["motif"] = themes
            out.append(
                response(
                    seq,
                    place=draw(st.sampled_from([1, 2, 3, 4])),
                    team=draw(st.sampled_from([None, 7, 8])),
                    day=draw(st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31))),
                    channel=draw(st.sampled_from(["qr", "kiosk", "papier", "assiste"])),
                    language=draw(st.sampled_from(["fr", "en", "ar"])),
                    **chosen,
                )
            )
        return answers(*out)

    return build()


@settings(max_examples=15, deadline=None)
@given(stream=responses_strategy())
def test_additive_breakdowns_add_up_to_the_cell_without_breakdown(stream: pd.DataFrame) -> None:
    rows = to_rows(compute_cells(stream, GEO, LEVELS))
    key = ["scope_level", "scope_code", "period_start", "question"]
    whole = rows[rows.breakdown == "none"].set_index(key)[["n", "sum", "sum_sq"]].sort_index()
    for breakdown in ADDITIVE_BREAKDOWNS:
        split = rows[(rows.breakdown == breakdown) & (rows.question != "age")]
        sums = split.groupby(key)[["n", "sum", "sum_sq"]].sum().sort_index()
        expected = whole[
            whole.index.get_level_values("scope_level").isin(BREAKDOWN_LEVELS)
            & (whole.index.get_level_values("question") != "age")
        ]
        pd.testing.assert_frame_equal(sums, expected)


@settings(max_examples=15, deadline=None)
@given(stream=responses_strategy())
def test_derived_periods_equal_a_direct_count(stream: pd.DataFrame) -> None:
    cells = compute_cells(stream, GEO, LEVELS)
    satisfaction = stream[stream.question == "satisfaction"]
    days = pd.to_datetime(satisfaction.day)
    last = days.max().to_period("M").start_time
    for kind in ("quarter", "year", "rolling12"):
        rows = to_rows(derive(cells, kind))
        national = rows[
            (rows.scope_level == "national")
            & (rows.breakdown == "none")
            & (rows.question == "satisfaction")
        ]
        for r in national.itertuples():
            start = pd.Timestamp(r.period_start)
            months = {"quarter": 3, "year": 12, "rolling12": 12}[kind]
            inside = (days >= start) & (days < start + pd.DateOffset(months=months))
            assert r.n == int(inside.sum())
        assert int(national.n.sum()) == (
            len(satisfaction) if kind != "rolling12" else int(national.n.sum())
        )
    rolling = to_rows(derive(cells, "rolling12"))
    national = rolling[
        (rolling.scope_level == "national")
        & (rolling.breakdown == "none")
        & (rolling.question == "satisfaction")
    ]
    latest = national[national.period_start == last - pd.DateOffset(months=11)]
    in_window = (days >= last - pd.DateOffset(months=11)).sum()
    assert int(latest.n.iloc[0]) == int(in_window)
    assert national.period_start.max() == last - pd.DateOffset(months=11)


def test_rolling_twelve_months_labels_a_window_by_its_first_month() -> None:
    stream = answers(
        response(1, day=dt.date(2025, 3, 5), satisfaction="bien"),
        response(2, day=dt.date(2026, 2, 27), satisfaction="tres_bien"),
        response(3, day=dt.date(2026, 3, 1), satisfaction="pas_bien"),
    )
    rows = to_rows(derive(compute_cells(stream, GEO, LEVELS), "rolling12"))
    national = rows[
        (rows.scope_level == "national")
        & (rows.breakdown == "none")
        & (rows.question == "satisfaction")
    ].set_index("period_start")
    # The window April 2025 – March 2026 has the last two answers; March 2025 – February 2026
    # has the first two.
    assert national.loc[pd.Timestamp("2025-04-01"), "n"] == 2
    assert national.loc[pd.Timestamp("2025-03-01"), "n"] == 2
    assert national.index.max() == pd.Timestamp("2025-04-01")
