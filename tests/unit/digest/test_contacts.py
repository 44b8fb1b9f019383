"""A team's digest addresses: the services the team page calls, and the operator's CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from observatory.cli import main
from observatory.config import get_settings
from observatory.teamspace.contacts import (
    MAX_CONTACTS,
    ContactError,
    add_contact,
    list_contacts,
    normalise_email,
    remove_contact,
)
from tests.unit.digest.conftest import team_of

TODAY = dt.date(2026, 3, 2)
INVALID = [
    "",
    "marie",
    "marie@",
    "@ex.fr",
    "marie@ex",
    "marie@@ex.fr",
    "ma rie@ex.fr",
    "marie@ex..fr",
    "marie@-ex.fr",
    "marie.@ex.fr",
    "marie@ex.fr\nBcc: x@evil.example",
    "marie\r@ex.fr",
    "marie@ex.123",
    "Marie <marie@ex.fr>",
    '"marie"@ex.fr',
    "marie@ex.fr," + "x@ex.fr",
    "x" * 65 + "@ex.fr",
    "m@" + "a" * 250 + ".fr",
    "marie\x00@ex.fr",
]


def test_addresses_are_checked_and_their_domain_normalised() -> None:
    assert normalise_email("  Marie.Dupont+epn@Exemple.FR ") == "Marie.Dupont+epn@exemple.fr"
    assert normalise_email("accueil@Médiathèque.fr") == "accueil@xn--mdiathque-53af.fr"
    for bad in INVALID:
        with pytest.raises(ContactError) as caught:
            normalise_email(bad)
        assert "adresse e-mail valable" in str(caught.value)
        assert "not a valid e-mail address" in caught.value.english


def test_add_list_remove(make_place, session_factory: sessionmaker[Session]) -> None:
    team_id = team_of(session_factory, make_place())
    other = team_of(session_factory, make_place())
    with session_factory.begin() as session:
        added = add_contact(session, team_id, "Marie@Ex.fr", today=TODAY)
        add_contact(session, team_id, "anne@ex.fr", today=TODAY)
        add_contact(session, other, "marie@ex.fr", today=TODAY)  # another team: its own list
    assert added.email == "Marie@ex.fr" and added.subscribed
    with session_factory() as session:
        assert [c.email for c in list_contacts(session, team_id)] == ["anne@ex.fr", "Marie@ex.fr"]
    with session_factory.begin() as session, pytest.raises(ContactError, match="déjà"):
        add_contact(session, team_id, "marie@EX.FR", today=TODAY)
    with session_factory.begin() as session:
        assert remove_contact(session, team_id, "MARIE@ex.fr").id == added.id
    with session_factory() as session:
        assert [c.email for c in list_contacts(session, team_id)] == ["anne@ex.fr"]
        assert [c.email for c in list_contacts(session, other)] == ["marie@ex.fr"]
    with session_factory.begin() as session, pytest.raises(ContactError, match="pas dans"):
        remove_contact(session, team_id, "marie@ex.fr")
    with session_factory.begin() as session, pytest.raises(ContactError, match="n'existe pas"):
        add_contact(session, 999_999, "x@ex.fr", today=TODAY)


def test_an_unsubscribed_address_comes_back_only_once_removed(
    make_place, session_factory: sessionmaker[Session]
) -> None:
    from observatory.digest.unsubscribe import unsubscribe
    from observatory.teamspace.models import TeamContact

    team_id = team_of(session_factory, make_place())
    with session_factory.begin() as session:
        contact_id = add_contact(session, team_id, "marie@ex.fr", today=TODAY).id
    with session_factory.begin() as session:
        contact = session.get(TeamContact, contact_id)
        assert contact is not None and unsubscribe(session, contact, TODAY)
    with session_factory.begin() as session, pytest.raises(ContactError, match="désabonnée"):
        add_contact(session, team_id, "marie@ex.fr", today=TODAY)
    with session_factory.begin() as session:
        [entry] = list_contacts(session, team_id)
        assert entry.unsubscribed_on == TODAY and not entry.subscribed
        remove_contact(session, team_id, "marie@ex.fr")
        assert add_contact(session, team_id, "marie@ex.fr", today=TODAY).subscribed


def test_a_team_has_at_most_a_few_addresses(
    make_place, session_factory: sessionmaker[Session]
) -> None:
    team_id = team_of(session_factory, make_place())
    with session_factory.begin() as session:
        for i in range(MAX_CONTACTS):
            add_contact(session, team_id, f"p{i}@ex.fr", today=TODAY)
    with session_factory.begin() as session, pytest.raises(ContactError, match="au plus"):
        add_contact(session, team_id, "one.more@ex.fr", today=TODAY)


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, session_factory: sessionmaker[Session]
) -> Iterator[CliRunner]:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", database_url)
    monkeypatch.setenv("OBSERVATORY_SECRET_KEY", "test-secret-key-0123456789abcdef-0123")
    monkeypatch.delenv("OBSERVATORY_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_the_cli_adds_lists_and_removes_addresses(
    cli: CliRunner, make_place, session_factory: sessionmaker[Session]
) -> None:
    team_id = str(team_of(session_factory, make_place()))
    added = cli.invoke(main, ["team", "contact", "add", team_id, "marie@ex.fr"])
    assert added.exit_code == 0 and "marie@ex.fr added" in added.output
    listed = cli.invoke(main, ["team", "contact", "list", team_id])
    assert listed.exit_code == 0 and "marie@ex.fr" in listed.output
    assert "subscribed" in listed.output
    invalid = cli.invoke(main, ["team", "contact", "add", team_id, "marie@ex"])
    assert invalid.exit_code == 2
    assert "not a valid e-mail address" in invalid.output
    assert "n'est pas une adresse e-mail valable" in invalid.output
    twice = cli.invoke(main, ["team", "contact", "add", team_id, "marie@ex.fr"])
    assert twice.exit_code == 2 and "already listed" in twice.output
    unknown = cli.invoke(main, ["team", "contact", "add", "999999", "x@ex.fr"])
    assert unknown.exit_code == 2 and "no team" in unknown.output
    removed = cli.invoke(main, ["team", "contact", "remove", team_id, "marie@ex.fr"])
    assert removed.exit_code == 0 and "removed" in removed.output
    again = cli.invoke(main, ["team", "contact", "remove", team_id, "marie@ex.fr"])
    assert again.exit_code == 2 and "has no address" in again.output
    empty = cli.invoke(main, ["team", "contact", "list", team_id])
    assert "no digest address" in empty.output
