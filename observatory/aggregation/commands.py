"""The `observatory flags` commands: answers held as suspected bursts, listed, released or
discarded (registered in observatory/cli.py; each review is in the audit log)."""

from __future__ import annotations

import sys

import click

from observatory.config import get_settings
from observatory.db import session_scope, sessions_for

EXIT_BAD_INPUT = 2


@click.group()
def flags() -> None:
    """Answers held as suspected bursts (kept out of the statistics until released)."""


@flags.command("list")
@click.option("--place", "place_code", default=None, help="Only the held answers of a place.")
def flags_list(place_code: str | None) -> None:
    """List held answers: id, place, day, channel (never what was answered)."""
    from sqlalchemy import select

    from observatory.aggregation.review import held_answers
    from observatory.places.codes import normalise_code
    from observatory.places.models import Place

    with sessions_for(get_settings().database_url)() as session:
        place_ids = None
        if place_code is not None:
            code = normalise_code(place_code) or ""
            place_ids = list(session.scalars(select(Place.id).where(Place.code == code)))
            if not place_ids:
                click.echo(f"Error: no place has the code {place_code!r}.", err=True)
                sys.exit(EXIT_BAD_INPUT)
        held = held_answers(session, place_ids)
    for item in held:
        click.echo(f"{item.id}  {item.place_code}  {item.day:%Y-%m-%d}  {item.channel}")
    click.echo(f"{len(held)} held answer(s).", err=True)


def _review(action: str, ids: tuple[str, ...]) -> None:
    from observatory.access import audit
    from observatory.aggregation.review import discard, release
    from observatory.clock import today

    settings = get_settings()
    with session_scope(sessions_for(settings.database_url)) as session:
        if action == "release":
            done = release(session, ids, today(settings.timezone))
        else:
            done = discard(session, ids)
        audit.record(session, actor="cli", action=f"flag.{action}", detail={"answers": done})
    skipped = len(set(ids)) - done
    verb = {"release": "released", "discard": "discarded"}[action]
    note = f" {skipped} id(s) were not held." if skipped else ""
    click.echo(f"{done} answer(s) {verb}.{note}")


@flags.command("release")
@click.argument("ids", nargs=-1, required=True)
def flags_release(ids: tuple[str, ...]) -> None:
    """Release held answers IDS into the statistics (their cells are updated at once)."""
    _review("release", ids)


@flags.command("discard")
@click.argument("ids", nargs=-1, required=True)
def flags_discard(ids: tuple[str, ...]) -> None:
    """Keep held answers IDS out of the statistics for good (they stay stored)."""
    _review("discard", ids)
