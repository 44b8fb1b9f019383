"""The other places' public counts made ahead by the workers: what a page takes from the shared
store equals what it would read itself, a value made before a change is never served after it,
and a page that finds it there does not read the département's places."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.fold import fold_all_pending
from observatory.analysis import public_counts as pc
from observatory.analysis import shared
from observatory.analysis.periods import offered, period
from observatory.analysis.shared import ProcessStore, RedisStore, SharedStore
from observatory.analysis.standing import team_funnel
from observatory.clock import today
from observatory.config import Settings
from observatory.disclosure import Audience
from observatory.disclosure.figures import Rules
from observatory.places.models import Place
from observatory.questionnaires.definitions import load_questionnaires
from tests.conftest import send_answers
from tests.unit.dashboards.test_team_space import team_of

REIMS, PARIS = "51454", "75056"  # départements 51 and 75


@pytest.fixture
def client(app_with) -> FlaskClient:  # type: ignore[no-untyped-def]
    return app_with(rate_limit_client_per_hour=1000)


@pytest.fixture(autouse=True)
def _empty_memos() -> Iterator[None]:
    forget()
    yield
    forget()


def forget() -> None:
    """What a process holds: empty after a restart or ten idle minutes."""
    pc._PUBLIC._values.clear()
    pc._EARLIER._values.clear()
    shared._PROCESS.clear()


def answer(client: FlaskClient, place: Place, choice: str, n: int) -> None:
    for _ in range(n):
        assert send_answers(client, place.code, {"satisfaction": choice}).status_code == 303


def open_periods(day: dt.date) -> list[tuple[dt.date, ...]]:
    """The offered periods that hold this month: 3 and 12 months, this quarter, this year
    (in December "12 months" and this year are the same months, made once; so are "3 months"
    and this quarter at a quarter's end)."""
    return list(dict.fromkeys(p.months for p in offered(day) if p.months[-1] >= day.replace(day=1)))


def counts_of(
    session: Session, months: tuple[dt.date, ...], store: SharedStore, public: Rules, day: dt.date
) -> dict[str, dict[str, int]]:
    """Département 51's places as a page gets them."""
    cells = pc.departement_months(session, "51", months)
    states = {month: pc.state(summed) for month, summed in cells.items()}
    return pc.public_counts(
        session, "51", months, public, states=states, store=store, today=day, read={}
    )


@contextlib.contextmanager
def place_reads(session: Session) -> Iterator[list[str]]:
    """The statements that read the place cells of a whole département meanwhile."""
    seen: list[str] = []
    engine = session.get_bind().engine

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "aggregate_cell" in statement and "territory" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_workers_store_every_offered_period_and_pages_take_it_from_there(
    client: FlaskClient, make_place, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    reims = [make_place(commune=REIMS) for _ in range(3)]
    paris = make_place(commune=PARIS)
    for i, place in enumerate([*reims, paris]):  # mixed answers: no dominance rule hides them
        answer(client, place, "bien", 10 + i)
        answer(client, place, "pas_bien", 9)
    fold_all_pending(session_factory, dt.date.today())
    day = today(settings.timezone)
    public = Rules.for_audience(Audience.PUBLIC, settings)
    store = ProcessStore()
    with session_factory() as session:
        # Two départements, each period the page offers that holds this month's answers.
        assert pc.warm(session, public, store, day) == 2 * len(open_periods(day))
        assert pc.warm(session, public, store, day) == 0  # nothing changed: nothing made
        for months in open_periods(day):
            fresh = counts_of(session, months, ProcessStore(), public, day)
            assert sorted(fresh) == sorted(p.code for p in reims)
            forget()
            with place_reads(session) as reads:
                assert counts_of(session, months, store, public, day) == fresh
            assert reads == []  # taken from the store: no place of the département read
            forget()
            with place_reads(session) as reads:
                counts_of(session, months, ProcessStore(), public, day)
            assert reads  # what a page without it reads
            forget()

    # New answers in one département: only its periods are made again, and what was stored
    # before them is never served after them.
    stale = ProcessStore()
    stale._values = dict(store._values)
    answer(client, reims[0], "bien", 30)
    fold_all_pending(session_factory, dt.date.today())
    with session_factory() as session:
        for months in open_periods(day):
            fresh = counts_of(session, months, ProcessStore(), public, day)
            forget()
            assert counts_of(session, months, stale, public, day) == fresh
            forget()
            assert sum(fresh[reims[0].code].values()) >= 41  # 49 answers, perturbed by a few
        assert pc.warm(session, public, store, day) == len(open_periods(day))


def test_the_funnel_is_the_same_from_the_store_from_memos_and_without_redis(
    client: FlaskClient, make_place, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    places = [make_place(commune=REIMS) for _ in range(6)]
    for i, place in enumerate(places):
        answer(client, place, "tres_bien", 12 + i)
        answer(client, place, "pas_bien", 5)
    fold_all_pending(session_factory, dt.date.today())
    team = team_of(session_factory, places[0])
    day = today(settings.timezone)
    chosen = period("12m", day)

    def drawn(with_settings: Settings) -> object:
        with session_factory() as session:
            questionnaire = load_questionnaires(session)
            return team_funnel(
                session, team, place_id=None, period=chosen,
                questionnaire=questionnaire[max(questionnaire)], settings=with_settings,
            ).funnel  # fmt: skip

    first = drawn(settings)
    assert first is not None
    assert drawn(settings) == first  # from the process's memo
    pc._PUBLIC._values.clear()
    assert drawn(settings) == first  # from the shared store (a restart, ten idle minutes)
    forget()
    # Redis configured but unreachable: the page reads what it needs and draws the same.
    dead = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    assert isinstance(shared.store_for(dead), RedisStore)
    assert drawn(dead) == first
