"""The SMTP URL and the message as a mail client receives it (through a real SMTP server)."""

from __future__ import annotations

import datetime as dt

import pytest

from observatory.digest.compose import Mail
from observatory.digest.mailer import (
    DeliveryError,
    MailConfigError,
    SmtpTransport,
    build_message,
    parse_smtp_url,
)
from tests.unit.digest.conftest import Mailbox, body

MAIL = Mail("Sujet : quelques nouvelles réponses", "Bonjour,\n\ntexte\n", "<p>Bonjour,</p>")
NOW = dt.datetime(2026, 1, 5, 7, 0, tzinfo=dt.UTC)


def test_smtp_urls_are_read_and_their_errors_never_repeat_the_password() -> None:
    plain = parse_smtp_url("smtp://relay.example")
    assert (plain.host, plain.port, plain.security, plain.username) == (
        "relay.example", 25, "none", None,
    )  # fmt: skip
    submission = parse_smtp_url("smtp://marie%40ex.fr:s%3Acret@mail.example:587?starttls=1")
    assert (submission.port, submission.security) == (587, "starttls")
    assert (submission.username, submission.password) == ("marie@ex.fr", "s:cret")
    assert "s:cret" not in repr(submission)
    assert parse_smtp_url("smtps://u:p@mail.example").port == 465
    assert parse_smtp_url("smtp://u:p@mail.example").security == "starttls"  # never in clear
    assert parse_smtp_url("smtp://u:p@mail.example?starttls=0").security == "none"
    for bad in (
        "http://u:hunter2@mail.example",
        "smtp://u:hunter2@mail.example:port",
        "smtp://u:hunter2@mail.example?tls=1",
        "smtp://u:hunter2@mail.example?starttls=maybe",
        "smtp://u:hunter2@mail.example?timeout=0",
        "smtp://",
    ):
        with pytest.raises(MailConfigError) as caught:
            parse_smtp_url(bad)
        assert "hunter2" not in str(caught.value)


def test_a_message_is_text_then_html_with_one_click_unsubscribe(mailbox: Mailbox) -> None:
    link = "https://observatoire.example/equipe/desabonnement/1.abc"
    message = build_message(
        MAIL,
        sender="Observatoire de la médiation numérique <ne-pas-repondre@observatoire.example>",
        to="marie@ex.fr",
        unsubscribe_url=link,
        now=NOW,
    )
    with SmtpTransport(parse_smtp_url(mailbox.url)) as transport:
        transport.send(message)
    [received] = mailbox.messages
    assert received.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in received.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert body(received, "plain") == MAIL.text and body(received, "html").strip() == MAIL.html
    assert received["Subject"] == MAIL.subject and received["To"] == "marie@ex.fr"
    assert received["List-Unsubscribe"] == f"<{link}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"].endswith("@observatoire.example>")


def test_a_refused_address_or_a_dead_server_is_a_delivery_error(mailbox: Mailbox) -> None:
    mailbox.refuse.add("gone@ex.fr")
    message = build_message(MAIL, sender="a@b.fr", to="gone@ex.fr", unsubscribe_url="x", now=NOW)
    with SmtpTransport(parse_smtp_url(mailbox.url)) as transport:
        with pytest.raises(DeliveryError, match="refused"):
            transport.send(message)
        del message["To"]
        message["To"] = "ok@ex.fr"
        transport.send(message)  # the same connection goes on
    assert [m["To"] for m in mailbox.messages] == ["ok@ex.fr"]
    nobody = parse_smtp_url("smtp://127.0.0.1:1?timeout=2")  # nothing listens on port 1
    with SmtpTransport(nobody) as transport, pytest.raises(DeliveryError):
        transport.send(message)
