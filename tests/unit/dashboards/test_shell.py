"""The barometer's HTML shell: French, hash-based CSP, local and versioned assets."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from pathlib import Path

import dash
from flask.testing import FlaskClient
from plotly.offline import get_plotlyjs_version

from dashboards import csp
from dashboards.shell import PLOTLY_BUNDLE, PLOTLY_VERSION
from observatory.web.headers import CSP, EMPTY_STYLE_HASH

ROOT = Path(__file__).parents[3]
ASSETS = ROOT / "dashboards" / "assets"


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {name: values for name, *values in parts}


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_barometer_is_french(client: FlaskClient, territories: None) -> None:
    html = client.get("/barometre/").get_data(as_text=True)
    assert re.search(r'<html lang="fr">', html)


def test_barometer_csp_allows_its_own_inline_script_by_hash_only(
    client: FlaskClient, territories: None
) -> None:
    reply = client.get("/barometre/")
    policy = directives(reply.headers["Content-Security-Policy"])
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in policy["style-src"]
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", reply.get_data(True), re.S)
    executable = [body for attrs, body in inline if "application/json" not in attrs]
    assert executable, "Dash's renderer bootstrap is inline"
    for body in executable:
        assert sha256(body) in scripts
    # Everything else is the site-wide policy.
    assert {k: v for k, v in policy.items() if k not in ("script-src", "style-src")} == {
        k: v for k, v in directives(CSP).items() if k not in ("script-src", "style-src")
    }
    assert policy["style-src"] == ["'self'", EMPTY_STYLE_HASH, *csp.DASH_STYLE_HASHES]


def test_other_pages_keep_the_strict_policy(client: FlaskClient, territories: None) -> None:
    assert client.get("/").headers["Content-Security-Policy"] == CSP


def test_assets_are_local_and_content_versioned(client: FlaskClient, territories: None) -> None:
    html = client.get("/barometre/").get_data(as_text=True)
    assert "?m=" not in html
    for name in (PLOTLY_BUNDLE, "barometer.css"):
        digest = hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()[:16]
        assert f"/barometre/assets/{name}?v={digest}" in html
    assert "plotly.min.js" not in html
    assert "https://" not in html


def test_plotly_bundle_matches_the_python_package_and_ships_its_licence() -> None:
    assert get_plotlyjs_version() == PLOTLY_VERSION
    head = (ASSETS / PLOTLY_BUNDLE).read_text("utf-8")[:300]
    assert f"plotly.js (basic - minified) v{PLOTLY_VERSION}" in head
    assert (ASSETS / f"plotly-basic-{PLOTLY_VERSION}.LICENSE.txt").read_text().startswith("MIT")
    source = (ASSETS / f"plotly-basic-{PLOTLY_VERSION}.SOURCE.md").read_text()
    assert f"plotly.js-basic-dist-min`, version **{PLOTLY_VERSION}**" in source
    no_eval = (ASSETS / PLOTLY_BUNDLE).read_text("utf-8")
    assert "new Function" not in no_eval and "eval(" not in no_eval


def test_the_assets_are_installed_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "assets/*" in config["tool"]["setuptools"]["package-data"]["dashboards"]
    assert any(d.startswith("flask-compress") for d in config["project"]["dependencies"])


def test_style_hashes_were_taken_from_this_dash_version() -> None:
    # On a Dash upgrade: run tests/browser/test_barometer_weight.py, which prints the hashes
    # the browser asks for, update dashboards/csp.py and DASH_VERSION.
    assert dash.__version__ == csp.DASH_VERSION
