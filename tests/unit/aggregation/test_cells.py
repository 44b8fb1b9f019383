"""The pure cell computation: exact sums, respondent counts, and incremental == full."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.aggregation.cells.builder import CellBuilder, compute_cells, merge_cells, to_rows
from observatory.aggregation.cells.columns import DELTA_COLUMNS, KEY
from observatory.aggregation.cells.frames import Cells, from_rows, option_levels
from observatory.questionnaires.definitions import builtin

QN = builtin(1)
LEVELS = option_levels([QN])
GEO = pd.DataFrame(
    [
        (1, "AAAAAA", "51454", "200067213", "51", "44"),
        (2, "BBBBBB", "51454", "200067213", "51", "44"),
        (3, "CCCCCC", "97411", "249740119", "974", "04"),
        (4, "DDDDDD", None, None, None, None),  # a place whose commune is unknown
    ],
    columns=["place_id", "place", "commune", "epci", "departement", "region"],
)
COLUMNS = ["seq", "place_id", "team_id", "day", "version", "question", "option"]
KEY_MODULUS = 2**32


def record_key(seq: int) -> int:
    """A test response's record key: spread over [0, 2**32) so that sums wrap (in production
    keys are drawn at random, never derived)."""
    return (int(seq) * 2_654_435_761 + 12_345) % KEY_MODULUS


def frame(
    rows: list[tuple[object, ...]], channel: str = "qr", language: str = "fr"
) -> pd.DataFrame:
    """Answers in the fold's input form; every response has the same channel and language."""
    answers = pd.DataFrame(rows, columns=COLUMNS).assign(channel=channel, language=language)
    return answers.assign(record_key=answers["seq"].map(record_key).astype("int64"))


def cell(rows: pd.DataFrame, **key: object) -> pd.Series:
    mask = pd.Series(True, index=rows.index)
    for col, value in key.items():
        mask &= rows[col] == value
    found = rows[mask]
    assert len(found) == 1, f"{len(found)} cells for {key}"
    return found.iloc[0]


def test_national_month_cell_has_exact_sums_and_counts() -> None:
    day = dt.date(2026, 3, 14)
    answers = frame(
        [
            (1, 1, 10, day, 1, "satisfaction", "tres_bien"),  # level 3
            (2, 2, None, day, 1, "satisfaction", "bien"),  # level 2
            (3, 3, None, day, 1, "satisfaction", "pas_bien"),  # level 0
        ]
    )
    rows = to_rows(compute_cells(answers, GEO, LEVELS))
    national = national_none(rows, question="satisfaction")
    assert (national.n, national["sum"], national.sum_sq) == (3, 5, 13)
    assert json.loads(national.counts_json) == {"bien": 1, "pas_bien": 1, "tres_bien": 1}
    assert national.period_start == pd.Timestamp("2026-03-01")
    assert set(rows.period_kind) == {"month"}  # the other kinds are sums of months


def national_none(rows: pd.DataFrame, **key: object) -> pd.Series:
    return cell(rows, scope_level="national", breakdown="none", **key)


def test_every_scope_level_gets_its_cell_and_missing_geography_is_skipped() -> None:
    day = dt.date(2025, 12, 31)
    answers = frame(
        [
            (1, 1, 10, day, 1, "satisfaction", "bien"),
            (2, 3, None, day, 1, "satisfaction", "bien"),
            (3, 4, None, day, 1, "satisfaction", "bien"),
        ]
    )
    rows = to_rows(compute_cells(answers, GEO, LEVELS))
    months = rows[(rows.breakdown == "none") & (rows.question == "satisfaction")]
    by_level = months.groupby("scope_level")["n"].sum().to_dict()
    # The place with no commune counts nationally and for itself, but in no territory.
    assert by_level == {
        "place": 3,
        "team": 1,
        "commune": 2,
        "epci": 2,
        "departement": 2,
        "region": 2,
        "national": 3,
    }
    assert cell(months, scope_level="departement", scope_code="974").n == 1
    assert cell(months, scope_level="team", scope_code="10").n == 1


def test_multiple_choice_counts_each_respondent_once() -> None:
    day = dt.date(2026, 5, 2)
    answers = frame(
        [
            (1, 1, None, day, 1, "satisfaction", "bien"),
            (1, 1, None, day, 1, "motif", "demarches"),
            (1, 1, None, day, 1, "motif", "securite"),
            (2, 1, None, day, 1, "satisfaction", "bien"),
            (2, 1, None, day, 1, "motif", "demarches"),
        ]
    )
    rows = to_rows(compute_cells(answers, GEO, LEVELS))
    motif = cell(rows, scope_level="place", question="motif")
    assert motif.n == 2
    assert json.loads(motif.counts_json) == {"demarches": 2, "securite": 1}
    assert motif["sum"] == 0 and motif.sum_sq == 0


def test_unknown_options_and_versions_are_not_folded() -> None:
    day = dt.date(2026, 5, 2)
    answers = frame(
        [
            (1, 1, None, day, 1, "satisfaction", "bien"),
            (2, 1, None, day, 1, "satisfaction", "génial"),
            (3, 1, None, day, 99, "satisfaction", "bien"),
        ]
    )
    rows = to_rows(compute_cells(answers, GEO, LEVELS))
    assert national_none(rows, question="satisfaction").n == 1


def test_rows_round_trip() -> None:
    day = dt.date(2026, 5, 2)
    answers = frame(
        [(1, 1, 3, day, 1, "satisfaction", "bien"), (1, 1, 3, day, 1, "motif", "loisirs")]
    )
    cells = compute_cells(answers, GEO, LEVELS)
    again = to_rows(from_rows(to_rows(cells)))
    pd.testing.assert_frame_equal(
        again.sort_values(KEY).reset_index(drop=True),
        to_rows(cells).sort_values(KEY).reset_index(drop=True),
    )


def merged_deltas(rows: pd.DataFrame) -> pd.DataFrame:
    with CellBuilder.for_cells() as builder:
        builder.add_delta_rows(rows)
        return builder.rows()


def test_delta_rows_hold_every_question_and_merge_back() -> None:
    """A logged delta row holds every question of its key; rows of two folds merge exactly."""
    day = dt.date(2026, 5, 2)
    first = frame(
        [(1, 1, 3, day, 1, "satisfaction", "bien"), (1, 1, 3, day, 1, "motif", "loisirs")]
    )
    second = frame(
        [(2, 2, 3, day, 1, "satisfaction", "bien"), (3, 2, 3, day, 1, "satisfaction", "bien")]
    )
    logged = []
    for batch in (first, second):
        with CellBuilder(GEO, LEVELS) as builder:
            builder.add_answers(batch)
            logged += [row for rows in builder.row_tuples(day, shape="delta") for row in rows]
    rows = pd.DataFrame(logged, columns=DELTA_COLUMNS)
    national = rows[(rows["scope_level"] == "national") & (rows["breakdown"] == "none")]
    assert len(national) == 2  # one per fold, not one per question
    merged = merged_deltas(rows).set_index(KEY)
    national_satisfaction = ("national", "FR", "month", pd.Timestamp(day.replace(day=1)))
    key = (*national_satisfaction, "satisfaction", "none", "")
    assert json.loads(merged.loc[key, "counts_json"]) == {"bien": 3}
    assert {entry[0] for entry in json.loads(national["cells_json"].iloc[0])} == {
        "satisfaction",
        "motif",
    }
    expected = to_rows(compute_cells(pd.concat([first, second]), GEO, LEVELS))
    pd.testing.assert_frame_equal(
        merged_deltas(rows).sort_values(KEY).reset_index(drop=True),
        expected.sort_values(KEY).reset_index(drop=True),
    )


SINGLE = {q.id: [o.code for o in q.options] for q in QN.questions if q.kind == "single"}
MULTI = [o.code for o in QN.question("motif").options]  # type: ignore[union-attr]


@st.composite
def answer_streams(draw: st.DrawFn) -> pd.DataFrame:
    rows: list[tuple[object, ...]] = []
    for seq in range(1, draw(st.integers(1, 40)) + 1):
        place = draw(st.sampled_from([1, 2, 3, 4]))
        team = draw(st.sampled_from([None, 7, 8]))
        day = draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
        for qid, options in SINGLE.items():
            if qid == "satisfaction" or draw(st.booleans()):
                rows.append((seq, place, team, day, 1, qid, draw(st.sampled_from(options))))
        for option in draw(st.sets(st.sampled_from(MULTI), max_size=3)):
            rows.append((seq, place, team, day, 1, "motif", option))
    return frame(rows)


@settings(max_examples=25, deadline=None)
@given(stream=answer_streams(), cuts=st.lists(st.integers(1, 39), max_size=4))
def test_incremental_merges_equal_one_full_computation(
    stream: pd.DataFrame, cuts: list[int]
) -> None:
    full = to_rows(compute_cells(stream, GEO, LEVELS))
    bounds = sorted({0, *cuts, int(stream.seq.max())})
    merged = Cells.empty()
    for lo, hi in itertools.pairwise(bounds):
        batch = stream[(stream.seq > lo) & (stream.seq <= hi)]
        # Each batch goes through the database form, as the real fold does.
        merged = merge_cells(from_rows(to_rows(merged)), compute_cells(batch, GEO, LEVELS))
    got = to_rows(merged).sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, full.sort_values(KEY).reset_index(drop=True))


@st.composite
def keyed_streams(draw: st.DrawFn) -> pd.DataFrame:
    """Answers whose responses carry record keys drawn anywhere in [0, 2**32)."""
    stream = draw(answer_streams())
    seqs = sorted(set(stream["seq"]))
    near_top = st.integers(KEY_MODULUS - 16, KEY_MODULUS - 1)  # sums that wrap early
    keys = draw(
        st.lists(
            st.one_of(st.integers(0, KEY_MODULUS - 1), near_top),
            min_size=len(seqs),
            max_size=len(seqs),
        )
    )
    return stream.assign(record_key=stream["seq"].map(dict(zip(seqs, keys, strict=True))))


def _expected_keys(stream: pd.DataFrame, column: str) -> dict[tuple[object, ...], int]:
    """Key sums computed in plain Python: for each (scope code, month, question), the keys of
    the responses that answered it (key "") and of those that chose each option."""
    scored = stream.merge(LEVELS, on=["version", "question", "option"])
    expected: dict[tuple[object, ...], int] = {}
    seen: set[tuple[object, ...]] = set()
    for row in scored.itertuples():
        code = "FR" if column == "national" else int(getattr(row, column))
        month = pd.Timestamp(row.day).replace(day=1)
        cell_key = (code, month, row.question)
        for part, once in (("", (*cell_key, row.seq)), (row.option, None)):
            if once is not None and once in seen:
                continue  # a respondent counts once in a multiple-choice cell's n
            if once is not None:
                seen.add(once)
            key = (*cell_key, part)
            expected[key] = (expected.get(key, 0) + int(row.record_key)) % KEY_MODULUS
    return expected


@settings(max_examples=25, deadline=None)
@given(stream=keyed_streams())
def test_cell_keys_are_the_sums_of_their_records_keys_modulo_2_32(stream: pd.DataFrame) -> None:
    """Totals and every option count carry the sum of their records' keys modulo 2**32, as a
    plain Python sum gives it: the cell key method's keys."""
    rows = to_rows(compute_cells(stream, GEO, LEVELS))
    for scope, column in (("national", "national"), ("team", "team_id")):
        answered = stream if column == "national" else stream.dropna(subset=[column])
        expected = _expected_keys(answered, column)
        cells = rows[(rows.scope_level == scope) & (rows.breakdown == "none")]
        got: dict[tuple[object, ...], int] = {}
        for row in cells.itertuples():
            counts = json.loads(row.counts_json)
            keys = json.loads(row.keys_json)
            assert list(keys) == list(counts)  # same options, same order
            assert 0 <= row.key_sum < KEY_MODULUS
            code = row.scope_code if scope == "national" else int(row.scope_code)
            got[(code, row.period_start, row.question, "")] = int(row.key_sum)
            for option, key in keys.items():
                assert 0 <= key < KEY_MODULUS
                got[(code, row.period_start, row.question, option)] = key
        assert got == expected
