"""The weekly run: which teams have something new, what their digest says, and sending it.

"New" is counted on the responses themselves, not the cells: the answers at the team's places
(every place it serves, shared ones included: an answer at a shared place has no team of its
own, docs/decisions/0005) with a sequence number past the previous digest's, held answers left
out (`flags != 0`, as in every statistic). The changes are the team page's own: its verdicts for
the last 3 months, and the sentences the page writes for them.

Each team's digest is claimed, sent and recorded in one transaction: the `DigestSent` row (unique
per team and week) is written first, so a second run the same week, even a concurrent one, waits
on it and then finds the week taken; it is committed once the server has taken at least one of
the team's messages, and rolled back, to be tried again by the next run, when none went.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from observatory import clock
from observatory.analysis.narrative import figure_id
from observatory.analysis.periods import period
from observatory.analysis.team import team_results
from observatory.config import Settings
from observatory.digest.compose import DigestFacts, Mail, compose
from observatory.digest.mailer import (
    DeliveryError,
    SmtpTransport,
    Transport,
    build_message,
    parse_smtp_url,
)
from observatory.digest.unsubscribe import link_for
from observatory.places.models import Team, TeamPlace
from observatory.questionnaires.definitions import Questionnaire, builtin, load_questionnaires
from observatory.responses.models import Comment, Response
from observatory.teamspace.models import DigestSent, TeamContact

log = logging.getLogger(__name__)
PERIOD = "3m"  # the team page's default period, whose verdicts the digest reports
RETAINED = ("hausse", "baisse")  # the verdicts Benjamini–Hochberg retained
SPACE_PATH = "/equipe/"  # the team space (observatory.web.staff.SPACE_PATH; no Flask here)


class DigestNotConfiguredError(RuntimeError):
    """No SMTP server is set: digests cannot be sent (a dry run still can be made)."""


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    email: str


@dataclass(frozen=True)
class TeamNews:
    team_id: int
    team: str
    answers: int
    comments: int
    up_to_seq: int  # the newest answer counted
    since: dt.date | None  # the day of the previous digest
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class Prepared:
    """One team's digest, one message per address (each with its own unsubscribe link)."""

    news: TeamNews
    messages: tuple[tuple[Recipient, Mail, str], ...]  # recipient, mail, unsubscribe link


@dataclass(frozen=True)
class Sent:
    news: TeamNews
    delivered: tuple[str, ...]
    refused: tuple[str, ...]  # "address: reason", for the operator


@dataclass
class DigestReport:
    week: dt.date
    sent: list[Sent] = field(default_factory=list)
    failed: list[tuple[TeamNews, str]] = field(default_factory=list)
    previews: list[Prepared] = field(default_factory=list)  # a dry run's digests
    taken: int = 0  # teams another run sent to meanwhile
    unreached: int = 0  # teams left for the next run when the time budget ran out


class _NothingDeliveredError(Exception):
    pass


def week_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week of `day` (the key of "at most one a week")."""
    return day - dt.timedelta(days=day.weekday())


def teams_with_news(session: Session, *, week: dt.date, timezone: str) -> list[TeamNews]:
    """Teams with at least one subscribed address, no digest yet this week, and answers past
    their previous digest; one set-based query for the counts (one snapshot: the comments are
    those of the answers counted)."""
    last = (
        select(
            DigestSent.team_id.label("team_id"),
            func.max(DigestSent.up_to_seq).label("up_to"),
            func.max(DigestSent.sent_at).label("sent_at"),
        )
        .group_by(DigestSent.team_id)
        .subquery()
    )
    subscribed = select(TeamContact.team_id).where(TeamContact.unsubscribed_on.is_(None))
    done = select(DigestSent.team_id).where(DigestSent.week == week)
    rows = session.execute(
        select(
            TeamPlace.team_id,
            func.count(distinct(Response.seq)),
            func.max(Response.seq),
            func.count(Comment.response_seq),
            last.c.sent_at,
        )
        .join(Response, Response.place_id == TeamPlace.place_id)
        .outerjoin(Comment, Comment.response_seq == Response.seq)
        .outerjoin(last, last.c.team_id == TeamPlace.team_id)
        .where(
            Response.seq > func.coalesce(last.c.up_to, 0),
            Response.flags == 0,
            TeamPlace.team_id.in_(subscribed),
            TeamPlace.team_id.not_in(done),
        )
        .group_by(TeamPlace.team_id, last.c.sent_at)
        .order_by(TeamPlace.team_id)
    ).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    found = session.execute(select(Team.id, Team.name).where(Team.id.in_(ids)))
    names: dict[int, str] = {row[0]: row[1] for row in found}
    recipients: dict[int, list[Recipient]] = {}
    for team_id, contact_id, email in session.execute(
        select(TeamContact.team_id, TeamContact.id, TeamContact.email)
        .where(TeamContact.team_id.in_(ids), TeamContact.unsubscribed_on.is_(None))
        .order_by(TeamContact.team_id, TeamContact.id)
    ):
        recipients.setdefault(team_id, []).append(Recipient(contact_id, email))
    return [
        TeamNews(
            team_id=team_id,
            team=names.get(team_id, ""),
            answers=int(answers),
            comments=int(comments),
            up_to_seq=int(up_to),
            since=clock.day_of(sent_at, timezone) if sent_at is not None else None,
            recipients=tuple(recipients.get(team_id, ())),
        )
        for team_id, answers, up_to, comments, sent_at in rows
    ]


def current_questionnaire(session: Session) -> Questionnaire:
    versions = load_questionnaires(session)
    return versions[max(versions)] if versions else builtin()


def changes_of(
    session: Session,
    team_id: int,
    *,
    today: dt.date,
    questionnaire: Questionnaire,
    settings: Settings,
) -> tuple[tuple[str, ...], str]:
    """The team page's sentences for the changes it retains over the last 3 months, and that
    period's label: the digest says nothing the page does not."""
    chosen = period(PERIOD, today)
    results = team_results(
        session,
        team_id,
        place_id=None,
        period=chosen,
        questionnaire=questionnaire,
        settings=settings,
    )
    retained = {figure_id(i) for i, verdict in results.verdicts.items() if verdict in RETAINED}
    sentences = tuple(
        s.text for s in results.sentences if s.kind == "change" and retained & set(s.figures)
    )
    return sentences, chosen.label


def prepare(
    news: TeamNews, changes: tuple[str, ...], period_label: str, settings: Settings
) -> Prepared:
    base = settings.public_url.rstrip("/")
    secret = settings.secret_key.get_secret_value()
    messages = []
    for recipient in news.recipients:
        link = link_for(base, secret, recipient.contact_id)
        facts = DigestFacts(
            team=news.team,
            answers=news.answers,
            comments=news.comments,
            since=news.since,
            changes=changes,
            period=period_label,
            space_url=f"{base}{SPACE_PATH}",
            unsubscribe_url=link,
            k_team=settings.k_team,
        )
        messages.append((recipient, compose(facts), link))
    return Prepared(news, tuple(messages))


def _send_one(
    factory: sessionmaker[Session],
    prepared: Prepared,
    transport: Transport,
    *,
    settings: Settings,
    week: dt.date,
    now: dt.datetime,
) -> Sent:
    """Claim the week, send each message, commit if any went (IntegrityError: the week was
    taken by another run; _NothingDeliveredError: none went, nothing recorded)."""
    news = prepared.news
    delivered: list[str] = []
    refused: list[str] = []
    with factory.begin() as session:
        session.add(
            DigestSent(
                team_id=news.team_id,
                week=week,
                sent_at=now,
                up_to_seq=news.up_to_seq,
                answers=news.answers,
                comments=news.comments,
            )
        )
        session.flush()  # a concurrent run waits here, then fails on the unique key
        for recipient, mail, link in prepared.messages:
            message = build_message(
                mail, sender=settings.mail_from, to=recipient.email, unsubscribe_url=link, now=now
            )
            try:
                transport.send(message)
            except DeliveryError as error:
                refused.append(f"{recipient.email}: {error}")
            else:
                delivered.append(recipient.email)
        if not delivered:
            raise _NothingDeliveredError("; ".join(refused))
    return Sent(news, tuple(delivered), tuple(refused))


def send_digests(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    transport: Transport | None,
    today: dt.date,
    now: dt.datetime,
    deadline: float | None = None,
) -> DigestReport:
    """Send this week's digests through `transport` (None: a dry run, which composes them and
    writes nothing). Stops starting new teams at `deadline` (time.monotonic()), leaving them to
    the next run: what was sent is recorded, so a run can always be resumed."""
    week = week_of(today)
    report = DigestReport(week)
    with factory() as session:
        pending = teams_with_news(session, week=week, timezone=settings.timezone)
        questionnaire = current_questionnaire(session)
    for index, news in enumerate(pending):
        if deadline is not None and time.monotonic() >= deadline:
            report.unreached = len(pending) - index
            break
        try:
            with factory() as session:
                changes, label = changes_of(
                    session,
                    news.team_id,
                    today=today,
                    questionnaire=questionnaire,
                    settings=settings,
                )
        except Exception as error:  # one team's failure must not stop the others' digests
            log.exception("digest of team %d: analysis failed", news.team_id)
            report.failed.append((news, f"analysis failed ({type(error).__name__})"))
            continue
        prepared = prepare(news, changes, label, settings)
        if transport is None:
            report.previews.append(prepared)
            continue
        try:
            sent = _send_one(factory, prepared, transport, settings=settings, week=week, now=now)
        except IntegrityError:
            report.taken += 1
        except _NothingDeliveredError as error:
            log.warning("digest of team %d: no message was accepted", news.team_id)
            report.failed.append((news, str(error)))
        else:
            log.info("digest of team %d sent to %d address(es)", news.team_id, len(sent.delivered))
            report.sent.append(sent)
    return report


def run_digests(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    dry_run: bool = False,
    deadline: float | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> DigestReport:
    """What the CLI and the weekly task call: today's week, the configured SMTP server (or
    none for a dry run); DigestNotConfiguredError without one."""
    today = today or clock.today(settings.timezone)
    now = now or dt.datetime.now(dt.UTC)
    if dry_run:
        return send_digests(factory, settings, transport=None, today=today, now=now)
    if settings.smtp_url is None:
        raise DigestNotConfiguredError(
            "no SMTP server is set (OBSERVATORY_SMTP_URL): digests cannot be sent"
        )
    config = parse_smtp_url(settings.smtp_url.get_secret_value())
    with SmtpTransport(config) as transport:
        return send_digests(
            factory, settings, transport=transport, today=today, now=now, deadline=deadline
        )
