"""A real SMTP server (aiosmtpd on 127.0.0.1) that keeps what it receives, and teams with
answers, as the digest tests need them."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.fold import fold_all_pending
from observatory.clock import today
from observatory.config import Settings
from observatory.places.models import Place, TeamPlace
from observatory.teamspace.contacts import add_contact
from tests.conftest import send_answers


@dataclass
class Mailbox:
    """What the server was given; addresses in `refuse` are refused at RCPT TO."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.model_copy(
        update={"smtp_url": SecretStr(mailbox.url), "public_url": "https://observatoire.example"}
    )


@pytest.fixture
def client(app_with: Callable[..., FlaskClient]) -> FlaskClient:
    """Takes many answers from one address in a few seconds."""
    return app_with(rate_limit_client_per_hour=1000)


def team_of(factory: sessionmaker[Session], place: Place) -> int:
    with factory() as session:
        found = select(TeamPlace.team_id).where(TeamPlace.place_id == place.id)
        return int(session.scalars(found).one())


def answer(client: FlaskClient, place: Place, n: int, **answers: str) -> None:
    for _ in range(n):
        assert (
            send_answers(client, place.code, {"satisfaction": "bien", **answers}).status_code == 303
        )


def fold(factory: sessionmaker[Session], settings: Settings) -> None:
    fold_all_pending(factory, today(settings.timezone))


def subscribe(factory: sessionmaker[Session], team_id: int, *emails: str) -> list[int]:
    with factory.begin() as session:
        return [add_contact(session, team_id, e, today=dt.date.today()).id for e in emails]


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_type() == f"text/{subtype}"
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")  # CRLF on the wire


def flat(text: str) -> str:
    """Line breaks and no-break spaces as plain spaces (the plain text is wrapped)."""
    return " ".join(text.replace("\u00a0", " ").split())
