"""Page weight: compressed text responses and content-fingerprinted static files.

* Every text response (HTML, CSS, JavaScript, JSON — Dash's included, SVG) is compressed with
  brotli or gzip, whichever the request's Accept-Encoding prefers (flask-compress), and carries
  `Vary: Accept-Encoding`. Images already compressed (PNG, JPEG, WebP…) are left alone.
* `url_for(<any static endpoint>, filename=...)` gets `v=<sha256 prefix of the file>`, so the
  templates need no change; a static file asked for with the `v` of its current content is
  cached for a year (`immutable`), any other request for it is revalidated (`no-cache`).
* Dash's component suites already carry a version-and-mtime fingerprint in their name: they get
  the same `public, immutable` lifetime.

Compressing the same fingerprinted file again on every request would waste the CPU: their
compressed bytes are kept in a small in-process cache. Nothing else is cached.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Flask, request
from flask.wrappers import Request
from flask_compress import Compress
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

VERSION_ARG = "v"
VERSION_LENGTH = 16  # hex characters of the SHA-256: 64 bits, plenty against collisions
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPONENT_SUITES = "/_dash-component-suites/"
# Dash names a fingerprinted suite file `name.v<version>m<mtime>.ext` (dash.fingerprint).
DASH_FINGERPRINT = re.compile(r"^[^/.]+\.v[\w-]+m[0-9a-fA-F]+\.")
COMPRESSIBLE = [
    "text/html",
    "text/css",
    "text/plain",
    "text/xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
]
_CACHEABLE = "observatory.immutable"


class FileVersions:
    """SHA-256 prefixes of files, recomputed only when a file's size or mtime changes."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def of(self, path: str) -> str | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        with self._lock:
            known = self._known.get(path)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:VERSION_LENGTH]
        with self._lock:
            self._known[path] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


class ImmutableCache:
    """The compressed bytes of fingerprinted responses only, least recently used evicted.

    flask-compress asks its cache for every response; keys not marked immutable (see
    `_cache_key`) are never stored, so a dynamic page is always compressed afresh.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if not key.startswith(_CACHEABLE):
            return None
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if not key.startswith(_CACHEABLE) or len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._entries[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)


def _cache_key(req: Request) -> str:
    if req.environ.get(_CACHEABLE):
        return f"{_CACHEABLE}:{req.full_path}"
    return "dynamic"


def static_folder(app: Flask, endpoint: str) -> str | None:
    """The folder a static endpoint (`static` or `<blueprint>.static`) serves."""
    if endpoint == "static":
        return app.static_folder
    if not endpoint.endswith(".static"):
        return None
    blueprint = app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


def static_file(app: Flask, endpoint: str, filename: str) -> str | None:
    folder = static_folder(app, endpoint)
    if folder is None:
        return None
    path = safe_join(folder, filename)
    return path if path is not None and os.path.isfile(path) else None


def install_assets(app: Flask, versions: FileVersions | None = None) -> Compress:
    """Compression and fingerprinting for every response of `app`; returns the compressor."""
    known = versions or FileVersions()
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSIBLE)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", ImmutableCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", _cache_key)
    compress = Compress(app)

    @app.url_defaults
    def add_content_version(endpoint: str, values: dict[str, object]) -> None:
        filename = values.get("filename")
        if VERSION_ARG in values or not isinstance(filename, str):
            return
        path = static_file(app, endpoint, filename)
        version = known.of(path) if path else None
        if version is not None:
            values[VERSION_ARG] = version

    # Registered after flask-compress, so it runs before it (Flask runs them in reverse).
    @app.after_request
    def cache_lifetime(response: Response) -> Response:
        immutable = _is_fingerprinted(app, known)
        if immutable is None:
            return response
        if immutable and response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
            request.environ[_CACHEABLE] = True
        elif not immutable:
            response.headers["Cache-Control"] = REVALIDATE
        if response.direct_passthrough and response.mimetype in COMPRESSIBLE:
            # A file sent by send_file streams; read it so it is compressed whole (with gzip
            # too, which flask-compress does not stream) and its compressed bytes are cached.
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return response

    return compress


def _is_fingerprinted(app: Flask, known: FileVersions) -> bool | None:
    """True: the URL names this very content; False: a static file without its current
    version; None: not a static file."""
    if COMPONENT_SUITES in request.path:
        return bool(DASH_FINGERPRINT.match(request.path.rsplit("/", 1)[-1]))
    endpoint = request.endpoint
    filename = (request.view_args or {}).get("filename")
    if endpoint is None or not isinstance(filename, str):
        return None
    path = static_file(app, endpoint, filename)
    if path is None:
        return None
    wanted = request.args.get(VERSION_ARG)
    return wanted is not None and wanted == known.of(path)
