"""The `observatory token` and `observatory audit` commands (registered in observatory/cli.py).

Kept beside the access services they drive; heavy imports stay inside the commands so that
`observatory --help` stays quick.
"""

from __future__ import annotations

import sys

import click
from sqlalchemy.orm import Session, sessionmaker

from observatory.config import Settings, get_settings
from observatory.db import session_scope, sessions_for

EXIT_BAD_INPUT = 2


def _sessions(settings: Settings) -> sessionmaker[Session]:
    return sessions_for(settings.database_url)


@click.group()
def token() -> None:
    """Access tokens for teams, coordinators, ministry staff and researchers (one per person)."""


@token.command("issue")
@click.option(
    "--role", type=click.Choice(["team", "coordinator", "ministry", "researcher"]), required=True
)
@click.option(
    "--scope", default="*", show_default=True, help="Team id, or LEVEL:CODE for a coordinator."
)
@click.option(
    "--holder", required=True, help='The one person it is for, e.g. "Marie Dupont (EPN Reims)".'
)
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 366))
@click.option(
    "--print-token", is_flag=True, help="Also print the signed token (to paste, or for the API)."
)
def token_issue(role: str, scope: str, holder: str, days: int, print_token: bool) -> None:
    """Record a token for one person and print a single-use sign-in link for them."""
    from observatory.access.sessions import utcnow
    from observatory.access.signin import issue_link, issue_token
    from observatory.access.tokens import Role

    settings = get_settings()
    now = utcnow()
    try:
        with session_scope(_sessions(settings)) as session:
            signed, record = issue_token(
                session,
                settings.secret_key.get_secret_value(),
                Role(role),
                scope,
                holder=holder,
                days=days,
                now=now,
            )
            link = issue_link(
                session,
                record.jti,
                public_url=settings.public_url,
                hours=settings.signin_link_hours,
                now=now,
            )
    except ValueError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(link)
    if print_token:
        click.echo(signed)
    click.echo(
        f"holder={record.holder!r} role={record.role} scope={record.scope} jti={record.jti} "
        f"expires={record.expires:%Y-%m-%d}; the link works once, within "
        f"{settings.signin_link_hours} h (`observatory token link {record.jti}` for a new one).",
        err=True,
    )


@token.command("link")
@click.argument("jti")
def token_link(jti: str) -> None:
    """Print a fresh single-use sign-in link for an existing, unrevoked token."""
    from observatory.access.sessions import utcnow
    from observatory.access.signin import SigninError, issue_link

    settings = get_settings()
    try:
        with session_scope(_sessions(settings)) as session:
            link = issue_link(
                session,
                jti.strip(),
                public_url=settings.public_url,
                hours=settings.signin_link_hours,
                now=utcnow(),
            )
    except SigninError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(link)


@token.command("list")
@click.option("--role", type=click.Choice(["team", "coordinator", "ministry", "researcher"]))
@click.option("--scope", help="Only tokens for this scope (team id or LEVEL:CODE).")
def token_list(role: str | None, scope: str | None) -> None:
    """List the holders of recorded tokens, newest first."""
    from observatory.access.sessions import utcnow
    from observatory.access.signin import holders

    now = utcnow()
    with session_scope(_sessions(get_settings())) as session:
        for record in holders(session, role=role, scope=scope):
            if record.revoked_at is not None:
                state = f"revoked {record.revoked_at:%Y-%m-%d}"
            elif record.expires <= now:
                state = "expired"
            else:
                state = "active"
            click.echo(
                f"{record.jti}  {record.role:<11} {record.scope:<18} "
                f"{record.issued_at:%Y-%m-%d} → {record.expires:%Y-%m-%d}  {state:<18} "
                f"{record.holder}"
            )


@token.command("revoke")
@click.argument("jti")
def token_revoke(jti: str) -> None:
    """Refuse the token with this id from now on and end its open sessions at once."""
    from observatory.access.sessions import utcnow
    from observatory.access.signin import revoke_token

    with session_scope(_sessions(get_settings())) as session:
        ended = revoke_token(session, jti.strip(), now=utcnow())
    click.echo(f"Token {jti} revoked; {ended} open session(s) ended.")


@click.group()
def audit() -> None:
    """The audit log of staff actions (sign-ins, tokens, reviews); never about respondents."""


@audit.command("list")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
def audit_list(limit: int) -> None:
    """Print the newest events first."""
    import json

    from observatory.access.audit import recent

    with session_scope(_sessions(get_settings())) as session:
        for event in recent(session, limit):
            detail = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
            click.echo(
                f"{event.at:%Y-%m-%dT%H:%M:%SZ}  {event.actor:<38} {event.action:<18} "
                f"{event.target or '-'}  {detail}"
            )
