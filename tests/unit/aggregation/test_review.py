"""Held answers (suspected bursts) are released into the cells, by hand or after a delay, or
discarded; folds keep equalling a rebuild (issue 10: a flag used to exclude real answers for
ever)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.audit import recent
from observatory.aggregation.fold import fold_all_pending
from observatory.aggregation.rebuild import rebuild_cells
from observatory.aggregation.review import discard, held_answers, release, release_due
from observatory.config import Settings
from observatory.responses.models import FLAG_BURST, FLAG_DISCARDED, Response
from tests.unit.aggregation.test_fold import TODAY, answer, cells, national


def hold(factory: sessionmaker[Session], count: int) -> list[str]:
    """Flag the first `count` answers as a burst; their ids."""
    with factory.begin() as session:
        seqs = list(session.scalars(select(Response.seq).order_by(Response.seq).limit(count)))
        session.execute(update(Response).where(Response.seq.in_(seqs)).values(flags=FLAG_BURST))
        ids = select(Response.id).where(Response.seq.in_(seqs)).order_by(Response.seq)
        return list(session.scalars(ids))


def test_a_release_below_the_watermark_reaches_the_cells_and_equals_a_rebuild(
    session_factory, make_place, settings: Settings
) -> None:
    place = make_place()
    for choice in ("tres_bien", "tres_bien", "tres_bien", "bien"):
        answer(session_factory, place, choice, motif=["demarches"])
    held = hold(session_factory, 3)
    fold_all_pending(session_factory, TODAY)
    assert national(session_factory)[0] == 1  # held answers are out of the statistics
    with session_factory() as session:
        assert [h.id for h in held_answers(session)] == sorted(held, key=held.index)
    with session_factory.begin() as session:
        assert release(session, held[:2], TODAY) == 2
        assert discard(session, held[2:]) == 1
        assert release(session, held, TODAY) == 0  # nothing left to release
    assert national(session_factory)[0] == 3
    folded = cells(session_factory)
    rebuild_cells(session_factory, settings)
    pd.testing.assert_frame_equal(folded, cells(session_factory))
    with session_factory() as session:
        flags = sorted(session.scalars(select(Response.flags)))
    assert flags == [0, 0, 0, FLAG_BURST | FLAG_DISCARDED]


def test_a_release_above_the_watermark_is_counted_once_by_the_next_fold(
    session_factory, make_place, settings: Settings
) -> None:
    place = make_place()
    answer(session_factory, place)
    fold_all_pending(session_factory, TODAY)
    answer(session_factory, place)
    with session_factory.begin() as session:
        newest = session.scalar(select(Response.seq).order_by(Response.seq.desc()).limit(1))
        session.execute(update(Response).where(Response.seq == newest).values(flags=FLAG_BURST))
        held = [h.id for h in held_answers(session)]
    with session_factory.begin() as session:
        assert release(session, held, TODAY) == 1
    fold_all_pending(session_factory, TODAY)
    assert national(session_factory)[0] == 2


def test_held_answers_are_released_automatically_after_the_delay(
    session_factory, make_place
) -> None:
    place = make_place()
    answer(session_factory, place, day=TODAY - dt.timedelta(days=8))
    answer(session_factory, place, day=TODAY - dt.timedelta(days=2))
    hold(session_factory, 2)
    fold_all_pending(session_factory, TODAY)
    with session_factory.begin() as session:
        assert release_due(session, TODAY, 7) == 1  # only the older one is due
    assert national(session_factory)[0] == 1
    with session_factory.begin() as session:
        assert release_due(session, TODAY + dt.timedelta(days=6), 7) == 1
    assert national(session_factory)[0] == 2


def test_the_cli_lists_releases_and_discards_and_audits(
    session_factory, make_place, settings: Settings, monkeypatch
) -> None:
    from observatory import config
    from observatory.cli import main

    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("OBSERVATORY_SECRET_KEY", settings.secret_key.get_secret_value())
    config.get_settings.cache_clear()
    place = make_place()
    for _ in range(3):
        answer(session_factory, place)
    held = hold(session_factory, 3)
    fold_all_pending(session_factory, TODAY)
    runner = CliRunner()
    listed = runner.invoke(main, ["flags", "list", "--place", place.code])
    assert listed.exit_code == 0 and all(i in listed.output for i in held)
    released = runner.invoke(main, ["flags", "release", held[0], "not-an-id"])
    assert released.exit_code == 0 and "1 answer(s) released" in released.output
    discarded = runner.invoke(main, ["flags", "discard", held[1]])
    assert discarded.exit_code == 0 and "1 answer(s) discarded" in discarded.output
    assert national(session_factory)[0] == 1
    with session_factory() as session:
        actions = [e.action for e in recent(session)]
    assert actions[:2] == ["flag.discard", "flag.release"]
    config.get_settings.cache_clear()
