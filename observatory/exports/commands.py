"""The `observatory edition` and `observatory export` commands (registered in cli.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from observatory.config import get_settings


@click.group()
def edition() -> None:
    """Frozen editions: published once, protected offline (docs/decisions/0020)."""


@edition.command("publish")
@click.argument("code")
@click.option("--dry-run", is_flag=True, help="Compute and report, store nothing.")
@click.option(
    "--early",
    is_flag=True,
    help="Publish before late answers (offline window) can still arrive: for tests only.",
)
def edition_publish(code: str, dry_run: bool, early: bool) -> None:
    """Compute the edition CODE (2026T3: the twelve months to September 2026) and freeze it."""
    from tqdm import tqdm

    from observatory import clock
    from observatory.db import session_scope, sessions_for
    from observatory.exports.editions import (
        EditionError,
        compose,
        publish,
        publishable_from,
    )
    from observatory.exports.table import Window
    from observatory.questionnaires.definitions import (
        current_version,
        packaged_definitions,
        parse_definition,
    )

    settings = get_settings()
    try:
        window = Window.parse(code)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    today = clock.today(settings.timezone)
    ready = publishable_from(window, clock.BACK_DAYS)
    if today < ready and not (dry_run or early):
        raise click.ClickException(
            f"l'édition {window.code} pourra être publiée à partir du {ready:%d/%m/%Y} : "
            "des réponses de la période peuvent encore arriver (kiosques hors ligne, papier)."
        )
    questionnaire = parse_definition(packaged_definitions()[current_version()])
    with (
        session_scope(sessions_for(settings.database_url)) as session,
        tqdm(desc=f"Protecting {window.code}", unit="cell") as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            composed = compose(session, window.code, questionnaire, settings, progress)
            summary = _summary(composed.published, composed.protection.unprotectable)
            if dry_run:
                click.echo(f"{summary} Nothing stored (--dry-run).")
                session.rollback()
                return
            publish(session, composed, today)
        except EditionError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Edition {window.code} published: {summary}")


def _summary(published: Mapping[Any, int | None], unprotectable: frozenset[Any]) -> str:
    hidden = sum(v is None for v in published.values())
    share = hidden / len(published) if published else 0.0
    return (
        f"{len(published):,} cells, {hidden:,} hidden ({share:.0%}), "
        f"{len(unprotectable):,} that cannot be protected (then nothing is published)."
    )


@edition.command("list")
def edition_list() -> None:
    """The published editions."""
    from sqlalchemy import select

    from observatory.db import session_scope, sessions_for
    from observatory.exports.models import Edition

    settings = get_settings()
    with session_scope(sessions_for(settings.database_url)) as session:
        rows = session.scalars(select(Edition).order_by(Edition.code)).all()
        if not rows:
            click.echo("No edition published yet.")
        for e in rows:
            click.echo(
                f"{e.code}  {e.first_month:%m/%Y}–{e.last_month:%m/%Y}  published "
                f"{e.published_on:%d/%m/%Y}  {e.cells} cells, {e.hidden} hidden (k={e.k})"
            )


@click.command("export")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory to write into (created if needed).",
)
@click.option("--edition", "code", required=True, help="A published edition, e.g. 2026T3.")
def export(out_dir: Path, code: str) -> None:
    """Write a published edition as CSV (hidden values empty), exactly as it was frozen."""
    from observatory.db import session_scope, sessions_for
    from observatory.exports.editions import EditionError, edition_rows, write_csv
    from observatory.exports.table import Window

    settings = get_settings()
    try:
        window = Window.parse(code)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    path = out_dir / f"edition-{window.code}.csv"
    with session_scope(sessions_for(settings.database_url)) as session:
        try:
            rows = edition_rows(session, window.code)
        except EditionError as error:
            raise click.ClickException(str(error)) from error
        out_dir.mkdir(parents=True, exist_ok=True)  # only once there is something to write
        count = write_csv(rows, path)
    click.echo(f"Wrote {count:,} rows to {path} ({dt.date.today():%d/%m/%Y}).")
