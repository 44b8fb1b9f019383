"""What the Content-Security-Policy of the Dash pages allows beyond 'self' (decision 0014).

Scripts: the hash of Dash's inline renderer bootstrap, from `Dash.csp_hashes()` at start-up.

Styles: the bundles of Dash's renderer and of dcc inject their CSS as `<style>` elements
(webpack's style-loader), whose text is fixed for a given Dash version: their SHA-256 are listed
here. Plotly appends empty `<style>` elements and fills them through `sheet.insertRule`, which
CSP does not govern: the hash of the empty text covers them. No 'unsafe-inline' is needed.

After a Dash upgrade, tests/browser/test_barometer_weight.py reports the hashes the browser
asks for; `DASH_VERSION` makes tests/unit/dashboards/test_shell.py fail until they are updated.
"""

from __future__ import annotations

from observatory.web.headers import EMPTY_STYLE_HASH

DASH_VERSION = "4.4.1"
DASH_STYLE_HASHES = (
    # dash-renderer's undo/redo buttons; dcc's buttons, checklists, options lists, inputs,
    # radio items, sliders, tabs, text areas, tooltips and shared custom properties (:root).
    "'sha256-+QoPrsxO0auPnxSulD3bAr9CoDGgzv7YRfYE0vfxeQI='",
    "'sha256-0IJGrxhCP5NUIafylLkj5118xkZH1kp5FmNio7NOckI='",
    "'sha256-Aq43X0SlmB69maWGob4rp/UuSHhwePalkRRExtsxOJ8='",
    "'sha256-Do5Z9ZqsPvCQTUBQS9BnDm/2+on7omuzuLYk5sbA+2s='",
    "'sha256-ITR5T9OwskhdqdsliUJRmgp9ltOFAHgXe1F7eRvGnmQ='",
    "'sha256-MJs2ke1SA6Cy3tTCZu2QH0rj0r//iNqU0idy9bM4leg='",
    "'sha256-SkhFDxgIcEjMhRh19uSHWrkdnAlZ9rlskgr9yLsipa8='",
    "'sha256-VUA+tqvhK3niMn7AdszqidMFPRh9FLqxB2iINUrsiTw='",
    "'sha256-X2TqJwnIiE/ceDVeAdr7v7BOWBU6CEzE6qxlNzBzvBk='",
    "'sha256-Z8VokGxeiKThZOEmkdUgfW+jxbvItBwAXC8M1c4wqAM='",
    "'sha256-uDiOZWps1U7E8/0BTaQrclYMhVhRVE4dT0vb5X6nXOw='",
)
STYLE_HASHES = (EMPTY_STYLE_HASH, *DASH_STYLE_HASHES)
