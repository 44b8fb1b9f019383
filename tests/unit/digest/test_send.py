"""The weekly run against a real SMTP server: who gets a digest, what it says and never says,
at most one a week, and the unsubscribe link that works without signing in."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from observatory.analysis.periods import period
from observatory.analysis.team import team_results
from observatory.clock import today
from observatory.config import Settings
from observatory.digest.service import current_questionnaire, run_digests, week_of
from observatory.digest.unsubscribe import token_for
from observatory.responses.models import Comment, Response
from observatory.teamspace.models import DigestSent, TeamContact
from tests.unit.digest.conftest import Mailbox, answer, body, flat, fold, subscribe, team_of

SECRET_COMMENT = "Zorglub-7Q a été formidable avec ma tablette"


def digests(factory: sessionmaker[Session]) -> list[DigestSent]:
    with factory() as session:
        return list(session.scalars(select(DigestSent).order_by(DigestSent.id)))


def max_seq(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.max(Response.seq))) or 0)


def test_each_subscribed_contact_of_a_team_with_new_answers_gets_the_digest(
    client: FlaskClient,
    make_place,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    mailbox: Mailbox,
) -> None:
    mine, quiet = make_place(), make_place()
    team, other = team_of(session_factory, mine), team_of(session_factory, quiet)
    subscribe(session_factory, team, "marie@ex.fr", "anne@ex.fr")
    subscribe(session_factory, other, "paul@ex.fr")  # no answers at its place: no digest
    answer(client, mine, 5)
    answer(client, mine, 1, amelioration=SECRET_COMMENT)
    fold(session_factory, mail_settings)
    with session_factory() as session:  # stored (scrubbed) as written: it could leak
        assert session.scalar(select(Comment.text).where(Comment.text.contains("Zorglub")))

    report = run_digests(session_factory, mail_settings)

    assert len(report.sent) == 1 and not report.failed
    assert sorted(m["To"] for m in mailbox.messages) == ["anne@ex.fr", "marie@ex.fr"]
    for message in mailbox.messages:
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        text, html = body(message, "plain"), body(message, "html")
        assert '<html lang="fr">' in html and "Bonjour" in text
        assert "6 nouvelles réponses" in flat(text) and "6 nouvelles réponses" in message["Subject"]
        assert "De nouveaux commentaires vous attendent" in flat(text)  # 1 < k_team: no count
        assert "https://observatoire.example/equipe/\n" in text
        assert 'href="https://observatoire.example/equipe/"' in html
        with session_factory() as session:
            contact = session.scalars(
                select(TeamContact).where(TeamContact.email == message["To"])
            ).one()
        token = token_for(mail_settings.secret_key.get_secret_value(), contact.id)
        link = f"https://observatoire.example/equipe/desabonnement/{token}"
        assert message["List-Unsubscribe"] == f"<{link}>" and link in text and link in html
        for shown in (message.as_string(), text, html):
            assert "Zorglub" not in shown and "tablette" not in shown
    [recorded] = digests(session_factory)
    assert (recorded.team_id, recorded.answers, recorded.comments) == (team, 6, 1)
    assert recorded.up_to_seq == max_seq(session_factory)
    assert recorded.week == week_of(today(mail_settings.timezone))


def test_nothing_new_no_mail_and_at_most_one_a_week(
    client: FlaskClient,
    make_place,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    mailbox: Mailbox,
) -> None:
    place = make_place()
    team = team_of(session_factory, place)
    subscribe(session_factory, team, "marie@ex.fr")
    day = today(mail_settings.timezone)
    assert not run_digests(session_factory, mail_settings, today=day).sent  # nothing at all
    answer(client, place, 6)
    assert len(run_digests(session_factory, mail_settings, today=day).sent) == 1
    answer(client, place, 7)
    again = run_digests(session_factory, mail_settings, today=day + dt.timedelta(days=1))
    assert not again.sent and len(mailbox.messages) == 1  # the same week: nothing more
    next_week = day + dt.timedelta(days=7)
    assert len(run_digests(session_factory, mail_settings, today=next_week).sent) == 1
    latest = mailbox.messages[-1]
    assert "7 nouvelles réponses" in flat(body(latest, "plain"))  # only what is new
    assert "Depuis notre message du" in flat(body(latest, "plain"))
    later = day + dt.timedelta(days=14)
    assert not run_digests(session_factory, mail_settings, today=later).sent  # nothing new
    assert len(mailbox.messages) == 2 and len(digests(session_factory)) == 2


def test_counts_below_k_team_are_never_printed_and_held_answers_never_count(
    client: FlaskClient,
    make_place,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    mailbox: Mailbox,
) -> None:
    place = make_place()
    subscribe(session_factory, team_of(session_factory, place), "marie@ex.fr")
    answer(client, place, 3, amelioration="Très bien")
    held_from = max_seq(session_factory)
    answer(client, place, 3)
    with session_factory.begin() as session:  # held as a burst: out of every statistic
        session.execute(update(Response).where(Response.seq > held_from).values(flags=1))
    run_digests(session_factory, mail_settings)
    [message] = mailbox.messages
    for text in (message["Subject"], flat(body(message, "plain")), body(message, "html")):
        assert "quelques nouvelles réponses" in text
        assert not re.search(r"\b[1-6] (nouvelle|réponse|commentaire)", text)
    [recorded] = digests(session_factory)
    assert (recorded.answers, recorded.comments, recorded.up_to_seq) == (3, 3, held_from)


def test_a_planted_change_is_told_as_the_page_tells_it_and_flat_data_tells_none(
    client: FlaskClient,
    make_place,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    mailbox: Mailbox,
) -> None:
    changed, flat_place = make_place(), make_place()
    subscribe(session_factory, team_of(session_factory, changed), "change@ex.fr")
    subscribe(session_factory, team_of(session_factory, flat_place), "flat@ex.fr")
    day = today(mail_settings.timezone)
    before = period("3m", day).previous[1].replace(day=15)
    earlier = max_seq(session_factory)
    answer(client, changed, 22, satisfaction="tres_bien")
    answer(client, flat_place, 11, satisfaction="tres_bien")
    answer(client, flat_place, 11, satisfaction="bien")
    with session_factory.begin() as session:  # these answers were given 4 months ago
        session.execute(update(Response).where(Response.seq > earlier).values(day=before))
    answer(client, changed, 22, satisfaction="pas_bien")
    answer(client, flat_place, 11, satisfaction="tres_bien")
    answer(client, flat_place, 11, satisfaction="bien")
    fold(session_factory, mail_settings)

    run_digests(session_factory, mail_settings, today=day)

    with session_factory() as session:
        page = team_results(
            session,
            team_of(session_factory, changed),
            place_id=None,
            period=period("3m", day),
            questionnaire=current_questionnaire(session),
            settings=mail_settings,
        )
    [said] = [s.text for s in page.sentences if s.kind == "change"]
    assert "a baissé" in said
    [told] = mailbox.to("change@ex.fr")
    assert said in flat(body(told, "plain")) and said.replace("'", "&#39;") in body(told, "html")
    assert "Ce qui a changé" in body(told, "plain")
    [quiet] = mailbox.to("flat@ex.fr")
    for text in (body(quiet, "plain"), body(quiet, "html")):
        assert "Ce qui a changé" not in text and "a baissé" not in text
        assert "a augmenté" not in text
    assert "44 nouvelles réponses" in flat(body(quiet, "plain"))


def token_path(message: EmailMessage) -> str:
    return urlsplit(str(message["List-Unsubscribe"]).strip("<>")).path


def test_the_unsubscribe_link_works_without_signing_in_and_only_on_post(
    client: FlaskClient,
    make_place,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    mailbox: Mailbox,
) -> None:
    place = make_place()
    team = team_of(session_factory, place)
    subscribe(session_factory, team, "marie@ex.fr", "anne@ex.fr")
    answer(client, place, 5)
    run_digests(session_factory, mail_settings)
    path = token_path(mailbox.to("marie@ex.fr")[0])

    page = client.get(path)  # what a link previewer does: nothing changes
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert '<html lang="fr"' in html and "<h1>" in html and "marie@ex.fr" in html
    assert re.search(r'<form method="post" action="' + re.escape(path) + '">', html)
    assert re.search(r'<button type="submit" class="button">Me désabonner[^<]+</button>', html)
    with session_factory() as session:
        assert (
            session.scalar(select(func.count()).where(TeamContact.unsubscribed_on.is_not(None)))
            == 0
        )

    done = client.post(path)
    assert done.status_code == 200 and "vous êtes désabonné" in done.get_data(as_text=True)
    assert "déjà désabonné" in client.get(path).get_data(as_text=True)
    assert client.post(path).status_code == 200  # twice is harmless
    one_click = token_path(mailbox.to("anne@ex.fr")[0])
    assert client.post(one_click, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    token = path.rsplit("/", 1)[1]
    contact_id = token.split(".")[0]
    forged = [
        f"{contact_id}.{'A' * 43}",
        f"{int(contact_id) + 1}.{token.split('.')[1]}",
        token[:-1],
        "x",
        f"{contact_id}",
    ]
    for bad in forged:
        for method in (client.get, client.post):
            reply = method(f"/equipe/desabonnement/{bad}")
            assert reply.status_code == 404, (bad, reply.status_code)
            assert "pas valable" in reply.get_data(as_text=True)

    with session_factory() as session:
        found = session.execute(select(TeamContact.email, TeamContact.unsubscribed_on))
        states = {row[0]: row[1] for row in found}
    assert states["marie@ex.fr"] is not None and states["anne@ex.fr"] is not None
    subscribe(session_factory, team, "paul@ex.fr")
    answer(client, place, 5)
    next_week = today(mail_settings.timezone) + dt.timedelta(days=7)
    run_digests(session_factory, mail_settings, today=next_week)
    assert [m["To"] for m in mailbox.messages[2:]] == ["paul@ex.fr"]


def test_a_refused_address_does_not_stop_the_others_and_none_delivered_records_nothing(
    client: FlaskClient,
    make_place,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    mailbox: Mailbox,
) -> None:
    first, second = make_place(), make_place()
    subscribe(session_factory, team_of(session_factory, first), "gone@ex.fr", "ok@ex.fr")
    subscribe(session_factory, team_of(session_factory, second), "also.gone@ex.fr")
    answer(client, first, 5)
    answer(client, second, 5)
    mailbox.refuse.update({"gone@ex.fr", "also.gone@ex.fr"})
    report = run_digests(session_factory, mail_settings)
    assert [m["To"] for m in mailbox.messages] == ["ok@ex.fr"]
    assert [s.refused for s in report.sent] == [("gone@ex.fr: address refused (550)",)]
    assert [news.team_id for news, _ in report.failed] == [team_of(session_factory, second)]
    assert [d.team_id for d in digests(session_factory)] == [team_of(session_factory, first)]
    mailbox.refuse.clear()
    retry = run_digests(session_factory, mail_settings)  # the failed team is tried again
    assert [s.news.team_id for s in retry.sent] == [team_of(session_factory, second)]
