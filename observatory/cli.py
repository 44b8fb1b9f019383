"""The `observatory` command line: set-up, imports, folds, workers and the demo."""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.commands import audit, token
from observatory.aggregation.commands import flags
from observatory.config import Settings, get_settings
from observatory.db import session_scope, sessions_for
from observatory.digest.commands import contact, digest
from observatory.disclosure.commands import disclosure
from observatory.exports.commands import edition, export

EXIT_BAD_INPUT = 2


def _sessions(settings: Settings) -> sessionmaker[Session]:
    return sessions_for(settings.database_url)


def _describe_database(url: str) -> str:
    if url.startswith("sqlite:///"):
        return str(Path(url.removeprefix("sqlite:///")).resolve())
    return url.rsplit("@", maxsplit=1)[-1]  # never print credentials


@click.group()
@click.version_option(package_name="observatoire-mediation-numerique")
def main() -> None:
    """Observatoire citoyen de la médiation numérique."""
    logging.basicConfig(
        level=get_settings().log_level, format="%(levelname)s %(name)s: %(message)s"
    )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema (default: to the newest revision)."""
    from observatory.db import upgrade

    settings = get_settings()
    upgrade(settings.database_url, revision)
    click.echo(
        f"Database at {_describe_database(settings.database_url)} is at revision {revision}."
    )


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the schema back to REVISION ("base" drops everything)."""
    from observatory.db import downgrade

    downgrade(get_settings().database_url, revision)
    click.echo(f"Database downgraded to {revision}.")


@main.command("import-territories")
def import_territories_cmd() -> None:
    """Load the packaged territorial referential (communes, EPCI, départements, régions)."""
    from observatory.territories.service import import_territories

    with session_scope(_sessions(get_settings())) as session:
        counts = import_territories(session)
    click.echo(", ".join(f"{n} {level}" for level, n in counts.items()))


@main.command("import-places")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_places_cmd(file: Path) -> None:
    """Import places from FILE (CSV or JSON, national schema v1.0.2); re-import is idempotent."""
    from observatory.places.importer import (
        NotPlacesSchemaError,
        format_report,
        import_places,
        read_places_file,
    )
    from observatory.territories.referential import load_referential

    try:
        parsed = read_places_file(file)
    except NotPlacesSchemaError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    with session_scope(_sessions(get_settings())) as session:
        report = import_places(session, parsed, load_referential())
    click.echo(format_report(report))


@main.group()
def team() -> None:
    """Mediation teams and the places they serve."""


@team.command("create")
@click.argument("name")
@click.option("--place", "places", multiple=True, required=True, help="Public code of a place.")
def team_create(name: str, places: tuple[str, ...]) -> None:
    """Create team NAME serving the given places."""
    from observatory.places.teams import create_team

    try:
        with session_scope(_sessions(get_settings())) as session:
            created = create_team(session, name, places)
            click.echo(f"Team {created.name!r} (id {created.id}) serves {len(places)} place(s).")
    except ValueError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)


@team.command("add-place")
@click.argument("name")
@click.option("--place", "places", multiple=True, required=True, help="Public code of a place.")
def team_add_place(name: str, places: tuple[str, ...]) -> None:
    """Let team NAME also serve the given places."""
    from observatory.places.teams import add_places

    try:
        with session_scope(_sessions(get_settings())) as session:
            add_places(session, name, places)
    except ValueError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"Team {name!r} now also serves {', '.join(places)}.")


@main.command()
@click.argument("code")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the QR code (SVG, PNG) and the printable poster (HTML).",
)
def qr(code: str, out_dir: Path) -> None:
    """Make the QR code and the A4 poster of place CODE, locally (no online service)."""
    from flask import render_template
    from sqlalchemy import select

    from observatory.app import create_app
    from observatory.places.codes import normalise_code
    from observatory.places.models import Place
    from observatory.places.qr import form_url, poster_context, qr_png, qr_svg, qr_svg_document

    settings = get_settings()
    normalised = normalise_code(code)
    with _sessions(settings)() as session:
        place = session.scalar(select(Place).where(Place.code == (normalised or "")))
    if place is None:
        click.echo(f"Error: no place has the code {code!r}.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    url = form_url(settings.public_url, place.code)
    context = poster_context(place.name, place.commune_name, url)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"qr-{place.code}.svg").write_text(
        qr_svg_document(url, title=context["qr_title"]), encoding="utf-8"
    )
    (out_dir / f"qr-{place.code}.png").write_bytes(qr_png(url))
    app = create_app(settings, notifier=_NoNotifier())
    with app.test_request_context(f"/r/{place.code}/affiche"):
        # Inline CSS: the file is opened and printed locally, away from the server.
        css = (Path(app.blueprints["survey"].static_folder or "") / "poster.css").read_text("utf-8")
        page = render_template(
            "poster.html", qr=qr_svg(url, title=context["qr_title"]), inline_css=css, **context
        )
    (out_dir / f"affiche-{place.code}.html").write_text(page, encoding="utf-8")
    click.echo(f"{url}\nWrote qr-{place.code}.svg, qr-{place.code}.png, affiche-{place.code}.html")


@main.group()
def questionnaire() -> None:
    """Questionnaire versions (data, not code)."""


@questionnaire.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def questionnaire_add(file: Path) -> None:
    """Add the questionnaire version defined in FILE (JSON); the newest version is the form."""
    import json

    from observatory.questionnaires.definitions import add_version, ensure_questionnaires

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        with session_scope(_sessions(get_settings())) as session:
            ensure_questionnaires(session)
            added = add_version(session, data)
    except (ValueError, KeyError, TypeError) as error:
        click.echo(f"Error: {file} is not a valid questionnaire: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(
        f"Questionnaire version {added.version} ({len(added.questions)} questions) is stored."
    )
    click.echo("Restart the web processes to serve it; answers to older versions stay readable.")


@main.group()
def kiosk() -> None:
    """Tablets enrolled by places for answers given on site."""


@kiosk.command("enrol")
@click.argument("code")
@click.option("--label", default="Tablette d'accueil", show_default=True)
def kiosk_enrol(code: str, label: str) -> None:
    """Enrol a tablet for place CODE; prints the link to open once on the tablet."""
    from sqlalchemy import select

    from observatory.clock import today
    from observatory.places.codes import normalise_code
    from observatory.places.kiosks import enrol_kiosk
    from observatory.places.models import Place

    settings = get_settings()
    with session_scope(_sessions(settings)) as session:
        place = session.scalar(select(Place).where(Place.code == (normalise_code(code) or "")))
        if place is None:
            click.echo(f"Error: no place has the code {code!r}.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        created, token = enrol_kiosk(
            session, place, label, settings.secret_key.get_secret_value(), today(settings.timezone)
        )
        click.echo(f"Kiosk {created.id} ({created.label}) for {place.name}:")
    click.echo(f"{settings.public_url.rstrip('/')}/kiosk/{token}")
    click.echo("Open this link once on the tablet; `observatory kiosk revoke ID` withdraws it.")


@kiosk.command("revoke")
@click.argument("kiosk_id", type=int)
def kiosk_revoke(kiosk_id: int) -> None:
    """Withdraw a tablet: its link stops working at once."""
    from observatory.clock import today
    from observatory.places.kiosks import revoke_kiosk

    settings = get_settings()
    try:
        with session_scope(_sessions(settings)) as session:
            revoke_kiosk(session, kiosk_id, today(settings.timezone))
    except ValueError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"Kiosk {kiosk_id} revoked.")


main.add_command(token)  # observatory/access/commands.py: tokens, sign-in links
main.add_command(audit)
main.add_command(flags)  # observatory/aggregation/commands.py: held answers
main.add_command(disclosure)  # observatory/disclosure/commands.py: the perturbation table
main.add_command(edition)  # observatory/exports/commands.py: frozen editions
main.add_command(export)
main.add_command(digest)  # observatory/digest/commands.py: the weekly digest
team.add_command(contact)  # its addresses: `team contact add|list|remove`


class _NoNotifier:
    """For commands that build the app only to render a page: no worker needed."""

    def notify(self) -> None:
        pass

    def close(self) -> None:
        pass


@main.command()
def fold() -> None:
    """Fold every response past the watermark now (the workers normally do it)."""
    from observatory.workers.tasks import run_fold

    result = run_fold(get_settings())
    message = f"Folded {result['responses']} responses ({result['rows']} rows written)"
    if result["compacted"]:
        message += f"; compacted the delta log into {result['compacted']} cells"
    click.echo(message + ".")


@main.command()
def rebuild() -> None:
    """Recompute every aggregate cell from the responses (gives exactly the same cells)."""
    from observatory.aggregation.rebuild import rebuild_cells

    settings = get_settings()
    result = rebuild_cells(_sessions(settings), settings, progress=True)
    click.echo(f"Rebuilt {result.rows_written} cells from {result.responses} responses.")


def _public_settings(settings: Settings, host: str, port: int) -> Settings:
    """Settings whose public URL follows --host and --port unless OBSERVATORY_PUBLIC_URL says
    otherwise: the URLs in QR codes, kiosk and sign-in links must reach this server."""
    if "public_url" in settings.model_fields_set:
        return settings
    shown = host
    if host in ("0.0.0.0", "::", ""):
        # Every interface: phones on the same network reach the machine's own address.
        shown = socket.gethostbyname(socket.gethostname())
    if ":" in shown:
        shown = f"[{shown}]"
    return settings.model_copy(update={"public_url": f"http://{shown}:{port}"})


def _serve(settings: Settings, host: str, port: int) -> None:
    from waitress import serve

    from observatory.app import create_app, freeze_startup_objects

    app = create_app(settings)
    freeze_startup_objects()
    mode = "in-process worker" if settings.embedded else "Celery workers via Redis"
    click.echo(f"Serving on {settings.public_url}/  (tasks: {mode}; Ctrl+C to stop)")
    if host in ("127.0.0.1", "localhost", "::1"):
        click.echo("Only this computer can open these links; to scan a QR code with a phone on "
                   "the same network, run again with --host 0.0.0.0.")  # fmt: skip
    serve(app, host=host, port=port, threads=8, _quiet=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the form, the API and the dashboards (production: gunicorn 'observatory.wsgi:app')."""
    _serve(_public_settings(get_settings(), host, port), host, port)


@main.command()
@click.option("--concurrency", default=2, show_default=True, type=int)
def worker(concurrency: int) -> None:
    """Start a Celery worker (needs OBSERVATORY_REDIS_URL)."""
    settings = get_settings()
    if settings.embedded:
        click.echo(
            "Error: set OBSERVATORY_REDIS_URL; without Redis, `serve` runs tasks in-process.",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    from observatory.workers.celery_app import app

    app.worker_main(["worker", f"--concurrency={concurrency}", f"--loglevel={settings.log_level}"])


@main.command()
def beat() -> None:
    """Start celery beat (the periodic sweep that folds answers whose notification was lost)."""
    settings = get_settings()
    if settings.embedded:
        click.echo(
            "Error: set OBSERVATORY_REDIS_URL; the in-process worker sweeps by itself.", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
    import tempfile

    from observatory.workers.celery_app import app

    schedule = Path(tempfile.gettempdir()) / "observatory-celerybeat-schedule"
    app.start(["beat", f"--loglevel={settings.log_level}", f"--schedule={schedule}"])


@main.command()
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--places", "n_places", default=2000, show_default=True, type=click.IntRange(1, 50_000)
)
@click.option(
    "--responses",
    "n_responses",
    default=200_000,
    show_default=True,
    type=click.IntRange(1, 5_000_000),
)
@click.option("--prepare-only", is_flag=True, help="Seed and fold, then exit without serving.")
def demo(port: int, host: str, n_places: int, n_responses: int, prepare_only: bool) -> None:
    """Seed synthetic but realistic data on the embedded default and serve everything."""
    from tqdm import tqdm

    from observatory.clock import today
    from observatory.db import upgrade
    from observatory.demo.seed import prepare_demo

    settings = get_settings()
    click.echo(f"Database: {_describe_database(settings.database_url)}")
    upgrade(settings.database_url)
    chunks = -(-n_responses // 20_000)
    total_steps = 5 + chunks
    with tqdm(total=total_steps, desc="Preparing the demo", unit="step") as bar:

        def step(message: str) -> None:
            bar.set_postfix_str(message)
            bar.update(1)

        summary = prepare_demo(
            _sessions(settings),
            n_places=n_places,
            n_responses=n_responses,
            today=today(settings.timezone),
            step=step,
        )
        bar.update(max(0, total_steps - bar.n))
    verb = "Reused" if summary.reused else "Created"
    click.echo(
        f"{verb}: {summary.places} places, {summary.teams} teams, {summary.responses} responses. "
        "Delete the database file to start again from scratch."
    )
    if prepare_only:
        return
    settings = _public_settings(settings, host, port)
    _print_demo_links(settings)
    _serve(settings, host, port)


def _print_demo_links(settings: Settings) -> None:
    from observatory.access.sessions import utcnow
    from observatory.demo.links import demo_links

    with session_scope(_sessions(settings)) as session:
        links = demo_links(
            session,
            secret=settings.secret_key.get_secret_value(),
            public_url=settings.public_url,
            signin_hours=settings.signin_link_hours,
            now=utcnow(),
        )
    base = settings.public_url.rstrip("/")
    click.echo(
        f"""
Barometer:            {base}/barometre/
Form of a place:      {links.form}   ({links.place_name}, code {links.place_code})
Its poster:           {links.form}/affiche
Its kiosk (tablet):   {links.kiosk}
Team sign-in (once):  {links.signin}   ({links.team_name})
"""
    )


if __name__ == "__main__":
    main()
