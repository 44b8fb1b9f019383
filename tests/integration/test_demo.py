"""Acceptance of `observatory demo`: seeds, serves, and shows a new answer within seconds."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FORM_FIELDS

OBSERVATORY = str(Path(sys.executable).parent / "observatory")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return str(reply.read().decode("utf-8"))


def national_answers(base: str) -> int:
    layout = json.dumps(json.loads(get(f"{base}/barometre/_dash-layout")), ensure_ascii=False)
    match = re.search(r'"children": "([\d\u202f]+)", "id": "national-answers"', layout)
    assert match, layout[:500]
    return int(match.group(1).replace("\u202f", ""))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    process = subprocess.Popen(
        [OBSERVATORY, "demo", "--places", "150", "--responses", "6000", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.5)
        yield base, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_demo_serves_the_barometer_and_shows_a_new_answer(demo: tuple[str, Path]) -> None:
    base, folder = demo
    database = folder / "observatory.sqlite3"
    assert database.exists()
    with sqlite3.connect(database) as conn:
        places = conn.execute("SELECT count(*) FROM place").fetchone()[0]
        departements = conn.execute(
            "SELECT count(DISTINCT t.departement_code) FROM place p "
            "JOIN territory t ON t.level = 'commune' AND t.code = p.commune_code"
        ).fetchone()[0]
        code = conn.execute("SELECT code FROM place ORDER BY id LIMIT 1").fetchone()[0]
    assert places == 150
    assert departements == 101
    before = national_answers(base)
    assert before == 6000

    form = dict(FORM_FIELDS.findall(get(f"{base}/r/{code}")))
    assert set(form) == {"idempotency_key", "token"}
    time.sleep(2.1)  # a person takes longer than the minimum fill time
    body = urllib.parse.urlencode({**form, "satisfaction": "tres_bien"})
    request = urllib.request.Request(f"{base}/r/{code}", data=body.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 200 and "Merci" in reply.read().decode("utf-8")

    start = time.monotonic()
    while national_answers(base) != before + 1:
        assert time.monotonic() - start < 10, "the answer did not reach the barometer"
        time.sleep(0.2)


def test_second_run_reuses_the_database(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    args = [OBSERVATORY, "demo", "--places", "120", "--responses", "2000", "--prepare-only"]
    first = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "Created: 120 places" in first.stdout
    assert str(tmp_path / "observatory.sqlite3") in first.stdout
    second = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "Reused: 120 places" in second.stdout and "2000 responses" in second.stdout
