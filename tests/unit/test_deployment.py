"""docker-compose.yml describes the production stack (no Docker engine runs the tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from observatory.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def test_compose_has_the_five_services_on_one_image_and_one_set_of_settings() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    ours = [services[name] for name in ("migrate", "web", "worker", "beat")]
    assert all(service["build"] == "." for service in ours)
    environments = [service["environment"] for service in ours]
    assert all(env == environments[0] for env in environments)
    assert services["worker"]["command"][:2] == ["observatory", "worker"]
    assert services["beat"]["command"][:2] == ["observatory", "beat"]


def test_compose_settings_are_real_settings() -> None:
    environment = compose()["services"]["web"]["environment"]
    known = {f"OBSERVATORY_{name.upper()}" for name in Settings.model_fields}
    assert set(environment) <= known
    assert environment["OBSERVATORY_REDIS_URL"].startswith("redis://")
    assert environment["OBSERVATORY_DATABASE_URL"].startswith("postgresql+psycopg://")
    # Without it the server would answer only localhost (trusted hosts) and print local URLs.
    assert "OBSERVATORY_PUBLIC_URL" in environment


def test_image_writes_no_path_address_or_agent_to_an_access_log() -> None:
    """gunicorn's access log would write paths (place codes, kiosk credentials): the app logs
    route templates itself (tests/unit/survey/test_server_hardening.py)."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert "gunicorn" in command and "--access-log" not in command


def test_the_wsgi_app_keeps_start_up_objects_out_of_full_collections(tmp_path: Path) -> None:
    """gunicorn's entry point builds the app, then freezes what start-up made (a full garbage
    collection walking it cost team pages 100 ms one request in twenty)."""
    import os
    import subprocess
    import sys

    env = os.environ | {
        "OBSERVATORY_DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite3'}",
        "OBSERVATORY_SECRET_KEY": "w" * 40,
        "OBSERVATORY_REDIS_URL": "",
    }
    code = "import gc, observatory.wsgi; print(gc.get_freeze_count())"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000
