"""What every response of the app goes through: security headers, compression, cache lifetimes."""

from __future__ import annotations

from flask import Flask

from observatory.web.assets import install_assets
from observatory.web.headers import install_headers


def install_web(app: Flask) -> None:
    """Security headers (CSP), then compression and fingerprinted static files."""
    install_headers(app)
    install_assets(app)
