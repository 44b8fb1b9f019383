"""`observatory digest send [--dry-run]` and `observatory team contact add|list|remove`
(registered in observatory/cli.py).

`digest send` is what celery beat runs every Monday; without Redis (the embedded mode) there is
no beat, and cron runs it instead (docs/operations.md). Heavy imports stay inside the commands
so that `observatory --help` stays quick.
"""

from __future__ import annotations

import sys
from ipaddress import ip_address
from typing import NoReturn
from urllib.parse import urlsplit

import click
from sqlalchemy.orm import Session, sessionmaker

from observatory.config import Settings, get_settings
from observatory.db import session_scope, sessions_for

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _sessions(settings: Settings) -> sessionmaker[Session]:
    return sessions_for(settings.database_url)


def _local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@click.group()
def digest() -> None:
    """The weekly digest e-mail of each team."""


@digest.command("send")
@click.option(
    "--dry-run", is_flag=True, help="Print what would be sent; send nothing, record nothing."
)
def digest_send(dry_run: bool) -> None:
    """Send this week's digest to each team with new answers (at most one a week per team)."""
    from observatory.digest.mailer import MailConfigError
    from observatory.digest.service import DigestNotConfiguredError, run_digests

    settings = get_settings()
    try:
        report = run_digests(_sessions(settings), settings, dry_run=dry_run)
    except DigestNotConfiguredError as error:
        click.echo(
            f"Error: {error}. Set it (e.g. smtp://user:password@host:587?starttls=1), "
            "or use --dry-run to see what would be sent.",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    except MailConfigError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if _local(settings.public_url):
        click.echo(
            f"Warning: OBSERVATORY_PUBLIC_URL is {settings.public_url}: the links in the e-mails "
            "only work on this computer.",
            err=True,
        )
    week = f"week of {report.week:%Y-%m-%d}"
    if dry_run:
        for prepared in report.previews:
            for recipient, mail, _link in prepared.messages:
                click.echo(f"=== team {prepared.news.team_id} ({prepared.news.team})")
                click.echo(f"To: {recipient.email}\nSubject: {mail.subject}\n\n{mail.text}")
        click.echo(f"Dry run, {week}: {len(report.previews)} digest(s) would be sent.")
    else:
        for sent in report.sent:
            click.echo(
                f"Team {sent.news.team_id} ({sent.news.team}): sent to "
                f"{len(sent.delivered)} address(es)."
            )
            for refusal in sent.refused:
                click.echo(f"  not delivered: {refusal}", err=True)
        click.echo(f"{week}: {len(report.sent)} digest(s) sent.")
    if report.taken:
        click.echo(f"{report.taken} team(s) skipped: another run sent theirs meanwhile.")
    for news, reason in report.failed:
        click.echo(f"Error: team {news.team_id} ({news.team}): {reason}", err=True)
    if report.failed:
        click.echo("Run the command again to retry them (nothing was recorded).", err=True)
        sys.exit(EXIT_FAILED)


@click.group()
def contact() -> None:
    """The addresses a team's weekly digest goes to."""


def _fail(error: Exception) -> NoReturn:
    from observatory.teamspace.contacts import ContactError

    message = f"{error.english} / {error}" if isinstance(error, ContactError) else str(error)
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@contact.command("add")
@click.argument("team_id", type=int)
@click.argument("email")
def contact_add(team_id: int, email: str) -> None:
    """Send team TEAM_ID's weekly digest to EMAIL too."""
    from observatory.clock import today
    from observatory.teamspace.contacts import ContactError, add_contact

    settings = get_settings()
    try:
        with session_scope(_sessions(settings)) as session:
            added = add_contact(session, team_id, email, today=today(settings.timezone))
    except ContactError as error:
        _fail(error)
    click.echo(f"Team {team_id}: {added.email} added (contact {added.id}).")


@contact.command("list")
@click.argument("team_id", type=int)
def contact_list(team_id: int) -> None:
    """The addresses of team TEAM_ID, with those who unsubscribed."""
    from observatory.teamspace.contacts import list_contacts

    with session_scope(_sessions(get_settings())) as session:
        entries = list_contacts(session, team_id)
    if not entries:
        click.echo(f"Team {team_id} has no digest address.")
    for entry in entries:
        state = (
            "subscribed"
            if entry.unsubscribed_on is None
            else f"unsubscribed on {entry.unsubscribed_on:%Y-%m-%d}"
        )
        click.echo(f"{entry.email}\tadded {entry.added_on:%Y-%m-%d}\t{state}")


@contact.command("remove")
@click.argument("team_id", type=int)
@click.argument("email")
def contact_remove(team_id: int, email: str) -> None:
    """Stop sending team TEAM_ID's digest to EMAIL and forget the address."""
    from observatory.teamspace.contacts import ContactError, remove_contact

    try:
        with session_scope(_sessions(get_settings())) as session:
            removed = remove_contact(session, team_id, email)
    except ContactError as error:
        _fail(error)
    click.echo(f"Team {team_id}: {removed.email} removed.")
