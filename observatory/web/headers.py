"""Security headers of every response (CSP without inline script, no third-party origin).

Every page gets `CSP`. A Dash app mounted under a prefix registers its own policy with
`register_dash_policy`: the same, plus the hashes of the inline scripts Dash writes into its
index page (its renderer bootstrap) and of the empty `<style>` elements Plotly fills through
the CSSOM (docs/decisions/0014). Neither policy allows 'unsafe-inline' or 'unsafe-eval'.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# SHA-256 of the empty string: Plotly appends empty <style> elements to <head> and then fills
# them with `sheet.insertRule`, which CSP does not govern; their (empty) text must be allowed.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
DASH_POLICIES = "observatory.dash_csp"


def dash_policy(script_hashes: Iterable[str], style_hashes: Iterable[str] = ()) -> str:
    """`CSP` with the given hashes (each already quoted, as `Dash.csp_hashes()` gives them)."""
    scripts = " ".join(["'self'", *script_hashes])
    styles = " ".join(["'self'", *style_hashes])
    return CSP.replace("script-src 'self'", f"script-src {scripts}").replace(
        "style-src 'self'", f"style-src {styles}"
    )


def register_dash_policy(
    app: Flask, prefix: str, script_hashes: Iterable[str], style_hashes: Iterable[str] = ()
) -> str:
    """Serve every response under `prefix` with `dash_policy(...)`; returns that policy."""
    policy = dash_policy(script_hashes, style_hashes)
    policies: dict[str, str] = app.extensions.setdefault(DASH_POLICIES, {})
    policies[prefix] = policy
    return policy


def policy_for(app: Flask, path: str) -> str:
    policies: dict[str, str] = app.extensions.get(DASH_POLICIES, {})
    for prefix, policy in policies.items():
        if path.startswith(prefix):
            return policy
    return CSP


def install_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # No inline script, nothing from another origin; Dash pages: hashes of their own.
        response.headers.setdefault("Content-Security-Policy", policy_for(app, request.path))
        return response
