"""Acceptance of `observatory demo`: seeds, serves, and shows a new answer within seconds."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from observatory.disclosure.perturbation import MAX_NOISE
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


class Output:
    """The demo's printed lines, read as they come (it keeps running while the test reads)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)

    def link(self, label: str) -> str:
        for line in self.lines:
            if line.startswith(label):
                return line.split()[len(label.split())]
        raise AssertionError(f"the demo printed no {label!r} line: {''.join(self.lines)}")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, Path, Output]]:
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
    output = Output(process)
    try:
        deadline = time.monotonic() + 600  # generous: the machine may be loaded
        while True:
            assert process.poll() is None, "".join(output.lines)
            try:
                get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.5)
        yield base, tmp_path, output
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_demo_serves_the_barometer_and_shows_a_new_answer(
    demo: tuple[str, Path, Output],
) -> None:
    base, folder, _ = demo
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
    assert abs(before - 6000) <= MAX_NOISE  # the public sees perturbed counts (decision 0018)

    form = dict(FORM_FIELDS.findall(get(f"{base}/r/{code}")))
    assert set(form) == {"idempotency_key", "token"}
    time.sleep(2.1)  # a person takes longer than the minimum fill time
    body = urllib.parse.urlencode({**form, "satisfaction": "tres_bien"})
    request = urllib.request.Request(f"{base}/r/{code}", data=body.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 200 and "Merci" in reply.read().decode("utf-8")

    # Behaviour, not speed (measured in bench/freshness.py): it is folded, with a generous wait,
    # and the barometer shows the new total (perturbed, so within MAX_NOISE of it).
    deadline = time.monotonic() + 120
    while not folded_everything(database):
        assert time.monotonic() < deadline, "the answer was not folded"
        time.sleep(0.2)
    assert abs(national_answers(base) - 6001) <= MAX_NOISE


def folded_everything(database: Path) -> bool:
    with sqlite3.connect(database) as conn:
        newest = conn.execute("SELECT max(seq) FROM response").fetchone()[0]
        folded = conn.execute("SELECT last_seq FROM fold_watermark WHERE name = 'cells'").fetchone()
    return folded is not None and folded[0] >= newest


def test_the_printed_links_work_as_printed(demo: tuple[str, Path, Output]) -> None:
    base, folder, output = demo
    key_file = folder / "observatory.keys.json"
    assert key_file.exists() and key_file.stat().st_mode & 0o777 == 0o600
    form = output.link("Form of a place:")
    assert form.startswith(f"{base}/r/") and "Votre avis" in get(form)
    assert "QR" in get(f"{form}/affiche") and base in get(f"{form}/affiche")
    kiosk = output.link("Its kiosk (tablet):")
    assert "Tablette non reconnue" not in get(kiosk)
    signin = output.link("Team sign-in (once):")
    page = get(signin)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    fields = {"csrf": csrf.group(1)} if csrf else {}
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    request = urllib.request.Request(
        signin, data=urllib.parse.urlencode(fields).encode(), method="POST"
    )
    with opener.open(request, timeout=10) as reply:
        assert reply.status == 200 and "/equipe/" in reply.geturl()
    # A token printed by the CLI after start-up is accepted too: one key for every command.
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(folder), "LANG": "C.UTF-8"}
    code = form.rsplit("/", 1)[1]
    enrolled = subprocess.run([OBSERVATORY, "kiosk", "enrol", code], cwd=folder, env=env,
                              capture_output=True, text=True, check=True)  # fmt: skip
    link = next(line for line in enrolled.stdout.splitlines() if "/kiosk/" in line)
    path = link[link.index("/kiosk/") :]
    assert "Tablette non reconnue" not in get(f"{base}{path}")


def test_second_run_reuses_the_database(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    args = [OBSERVATORY, "demo", "--places", "120", "--responses", "2000", "--prepare-only"]
    first = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "Created: 120 places" in first.stdout
    assert str(tmp_path / "observatory.sqlite3") in first.stdout
    second = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "Reused: 120 places" in second.stdout and "2000 responses" in second.stdout
