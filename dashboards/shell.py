"""The HTML shell of our Dash pages: French, content-versioned assets, local Plotly bundle.

Dash writes `<html>` without a language and versions its asset URLs by modification time
(`?m=<mtime>`); `ObservatoryDash` declares `lang="fr"` and asks Flask for the asset URLs instead,
so they carry the content version that observatory.web.assets adds to every static URL (and
that earns them a year of caching).

`PLOTLY_BUNDLE` in dashboards/assets defines `window.Plotly` before dcc's Graph loads: dcc then
never fetches its own full plotly.js (see dashboards/assets/plotly-basic-*.SOURCE.md).
"""

from __future__ import annotations

import re
from typing import Any

from dash import Dash
from flask import url_for

PLOTLY_VERSION = "4.1.1"
PLOTLY_BUNDLE = f"plotly-basic-{PLOTLY_VERSION}.min.js"

# Dash's own index, with a language, and without the <footer> it wraps its scripts in (a
# landmark with no content for assistive technologies).
INDEX_STRING = """<!DOCTYPE html>
<html lang="fr">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


class ObservatoryDash(Dash):
    """A Dash app whose index is French and whose asset URLs carry a content hash."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("index_string", INDEX_STRING)
        super().__init__(*args, **kwargs)

    def assets_endpoint(self) -> str:
        prefix = self.config.routes_pathname_prefix.replace("/", "_").replace(".", "_")
        return f"{prefix}dash_assets.static"

    def interpolate_index(  # noqa: PLR0917 (Dash's signature)
        self,
        metas: str = "",
        title: str = "",
        css: str = "",
        config: str = "",
        scripts: str = "",
        app_entry: str = "",
        favicon: str = "",
        renderer: str = "",
    ) -> str:
        assets = re.escape(self.config.requests_pathname_prefix + "assets/")
        by_mtime = re.compile(assets + r'(?P<path>[^"?]+)\?m=[0-9.]+')
        endpoint = self.assets_endpoint()

        def by_content(match: re.Match[str]) -> str:
            return url_for(endpoint, filename=match.group("path"))

        index: str = super().interpolate_index(  # type: ignore[no-untyped-call]
            metas=metas,
            title=title,
            css=by_mtime.sub(by_content, css),
            config=config,
            scripts=by_mtime.sub(by_content, scripts),
            app_entry=app_entry,
            favicon=by_mtime.sub(by_content, favicon),
            renderer=renderer,
        )
        return index
