"""What a real browser transfers for /barometre/ and the form, under their real CSP.

Budgets (encoded bytes, bodies and headers, every request of a first visit with an empty cache;
docs/decisions/0014):
* /barometre/ < 800 KB: measured ≈ 650 KB with brotli, of which Plotly's basic bundle ≈ 365 KB
  and Dash's React, renderer and dcc ≈ 250 KB. dcc's full plotly.js alone would add 1.4 MB.
* the form /r/<code> < 60 KB: measured ≈ 10 KB.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import plotly.io as pio
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request

from dashboards.figures import monthly_answers_figure
from dashboards.queries import MonthPoint
from dashboards.shell import PLOTLY_VERSION
from observatory.disclosure.gate import Disclosed
from tests.browser.conftest import Site

BAROMETER_BUDGET = 800_000
FORM_BUDGET = 60_000
COMPRESSED = {"br", "gzip"}
# Smaller bodies are not worth compressing (flask-compress's COMPRESS_MIN_SIZE is 500 bytes).
COMPRESS_FROM = 1_000
TEXT = re.compile(r"^(text/|application/(javascript|json)|image/svg)")
# Our content hash, or Dash's version-and-mtime name of a component suite file.
FINGERPRINTED = re.compile(r"[?&]v=[0-9a-f]{16}$|/_dash-component-suites/.+\.v[\w-]+m[0-9a-f]+\.")
AXE = Axe()
OPTIONS = {"resultTypes": ["violations"]}
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
    [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(" ")));
"""


@dataclass(frozen=True)
class Transfer:
    path: str
    status: int
    encoding: str | None
    content_type: str
    body: int  # encoded (on the wire)
    headers: int


class Visit:
    """Every request of one page load, and what the console said."""

    def __init__(self, page: Page, site: Site) -> None:
        self.page = page
        self.site = site
        self.requests: list[Request] = []
        self.console: list[str] = []
        page.add_init_script(WATCH_CSP)
        # A bound method of a list cannot be given to page.on (Playwright tags its handlers).
        page.on("requestfinished", lambda request: self.requests.append(request))  # noqa: PLW0108
        page.on("console", lambda message: self.console.append(message.text))

    def transfers(self) -> list[Transfer]:
        found = []
        for req in self.requests:
            response = req.response()
            assert response is not None
            sizes = req.sizes()
            found.append(
                Transfer(
                    path=req.url.removeprefix(self.site.url),
                    status=response.status,
                    encoding=response.headers.get("content-encoding"),
                    content_type=response.headers.get("content-type", ""),
                    body=sizes["responseBodySize"],
                    headers=sizes["responseHeadersSize"],
                )
            )
        return found

    def total(self) -> int:
        return sum(t.body + t.headers for t in self.transfers())

    def csp_violations(self) -> list[str]:
        reported: list[str] = self.page.evaluate("window.__cspViolations")
        logged = [m for m in self.console if "Content Security Policy" in m]
        return reported + logged


@pytest.fixture
def visit(page: Page, site: Site) -> Iterator[Visit]:
    yield Visit(page, site)


def report(visit: Visit) -> str:
    return "\n".join(
        f"{t.body + t.headers:>9} {t.encoding or '-':>5} {t.status} {t.path}"
        for t in visit.transfers()
    )


def assert_compressed(visit: Visit) -> None:
    plain = [
        t.path
        for t in visit.transfers()
        if TEXT.match(t.content_type) and t.body >= COMPRESS_FROM and t.encoding not in COMPRESSED
    ]
    assert not plain, f"sent uncompressed: {plain}"


def plot_bars(page: Page) -> None:
    """The figure code of the barometer, with bars, drawn by the page's own Plotly bundle."""
    month = Disclosed(value=120, n=120, suppressed=False)
    points = [
        MonthPoint(dt.date(2026, m, 1), month, Disclosed(value=None, n=120, suppressed=True))
        for m in range(1, 7)
    ]
    figure = pio.to_json(monthly_answers_figure(points))
    page.evaluate(
        """(figure) => {
            const div = document.createElement("div");
            div.id = "bars-under-test";
            document.querySelector("main").appendChild(div);
            const f = JSON.parse(figure);
            return window.Plotly.newPlot(div, f.data, f.layout, {displayModeBar: false});
        }""",
        figure,
    )
    page.wait_for_selector("#bars-under-test .bars .point path")


def test_barometer_is_light_compressed_strict_and_accessible(visit: Visit, site: Site) -> None:
    page = visit.page
    reply = page.goto(f"{site.url}/barometre/")
    assert reply is not None
    policy = reply.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    page.wait_for_selector("#monthly-answers .main-svg")
    page.wait_for_load_state("networkidle")

    paths = [t.path for t in visit.transfers()]
    assert not any("plotly.min.js" in p for p in paths), "dcc's full plotly.js was fetched"
    assert any(f"plotly-basic-{PLOTLY_VERSION}.min.js?v=" in p for p in paths)
    assert page.evaluate("window.Plotly.version") == PLOTLY_VERSION
    assert_compressed(visit)
    assert visit.total() < BAROMETER_BUDGET, report(visit)
    assert page.evaluate("document.documentElement.lang") == "fr"

    plot_bars(page)  # bars and their hover labels, under the same policy
    page.evaluate(
        """() => window.Plotly.Fx.hover(
            document.getElementById("bars-under-test"), [{curveNumber: 0, pointNumber: 2}])"""
    )
    page.wait_for_selector("#bars-under-test .hovertext")
    assert visit.csp_violations() == [], "\n".join(visit.csp_violations())

    page.evaluate("document.getElementById('bars-under-test').remove()")
    results = AXE.run(page, options=OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_form_is_light_and_compressed(visit: Visit, site: Site) -> None:
    visit.page.goto(f"{site.url}/r/{site.code}")
    visit.page.wait_for_load_state("networkidle")
    assert_compressed(visit)
    assert any(t.encoding in COMPRESSED for t in visit.transfers())
    assert visit.total() < FORM_BUDGET, report(visit)
    assert visit.csp_violations() == []


def test_fingerprinted_assets_come_from_the_cache_on_a_second_visit(
    visit: Visit, site: Site
) -> None:
    page = visit.page
    page.goto(f"{site.url}/barometre/")
    page.wait_for_selector("#monthly-answers .main-svg")
    page.wait_for_load_state("networkidle")
    visit.requests.clear()
    page.goto(f"{site.url}/barometre/")
    page.wait_for_selector("#monthly-answers .main-svg")
    page.wait_for_load_state("networkidle")
    # Immutable assets are not even revalidated: only the page and its JSON travel again.
    again = [t.path for t in visit.transfers() if t.body > 0 and FINGERPRINTED.search(t.path)]
    assert again == [], report(visit)
    assert visit.total() < 50_000, report(visit)
