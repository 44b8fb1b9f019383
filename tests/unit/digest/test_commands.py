"""`observatory digest send` as cron or an operator runs it, and the weekly beat entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.cli import main
from observatory.config import Settings, get_settings
from observatory.teamspace.models import DigestSent
from observatory.workers.celery_app import DIGEST_TASK, make_celery
from tests.unit.digest.conftest import Mailbox, answer, subscribe, team_of

SECRET = "test-secret-key-0123456789abcdef-0123"


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, session_factory: sessionmaker[Session]
) -> Iterator[CliRunner]:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", database_url)
    monkeypatch.setenv("OBSERVATORY_SECRET_KEY", SECRET)
    monkeypatch.setenv("OBSERVATORY_PUBLIC_URL", "https://observatoire.example")
    monkeypatch.delenv("OBSERVATORY_REDIS_URL", raising=False)
    monkeypatch.delenv("OBSERVATORY_SMTP_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def news(client: FlaskClient, make_place, session_factory: sessionmaker[Session]) -> int:
    """A team with one address and six new answers; its id."""
    place = make_place()
    team = team_of(session_factory, place)
    subscribe(session_factory, team, "marie@ex.fr")
    answer(client, place, 6)
    return team


def recorded(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(DigestSent)) or 0)


def test_send_without_an_smtp_server_says_so_and_fails(
    cli: CliRunner, news: int, session_factory: sessionmaker[Session]
) -> None:
    result = cli.invoke(main, ["digest", "send"])
    assert result.exit_code == 2
    assert "no SMTP server is set (OBSERVATORY_SMTP_URL)" in result.output
    assert "--dry-run" in result.output
    assert recorded(session_factory) == 0


def test_a_dry_run_prints_the_digests_and_sends_and_records_nothing(
    cli: CliRunner,
    news: int,
    session_factory: sessionmaker[Session],
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for smtp in (None, mailbox.url):  # with or without a server
        if smtp:
            monkeypatch.setenv("OBSERVATORY_SMTP_URL", smtp)
            get_settings.cache_clear()
        result = cli.invoke(main, ["digest", "send", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "To: marie@ex.fr" in result.output
        assert "Subject: Équipe" in result.output and "6 nouvelles réponses" in result.output
        assert "https://observatoire.example/equipe/desabonnement/" in result.output
        assert "1 digest(s) would be sent" in result.output
        assert "Warning" not in result.output
    assert mailbox.messages == [] and recorded(session_factory) == 0
    monkeypatch.setenv("OBSERVATORY_PUBLIC_URL", "http://127.0.0.1:8050")
    get_settings.cache_clear()
    local = cli.invoke(main, ["digest", "send", "--dry-run"])
    assert "Warning: OBSERVATORY_PUBLIC_URL is http://127.0.0.1:8050" in local.output


def test_send_sends_once_a_week(
    cli: CliRunner,
    news: int,
    session_factory: sessionmaker[Session],
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OBSERVATORY_SMTP_URL", mailbox.url)
    get_settings.cache_clear()
    first = cli.invoke(main, ["digest", "send"])
    assert first.exit_code == 0, first.output
    assert f"Team {news} (" in first.output and "1 digest(s) sent" in first.output
    assert [m["To"] for m in mailbox.messages] == ["marie@ex.fr"]
    second = cli.invoke(main, ["digest", "send"])
    assert second.exit_code == 0 and "0 digest(s) sent" in second.output
    assert len(mailbox.messages) == 1 and recorded(session_factory) == 1


def test_an_undelivered_digest_fails_the_command_to_be_run_again(
    cli: CliRunner,
    news: int,
    session_factory: sessionmaker[Session],
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OBSERVATORY_SMTP_URL", mailbox.url)
    get_settings.cache_clear()
    mailbox.refuse.add("marie@ex.fr")
    result = cli.invoke(main, ["digest", "send"])
    assert result.exit_code == 1 and "address refused" in result.output
    assert recorded(session_factory) == 0


def test_celery_beat_runs_the_digest_on_monday_morning() -> None:
    app = make_celery(Settings(redis_url="redis://127.0.0.1:6379/9", secret_key=SECRET))
    entry = app.conf.beat_schedule["digest"]
    assert entry["task"] == DIGEST_TASK and DIGEST_TASK in app.tasks
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {8} and schedule.minute == {0}
    assert app.conf.timezone == "Europe/Paris" and app.conf.task_serializer == "json"


def test_the_task_body_resumes_where_its_time_budget_stopped(
    news: int,
    settings: Settings,
    mail_settings: Settings,
    session_factory: sessionmaker[Session],
    mailbox: Mailbox,
) -> None:
    from observatory.workers.tasks import run_digest

    assert run_digest(settings)["not_configured"] == 1  # no SMTP URL: logged, nothing sent
    stopped = run_digest(mail_settings, budget_seconds=0)
    assert (stopped["sent"], stopped["unreached"]) == (0, 1) and mailbox.messages == []
    resumed = run_digest(mail_settings, budget_seconds=60)
    assert (resumed["sent"], resumed["unreached"]) == (1, 0) and len(mailbox.messages) == 1
    assert recorded(session_factory) == 1
