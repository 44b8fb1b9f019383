"""Compression, Vary and cache lifetimes of every kind of response (observatory.web.assets)."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from observatory.web.assets import IMMUTABLE, REVALIDATE, ImmutableCache, install_assets

GZIP = {"Accept-Encoding": "gzip"}
BOTH = {"Accept-Encoding": "gzip, deflate, br"}
SURVEY_CSS = Path(__file__).parents[3] / "survey" / "static" / "survey.css"


def version_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@pytest.fixture
def small_app(tmp_path: Path) -> Flask:
    """A bare app with a static folder: the assets layer alone, no database."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "app.js").write_text("console.log('observatoire');\n" * 200)
    (static / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4000))
    app = Flask(__name__, static_folder=str(static))

    @app.get("/page")
    def page() -> str:
        return "<p>Bonjour</p>" * 200

    install_assets(app)
    return app


def test_text_is_gzipped_only_when_asked_and_varies_on_accept_encoding(
    small_app: Flask,
) -> None:
    client = small_app.test_client()
    plain = client.get("/page")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    zipped = client.get("/page", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 10


def test_brotli_is_preferred_when_accepted(small_app: Flask) -> None:
    client = small_app.test_client()
    reply = client.get("/page", headers=BOTH)
    assert reply.headers["Content-Encoding"] == "br"
    assert brotli.decompress(reply.data) == client.get("/page").data


def test_images_already_compressed_are_left_alone(small_app: Flask) -> None:
    reply = small_app.test_client().get("/static/photo.png", headers=BOTH)
    assert reply.status_code == 200
    assert "Content-Encoding" not in reply.headers


def test_static_urls_carry_the_content_hash_and_are_immutable(small_app: Flask) -> None:
    client = small_app.test_client()
    with small_app.test_request_context():
        url = url_for("static", filename="app.js")
    expected = version_of(Path(small_app.static_folder or "") / "app.js")
    assert url == f"/static/app.js?v={expected}"

    fresh = client.get(url, headers=GZIP)
    assert fresh.headers["Cache-Control"] == IMMUTABLE
    assert fresh.headers["Content-Encoding"] == "gzip"  # static files too, gzip included
    assert gzip.decompress(fresh.data).startswith(b"console.log")

    for stale in ("/static/app.js", "/static/app.js?v=0123456789abcdef"):
        reply = client.get(stale, headers=GZIP)
        assert reply.status_code == 200
        assert reply.headers["Cache-Control"] == REVALIDATE


def test_a_changed_file_gets_a_new_url(small_app: Flask) -> None:
    with small_app.test_request_context():
        before = url_for("static", filename="app.js")
        (Path(small_app.static_folder or "") / "app.js").write_text("console.log('v2');\n" * 99)
        after = url_for("static", filename="app.js")
    assert before != after


def test_the_compressed_cache_keeps_fingerprinted_bytes_only() -> None:
    cache = ImmutableCache(max_bytes=10)
    cache.set("dynamic", b"page")
    assert cache.get("dynamic") is None
    cache.set("observatory.immutable:/a", b"123456")
    cache.set("observatory.immutable:/b", b"7890")
    assert cache.get("observatory.immutable:/a") == b"123456"
    cache.set("observatory.immutable:/c", b"xyz")  # over 10 bytes: the least recent goes
    assert cache.get("observatory.immutable:/b") is None
    assert cache.get("observatory.immutable:/a") == b"123456"


def test_survey_pages_and_their_assets(client: FlaskClient, make_place_once: str) -> None:
    form = client.get(f"/r/{make_place_once}", headers=GZIP)
    assert form.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in form.headers["Vary"]
    html = gzip.decompress(form.data).decode()
    css = re.search(r'href="(/static/survey/survey\.css\?v=[0-9a-f]{16})"', html)
    assert css is not None, "the form's stylesheet has no content version"
    assert css.group(1).endswith(version_of(SURVEY_CSS))
    asset = client.get(css.group(1), headers=GZIP)
    assert asset.headers["Cache-Control"] == IMMUTABLE
    assert asset.headers["Content-Encoding"] == "gzip"


def test_dash_json_and_component_suites(client: FlaskClient, territories: None) -> None:
    for path in ("/barometre/", "/barometre/_dash-layout"):
        reply = client.get(path, headers=GZIP)
        assert reply.status_code == 200
        assert reply.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in reply.headers["Vary"]
    page = gzip.decompress(client.get("/barometre/", headers=GZIP).data).decode()
    suite = re.search(r'src="(/barometre/_dash-component-suites/[^"]+\.v[^"]+\.js)"', page)
    assert suite is not None
    reply = client.get(suite.group(1), headers=BOTH)
    assert reply.headers["Content-Encoding"] == "br"
    assert reply.headers["Cache-Control"] == IMMUTABLE
