"""The fold on a real database: exactly-once, incremental == rebuild, safe when concurrent."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid

import pandas as pd
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation import fold
from observatory.aggregation.cells.builder import to_rows
from observatory.aggregation.cells.frames import from_rows
from observatory.aggregation.fold import (
    compact_deltas,
    compact_if_due,
    fold_all_pending,
    pending_range,
)
from observatory.aggregation.models import AggregateCell, AggregateDelta, FoldWatermark
from observatory.aggregation.periods import derive
from observatory.aggregation.read import read_cells
from observatory.aggregation.rebuild import rebuild_cells
from observatory.aggregation.sums import sum_cells, tallies_by
from observatory.config import Settings
from observatory.places.models import Place
from observatory.questionnaires.definitions import builtin
from observatory.responses.models import KEY_MODULUS, Answer, Comment, Response
from observatory.responses.service import store_response, validate_answers

TODAY = dt.date(2026, 11, 23)
QN = builtin(1)


def answer(
    factory: sessionmaker[Session],
    place: Place,
    satisfaction: str = "bien",
    *,
    day: dt.date = dt.date(2026, 11, 2),
    channel: str = "qr",
    language: str = "fr",
    **more: list[str],
) -> None:
    submission = validate_answers(QN, {"satisfaction": [satisfaction], **more})
    with factory.begin() as session:
        store_response(
            session,
            place=place,
            questionnaire=QN,
            submission=submission,
            channel=channel,
            language=language,
            idempotency_key=uuid.uuid4().hex,
            day=day,
        )


def cells(factory: sessionmaker[Session]) -> pd.DataFrame:
    """Every cell as readers see it (stored rows plus pending deltas), sorted by key."""
    with factory() as session:
        return read_cells(session)


def national(factory: sessionmaker[Session]) -> tuple[int, int]:
    """(n, sum) of the national satisfaction cells over every month, without breakdown."""
    with factory() as session:
        rows = read_cells(
            session,
            scope_level="national",
            period_kind="month",
            breakdown="none",
            question="satisfaction",
        )
    return int(rows["n"].sum()), int(rows["sum"].sum())


def test_fold_counts_each_answer_once_and_rerun_is_a_no_op(session_factory, make_place) -> None:
    place = make_place()
    for choice in ("tres_bien", "bien", "pas_bien"):
        answer(session_factory, place, choice)
    first = fold_all_pending(session_factory, TODAY)
    assert first.responses == 3
    assert national(session_factory) == (3, 5)
    again = fold_all_pending(session_factory, TODAY)
    assert again.responses == 0
    assert national(session_factory) == (3, 5)
    with session_factory() as session:
        assert pending_range(session) == (first.last_seq, first.last_seq)


def test_territory_cells_follow_the_place_commune(session_factory, make_place) -> None:
    place = make_place(commune="97411")  # Saint-Denis, La Réunion
    answer(session_factory, place)
    fold_all_pending(session_factory, TODAY)
    frame = cells(session_factory)
    month = frame[(frame.period_kind == "month") & (frame.question == "satisfaction")]
    scopes = set(zip(month.scope_level, month.scope_code, strict=True))
    assert ("departement", "974") in scopes
    assert ("region", "04") in scopes
    assert ("commune", "97411") in scopes
    assert ("place", place.code) in scopes


def test_incremental_folds_equal_a_full_rebuild(
    session_factory, make_place, settings: Settings
) -> None:
    places = [make_place(), make_place(), make_place(team=False)]
    days = [dt.date(2025, 12, 30), dt.date(2026, 1, 2), dt.date(2026, 4, 1)]
    choices = ["tres_bien", "bien", "pas_tres_bien", "pas_bien"]
    for i in range(12):
        answer(
            session_factory,
            places[i % 3],
            choices[i % 4],
            day=days[i % 3],
            motif=["demarches", "securite"][: 1 + i % 2],
            objectif=["oui"] if i % 2 else [],
        )
        if i % 5 == 4:
            fold_all_pending(session_factory, TODAY)
    fold_all_pending(session_factory, TODAY)
    incremental = cells(session_factory)
    rebuild_cells(session_factory, settings)
    rebuilt = cells(session_factory)
    pd.testing.assert_frame_equal(incremental, rebuilt)
    assert set(rebuilt.period_kind) == {"month"}  # every other period sums months
    derived = to_rows(derive(from_rows(rebuilt), "quarter"))
    quarters = derived[
        (derived.scope_level == "national")
        & (derived.breakdown == "none")
        & (derived.question == "satisfaction")
    ].sort_values("period_start")
    assert [str(d.date()) for d in quarters.period_start] == [
        "2025-10-01",
        "2026-01-01",
        "2026-04-01",
    ]
    assert list(quarters.n) == [4, 4, 4]


SATISFACTION = ["tres_bien", "bien", "pas_tres_bien", "pas_bien"]
MOTIFS = ["demarches", "securite", "insertion_pro", "loisirs"]
responses = st.fixed_dictionaries(
    {
        "place": st.integers(0, 2),
        "satisfaction": st.sampled_from(SATISFACTION),
        "day": st.sampled_from([dt.date(2025, 12, 30), dt.date(2026, 1, 2), dt.date(2026, 11, 2)]),
        "channel": st.sampled_from(["qr", "kiosk", "paper"]),
        "language": st.sampled_from(["fr", "uk"]),
        "motif": st.lists(st.sampled_from(MOTIFS), max_size=3, unique=True),
        "objectif": st.lists(st.sampled_from(["oui", "en_partie", "non"]), max_size=1),
        "fold_after": st.booleans(),
        "compact_after": st.booleans(),
    }
)


def _forget_answers(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        for table in (Comment, Answer, Response, AggregateDelta, AggregateCell, FoldWatermark):
            session.execute(delete(table))


@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stream=st.lists(responses, min_size=1, max_size=12))
def test_random_batches_folded_in_the_database_equal_a_rebuild(
    session_factory, make_place, settings: Settings, stream: list[dict[str, object]]
) -> None:
    """Folds append deltas, compactions add them into the stored cells inside the database
    (counts merged option by option, key sums modulo 2**32); whatever the batches and whenever
    the log is compacted, readers see the rebuild's cells, text for text, key sums included
    (totals and per option), and a last compaction stores exactly them."""
    places = [make_place(), make_place(), make_place(team=False)]
    try:
        for item in stream:
            more = {k: v for k, v in item.items() if k in ("motif", "objectif") and v}
            answer(
                session_factory,
                places[int(str(item["place"]))],
                str(item["satisfaction"]),
                day=item["day"],  # type: ignore[arg-type]
                channel=str(item["channel"]),
                language=str(item["language"]),
                **more,  # type: ignore[arg-type]
            )
            if item["fold_after"]:
                fold_all_pending(session_factory, TODAY)
            if item["compact_after"]:
                with session_factory.begin() as session:
                    compact_deltas(session, TODAY)
        fold_all_pending(session_factory, TODAY)
        incremental = cells(session_factory)
        _assert_sums_match_the_rows(session_factory)
        with session_factory.begin() as session:
            compact_deltas(session, TODAY)
            assert session.scalar(select(func.count()).select_from(AggregateDelta)) == 0
        compacted = cells(session_factory)
        _assert_sums_match_the_rows(session_factory)
        rebuild_cells(session_factory, settings)
        rebuilt = cells(session_factory)
        assert {"key_sum", "keys_json"} <= set(rebuilt.columns)
        pd.testing.assert_frame_equal(incremental, rebuilt)
        pd.testing.assert_frame_equal(compacted, rebuilt)
        assert _national_keys(rebuilt) == _keys_of_records(session_factory, stream)
    finally:
        _forget_answers(session_factory)


def _assert_sums_match_the_rows(factory: sessionmaker[Session]) -> None:
    """Cells added up by the database (`sum_cells`, delta log included) hold what adding up
    read_cells' rows gives: n, option counts and keys modulo 2**32, group by group."""
    with factory() as session:
        places = sorted(set(read_cells(session, scope_level="place")["scope_code"]))
        for by, where in (
            (("period_start", "question"), {"scope_level": "place", "breakdown": "none"}),
            (("scope_code",), {"scope_code": places[:2], "question": ["satisfaction", "motif"]}),
            (("scope_level", "breakdown", "breakdown_value", "question"), {}),
            ((), {"scope_level": "national", "question": "satisfaction"}),
        ):
            summed = sum_cells(session, by, **where)
            assert summed == tallies_by(read_cells(session, **where), by)
            assert summed  # a comparison of two empty results would prove nothing
        # Consecutive months are read as a range, others as a list: both read exactly them.
        for months in (
            [dt.date(2026, 1, 1), dt.date(2025, 12, 1)],
            [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)],
            [dt.date(2025, 12, 1), dt.date(2026, 11, 1)],
            [dt.date(2026, 11, 1)],
        ):
            where = {"scope_level": "national", "period_start": months}
            by = ("period_start", "question")
            summed = sum_cells(session, by, **where)
            assert summed == tallies_by(read_cells(session, **where), by)
            assert {m for m, _ in summed} <= set(months)


def _national_keys(rows: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(month, "" or option) → key of the national satisfaction cells without breakdown."""
    national = rows[
        (rows.scope_level == "national")
        & (rows.breakdown == "none")
        & (rows.question == "satisfaction")
    ]
    keys: dict[tuple[str, str], int] = {}
    for row in national.itertuples():
        month = str(row.period_start.date())
        keys[(month, "")] = int(row.key_sum)
        keys |= {(month, o): int(k) for o, k in json.loads(row.keys_json).items()}
    return keys


def _keys_of_records(
    factory: sessionmaker[Session], stream: list[dict[str, object]]
) -> dict[tuple[str, str], int]:
    """The same keys summed in Python from the stored record keys (responses in seq order,
    each with its satisfaction answer)."""
    with factory() as session:
        stored = session.execute(
            select(Response.day, Response.record_key).order_by(Response.seq)
        ).all()
    keys: dict[tuple[str, str], int] = {}
    for (day, key), item in zip(stored, stream, strict=True):
        assert 0 <= key < KEY_MODULUS
        month = str(day.replace(day=1))
        for part in ("", str(item["satisfaction"])):
            keys[(month, part)] = (keys.get((month, part), 0) + key) % KEY_MODULUS
    return keys


def test_folds_after_a_rebuild_add_to_the_rebuilt_cells(
    session_factory, make_place, settings: Settings
) -> None:
    """On PostgreSQL the rebuild swaps in a new table: its unique key, primary key and id
    sequence must serve the folds that follow it."""
    place, other = make_place(), make_place(commune="97411")
    answer(session_factory, place, "bien", motif=["demarches"])
    rebuild_cells(session_factory, settings)
    answer(session_factory, place, "pas_bien", motif=["securite"])  # updates rebuilt cells
    answer(session_factory, other, "tres_bien", day=dt.date(2026, 10, 5))  # new cells
    fold_all_pending(session_factory, TODAY)
    folded = cells(session_factory)
    rebuild_cells(session_factory, settings)
    pd.testing.assert_frame_equal(folded, cells(session_factory))
    assert national(session_factory) == (3, 2 + 0 + 3)  # levels: bien 2, pas_bien 0, tres_bien 3


def test_the_delta_log_is_compacted_when_idle_or_large(
    session_factory, make_place, monkeypatch
) -> None:
    place = make_place()
    answer(session_factory, place, "bien")
    fold_all_pending(session_factory, TODAY)  # the first fold loads the cells directly
    answer(session_factory, place, "tres_bien")
    fold_all_pending(session_factory, TODAY)  # later folds append to the log

    def logged() -> int:
        with session_factory() as session:
            return int(session.scalar(select(func.count()).select_from(AggregateDelta)) or 0)

    assert logged() > 0
    assert compact_if_due(session_factory, TODAY, idle=False) == 0  # busy, log small: wait
    monkeypatch.setattr(fold, "COMPACT_ROWS", logged())
    assert compact_if_due(session_factory, TODAY, idle=False) > 0  # busy, log large: compact
    assert logged() == 0
    answer(session_factory, place, "pas_bien")
    fold_all_pending(session_factory, TODAY)
    assert compact_if_due(session_factory, TODAY, idle=True) > 0  # a quiet sweep compacts
    assert logged() == 0
    assert national(session_factory) == (3, 2 + 3 + 0)


def test_concurrent_folds_never_double_count(session_factory, make_place) -> None:
    place = make_place()
    for _ in range(20):
        answer(session_factory, place)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fold_all_pending(session_factory, TODAY)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert national(session_factory) == (20, 40)


def test_flagged_responses_stay_out_of_the_cells(session_factory, make_place) -> None:
    from sqlalchemy import update

    from observatory.responses.models import FLAG_BURST, Response

    place = make_place()
    answer(session_factory, place)
    answer(session_factory, place)
    with session_factory.begin() as session:
        first = session.scalar(select(Response.seq).order_by(Response.seq).limit(1))
        session.execute(update(Response).where(Response.seq == first).values(flags=FLAG_BURST))
    fold_all_pending(session_factory, TODAY)
    assert national(session_factory)[0] == 1


def test_answers_to_two_versions_fold_together(session_factory, make_place) -> None:
    """A new version (an extra question) does not disturb the cells of the old one."""
    import json

    from observatory.questionnaires.definitions import add_version, packaged_definitions

    v2 = json.loads(json.dumps(packaged_definitions()[1]))
    v2["version"] = 2
    v2["questions"].append(
        {"id": "attente", "kind": "single", "label": "Attente ?",
         "options": [{"code": "non", "label": "Non"}, {"code": "oui", "label": "Oui"}]}
    )  # fmt: skip
    with session_factory.begin() as session:
        new = add_version(session, v2)
    place = make_place()
    answer(session_factory, place, "bien")
    submission = validate_answers(new, {"satisfaction": ["tres_bien"], "attente": ["oui"]})
    with session_factory.begin() as session:
        store_response(session, place=place, questionnaire=new, submission=submission,
                       channel="qr", language="fr", idempotency_key=uuid.uuid4().hex,
                       day=dt.date(2026, 11, 2))  # fmt: skip
    fold_all_pending(session_factory, TODAY)
    assert national(session_factory) == (2, 5)
    frame = cells(session_factory)
    waiting = frame[(frame.question == "attente") & (frame.scope_level == "national")]
    assert set(waiting.n) == {1}
