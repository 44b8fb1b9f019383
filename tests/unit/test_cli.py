"""The `observatory` command as an operator uses it: reports, exit codes, idempotence."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.cli import main
from observatory.config import get_settings
from observatory.places.models import Place, Team

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "data" / "lieux-mediation-numerique.exemple-valide.csv"
)


@pytest.fixture
def cli(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
    territories: None,
) -> Iterator[CliRunner]:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", database_url)
    monkeypatch.delenv("OBSERVATORY_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(main, list(args), catch_exceptions=False)


def mixed_file(tmp_path: Path) -> Path:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, row = reader.fieldnames, next(reader)
    assert header is not None
    rows = [
        {**row, "id": "good-1"},
        {**row, "id": "bad-postal", "code_postal": "5110"},
        {**row, "id": "good-2", "nom": "Médiathèque Carnegie"},
        {**row, "id": "bad-date", "date_maj": "2024-13-45"},
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "mixed.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_import_places_reports_each_rejection_and_is_idempotent(
    cli: CliRunner, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    path = mixed_file(tmp_path)
    first = run(cli, "import-places", str(path))
    assert first.exit_code == 0, first.output
    assert "2 imported" in first.output
    assert "line 3" in first.output and "code_postal" in first.output
    assert "line 5" in first.output and "date_maj" in first.output
    again = run(cli, "import-places", str(path))
    assert "0 imported" in again.output and "0 updated" in again.output
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Place)) == 2


def test_official_example_imports(cli: CliRunner, session_factory: sessionmaker[Session]) -> None:
    result = run(cli, "import-places", str(EXAMPLE))
    assert result.exit_code == 0 and "1 imported" in result.output
    with session_factory() as session:
        assert session.scalars(select(Place.commune_code)).one() == "51454"


def test_a_file_that_is_not_the_schema_exits_with_2(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "budget.csv"
    path.write_text("poste;montant\nlocation;1200\n", encoding="utf-8")
    result = cli.invoke(main, ["import-places", str(path)])
    assert result.exit_code == 2
    assert "Error:" in result.output and "id" in result.output


def test_team_create_and_errors(cli: CliRunner, session_factory: sessionmaker[Session]) -> None:
    run(cli, "import-places", str(EXAMPLE))
    with session_factory() as session:
        code = session.scalars(select(Place.code)).one()
    created = run(cli, "team", "create", "EPN de Reims", "--place", code)
    assert created.exit_code == 0 and "EPN de Reims" in created.output
    unknown = cli.invoke(main, ["team", "create", "Autre", "--place", "ZZZZZZ"])
    assert unknown.exit_code == 2 and "ZZZZZZ" in unknown.output
    with session_factory() as session:
        assert session.scalars(select(Team.name)).all() == ["EPN de Reims"]


def test_worker_refuses_to_start_without_redis(cli: CliRunner) -> None:
    result = cli.invoke(main, ["worker"])
    assert result.exit_code == 2 and "OBSERVATORY_REDIS_URL" in result.output


def test_db_upgrade_on_a_fresh_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["db", "upgrade"], catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0 and "new.sqlite3" in result.output
    assert (tmp_path / "new.sqlite3").exists()


def test_qr_writes_the_code_and_a_standalone_poster(
    cli: CliRunner, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    run(cli, "import-places", str(EXAMPLE))
    with session_factory() as session:
        code = session.scalars(select(Place.code)).one()
    result = run(cli, "qr", code.lower(), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"/r/{code}" in result.output
    svg = (tmp_path / f"qr-{code}.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert (tmp_path / f"qr-{code}.png").read_bytes().startswith(b"\x89PNG")
    poster = (tmp_path / f"affiche-{code}.html").read_text(encoding="utf-8")
    assert "<style>" in poster and "@page" in poster and 'rel="stylesheet"' not in poster
    assert "Anonymal" in poster
    missing = cli.invoke(main, ["qr", "ZZZZZZ", "--out", str(tmp_path)])
    assert missing.exit_code == 2


def test_kiosk_enrol_gives_a_link_that_revoke_withdraws(
    cli: CliRunner, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSERVATORY_SECRET_KEY", "cli-secret-0123456789abcdef-0123456789")
    get_settings.cache_clear()
    run(cli, "import-places", str(EXAMPLE))
    with session_factory() as session:
        code = session.scalars(select(Place.code)).one()
    enrolled = run(cli, "kiosk", "enrol", code, "--label", "Accueil")
    assert enrolled.exit_code == 0, enrolled.output
    link = next(line for line in enrolled.output.splitlines() if "/kiosk/" in line)
    token = link.rsplit("/kiosk/", 1)[1]
    from observatory.places.kiosks import kiosk_for_token

    with session_factory() as session:
        kiosk = kiosk_for_token(session, token, "cli-secret-0123456789abcdef-0123456789")
        assert kiosk is not None and kiosk.label == "Accueil"
    assert run(cli, "kiosk", "revoke", str(kiosk.id)).exit_code == 0
    with session_factory() as session:
        assert kiosk_for_token(session, token, "cli-secret-0123456789abcdef-0123456789") is None
    assert cli.invoke(main, ["kiosk", "revoke", "999"]).exit_code == 2
    assert cli.invoke(main, ["kiosk", "enrol", "ZZZZZZ"]).exit_code == 2


def test_a_new_questionnaire_version_needs_no_code_change(
    cli: CliRunner, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    import json

    from observatory.questionnaires.definitions import load_questionnaires, packaged_definitions

    v2 = json.loads(json.dumps(packaged_definitions()[1]))
    v2["version"] = 2
    v2["questions"].insert(
        1,
        {
            "id": "attente",
            "kind": "single",
            "label": "Avez-vous attendu longtemps ?",
            "options": [{"code": "non", "label": "Non"}, {"code": "oui", "label": "Oui"}],
        },
    )
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(v2), encoding="utf-8")
    result = run(cli, "questionnaire", "add", str(path))
    assert result.exit_code == 0 and "version 2" in result.output
    assert run(cli, "questionnaire", "add", str(path)).exit_code == 0  # identical: no-op
    v2["title"] = "Autre chose"
    path.write_text(json.dumps(v2), encoding="utf-8")
    assert cli.invoke(main, ["questionnaire", "add", str(path)]).exit_code == 2
    path.write_text('{"version": 3, "questions": []}', encoding="utf-8")
    assert cli.invoke(main, ["questionnaire", "add", str(path)]).exit_code == 2
    with session_factory() as session:
        versions = load_questionnaires(session)
    assert set(versions) == {1, 2}
    assert versions[2].question("attente") is not None


def test_fold_and_rebuild_report_what_they_did(cli: CliRunner) -> None:
    folded = run(cli, "fold")
    assert folded.exit_code == 0
    assert folded.output.strip() == "Folded 0 responses (0 rows written)."
    rebuilt = run(cli, "rebuild")
    assert rebuilt.exit_code == 0
    assert "Rebuilt 0 cells from 0 responses." in rebuilt.output


def test_token_issue_prints_a_single_use_link_that_revoke_ends(
    cli: CliRunner, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSERVATORY_PUBLIC_URL", "https://observatoire.example.fr")
    get_settings.cache_clear()
    holder = "Marie Dupont (EPN Reims)"
    issued = cli.invoke(
        main, ["token", "issue", "--role", "team", "--scope", "12", "--holder", holder]
    )
    assert issued.exit_code == 0, issued.output
    link = issued.stdout.strip()
    assert link.startswith("https://observatoire.example.fr/equipe/connexion/")
    assert "." not in link.rsplit("/", 1)[1]  # a code, not the signed token
    jti = issued.stderr.split("jti=", 1)[1].split()[0]
    listed = run(cli, "token", "list", "--role", "team")
    assert jti in listed.output and "Marie Dupont (EPN Reims)" in listed.output
    assert "active" in listed.output
    assert run(cli, "token", "list", "--scope", "13").output == ""
    path = urlsplit(link).path
    assert client.post(path).status_code == 303
    assert client.get("/equipe/saisie").status_code == 200
    assert client.post(path).status_code == 410  # used once already
    fresh = run(cli, "token", "link", jti)
    assert fresh.exit_code == 0 and fresh.output.strip() != link
    revoked = run(cli, "token", "revoke", jti)
    assert revoked.exit_code == 0 and "1 open session(s) ended" in revoked.output
    assert client.get("/equipe/saisie").status_code == 302  # the session is gone at once
    assert client.post(urlsplit(fresh.output.strip()).path).status_code == 410
    assert "revoked" in run(cli, "token", "list").output
    assert cli.invoke(main, ["token", "link", jti]).exit_code == 2
    assert cli.invoke(main, ["token", "link", "unknown"]).exit_code == 2
    actions = [line.split()[2] for line in run(cli, "audit", "list").output.splitlines()]
    assert actions == [
        "signin.fail",  # the fresh link, after revocation
        "token.revoke",
        "signin_link.issue",
        "signin.fail",  # the first link, used a second time
        "signin",
        "signin_link.issue",
        "token.issue",
    ]
    assert len(run(cli, "audit", "list", "--limit", "2").output.splitlines()) == 2


def test_token_issue_needs_a_holder_and_a_valid_scope(cli: CliRunner) -> None:
    missing = cli.invoke(main, ["token", "issue", "--role", "team", "--scope", "12"])
    assert missing.exit_code == 2 and "--holder" in missing.output
    bad = cli.invoke(main, ["token", "issue", "--role", "team", "--scope", "x", "--holder", "A"])
    assert bad.exit_code == 2 and "team's numeric id" in bad.output
    printed = run(cli, "token", "issue", "--role", "ministry", "--holder", "A", "--print-token")
    assert printed.exit_code == 0 and printed.stdout.splitlines()[1].count(".") == 2
