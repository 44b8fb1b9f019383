"""Without OBSERVATORY_SECRET_KEY every command and the server share one key, made once and
kept beside the SQLite database (issue 10: a key per process refused the CLI's links)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from observatory.config import Settings
from observatory.keyring import KEY_FILE_NAME, read_keys


def test_two_processes_without_a_key_share_the_key_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OBSERVATORY_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'data' / 'observatory.sqlite3'}"
    first, second = Settings(database_url=url), Settings(database_url=url)
    assert first.secret_key.get_secret_value() == second.secret_key.get_secret_value()
    key_file = tmp_path / "data" / KEY_FILE_NAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    (key,) = read_keys(key_file)
    assert len(key.secret) >= 32 and key.id and key.created
    assert key.secret == first.secret_key.get_secret_value()


def test_the_newest_key_signs_and_a_given_key_wins(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OBSERVATORY_SECRET_KEY", raising=False)
    key_file = tmp_path / "keys.json"
    keys = [
        {"id": "new", "secret": "n" * 40, "created": "2026-12-01"},
        {"id": "old", "secret": "o" * 40, "created": "2026-01-01"},
    ]
    key_file.write_text(json.dumps({"keys": keys}))
    assert Settings(key_file=key_file).secret_key.get_secret_value() == "n" * 40
    given = Settings(key_file=key_file, secret_key="g" * 40)
    assert given.secret_key.get_secret_value() == "g" * 40


BROKEN = [
    "not json",
    '{"keys": []}',
    '{"keys": [{"id": "x"}]}',
    '{"keys": [{"id": "x", "secret": "short", "created": "d"}]}',
]


@pytest.mark.parametrize("body", BROKEN)
def test_a_broken_key_file_is_a_clear_error(tmp_path: Path, monkeypatch, body: str) -> None:
    monkeypatch.delenv("OBSERVATORY_SECRET_KEY", raising=False)
    key_file = tmp_path / "keys.json"
    key_file.write_text(body)
    with pytest.raises(ValueError, match="key"):
        Settings(key_file=key_file)
