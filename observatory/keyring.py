"""The embedded default's signing keys: made once, kept beside the SQLite database.

Without `OBSERVATORY_SECRET_KEY`, every process used to draw its own random key, so a kiosk
link or a sign-in link printed by the CLI was refused by the running server. The key file is
created once (mode 0600, atomically: two processes starting together agree on one key) and
read by every command. It holds a list of keys with ids, newest first: a rotation adds a key in
front, and older ones can keep verifying what they signed (tokens, kiosk enrolments, form
tokens) until they are dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_FILE_NAME = "observatory.keys.json"


@dataclass(frozen=True)
class Key:
    id: str
    secret: str
    created: str


def default_key_file(database_url: str) -> Path:
    """Beside the SQLite file; in the working directory for any other database."""
    if database_url.startswith("sqlite:///") and not database_url.endswith(":memory:"):
        return Path(database_url.removeprefix("sqlite:///")).resolve().parent / KEY_FILE_NAME
    return Path.cwd() / KEY_FILE_NAME


def new_key(today: dt.date | None = None) -> Key:
    return Key(
        id=secrets.token_hex(4),
        secret=secrets.token_urlsafe(48),
        created=(today or dt.date.today()).isoformat(),
    )


def read_keys(path: Path) -> list[Key]:
    """The keys of a key file, newest first; ValueError if the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = [Key(str(k["id"]), str(k["secret"]), str(k["created"])) for k in data["keys"]]
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not an observatory key file: {error}") from error
    if not keys or any(len(k.secret) < 32 for k in keys):
        raise ValueError(f"{path} holds no key of at least 32 characters")
    return keys


def load_or_create(path: Path) -> list[Key]:
    """The keys in `path`, creating the file with one new key if it does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"keys": [new_key().__dict__]}, indent=2) + "\n"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use its key
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
    return read_keys(path)
