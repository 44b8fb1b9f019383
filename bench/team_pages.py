"""Benchmark of the team space's page builds (/equipe/) at DESIGN §9's scale, on PostgreSQL.

    .venv/bin/python bench/team_pages.py [--server postgresql+psycopg://postgres@127.0.0.1:5432/]
        [--repeat 60] [--warmup 3] [--cold-repeat 20] [--pdf [--pdf-repeat 10]] [--wait-minutes 40]
        [--accept-encoding "gzip, deflate, br, zstd"] [--output bench/results/team_pages.json]

Issue 12's acceptance: "with 10 M responses and 20,000 places folded, building the team page
and each callback has p95 ≤ 150 ms for a team of 1 place and of 30 places" (DESIGN §9's budget).

The run:

1. the data: the database `bench_dashboards` that `bench/dashboard_pages.py --keep` left (10 M
   responses, 20,000 places, 36 months ending last month, every cell rebuilt), as it is; it is
   never dropped, and never the tests' database. The run stops with a message when it does not
   exist or holds no cells. A database kept before the product's latest migrations is first
   brought to its head with `observatory.db.upgrade`, as a deployment would be (0011 creates
   the team space's tables, empty; 0012 adds columns to the (place_id, day) index of the
   answers); the revisions before and after are recorded;
2. waits while `bench/editions.py` runs (another bench, heavy on the same 2 cores and the same
   server): `pgrep -f bench/editions.py` every 30 s, up to `--wait-minutes`, logged;
3. the teams: the team of one place whose place has the most answers (the data's teams serve 1
   or 2 places), and a team of its own, "Équipe banc d'essai 30 lieux", linked (`team_place`)
   to the 30 places with the most answers of the département with the most places. That team,
   its links and the two sign-in sessions are removed at the end, whatever happens (try/finally,
   SIGTERM included; a team of that name a killed run left is removed first). The two sign-ins'
   audit events stay, as any sign-in's do;
4. builds the product's app with `observatory.app.create_app` on that database (no Redis, a
   notifier that does nothing: nothing is folded during the run), then freezes what start-up
   built out of the garbage collector's full passes as the servers do
   (`observatory.app.freeze_startup_objects`), and signs in as each team as a
   browser does: a token from `observatory.access.tokens.issue` with the app's secret, POSTed to
   `/equipe/connexion`, the session cookie kept by a Flask test client of each team's own;
5. checks once, untimed, that every reply is 200 and holds what the page shows (the results'
   "N réponses sur …" and the funnel of the département, each page's title, the CSV's tables,
   the report's heading): a fast error page is not a result. The run stops loudly otherwise;
6. times, in `--repeat` interleaved rounds (the order rotating from round to round, both teams
   in every round) after `--warmup` untimed ones, each operation once per round, each a request
   of its own through the test client with the browser's Accept-Encoding (`--accept-encoding`;
   the app compresses its replies as it would for a browser), so that every request opens its
   own database sessions as in production:
   a. the page build: GET `/equipe/_dash-layout` (checks the session, reads the team's name);
   b. the page's callback, POST `/equipe/_dash-update-component` with the JSON the browser
      sends when the address changes, for the results (`?periode=3m&lieu=tous`, `12m` and this
      year; for the 30-place team also one place, `lieu=<id>`), the comments (`?periode=3m`),
      "nous avons fait", the answers held for review and the places pages; and the funnel's
      own callback, which the browser sends once the results are shown, for the same four
      results queries;
   c. the CSV download of the results (`?periode=12m&lieu=tous`) and the annual report of this
      year as HTML (GET `/equipe/bilan/<année>`); with `--pdf`, the report as a PDF
      (weasyprint), `--pdf-repeat` rounds after the others; and the public page of the team's
      département (GET `/barometre/territoires/<code>`, where its published "nous avons
      fait" appear; a page build);
   d. the baselines: a, one SELECT, through the same session factory and driver, of the
      place-month cells of the team over the 12 months of `?periode=12m` (`scope_level =
      'place'`, the team's place codes, `period_kind = 'month'`, `breakdown = 'none'`, every
      question: the floor of the page's own figures); b, one SELECT of the satisfaction cells
      of every place of the team's département over the same months, what the funnel reads;
      c, the framework's floor, GET `/healthz` (a constant dict) through the same test client
      and every hook of the app. (The 3-month pages read a quarter of a's and b's rows.)
   Reports p50, p95 and max of each, the ratios to the cells' SELECT and to Flask's floor, and
   whether p95 ≤ 150 ms; no assertion is made on times;
7. times the results and funnel callbacks again, `--cold-repeat` rounds, with the product's
   in-process memos (`observatory.analysis.memo.Memo`: the funnel's public counts and its
   places' earlier months, kept ten minutes and while the département's cells stay the same;
   the reasons by group) emptied before each request, the shared store (`--redis`, which the
   workers' step filled before the rounds) kept: what the first visit after a restart, or
   after ten minutes without one, costs, which the rounds above, seconds apart, do not see;
   then the funnel callbacks with the shared store emptied too (Redis restarted, before the
   workers' next sweep), and as they run after one new answer in the département before the
   workers made its counts again (its public counts emptied in the memo and the store, its
   places' earlier months kept, the last month read again). Before the rounds it times the
   workers' step itself (`observatory.workers.tasks.make_ahead`): from an empty store, with
   nothing changed, and after answers in the largest département;
8. profiles the slowest callback (the highest p95), and the slowest results callback if that
   is another, once each with cProfile, untimed, and keeps their top functions by cumulative
   and by own time; then sends each once more, not profiled, with every SQL statement timed
   (SQLAlchemy's cursor events), to show where its database time goes.

bench/dashboard_pages.py is loaded with importlib (as bench/report.py loads
bench/aggregation.py) for its helpers: summaries, rounds, machine and data descriptions.

Writes bench/results/team_pages.json (every round, the summaries, the teams, the data's scale,
the machine, the profile) and prints a Markdown table for docs/performance.md. Progress goes to
stderr.

(This file is not called bench/dashboards.py, the name issue 12 gives it: bench/ comes first on
sys.path when a bench runs, and a module of that name would shadow the project's `dashboards`
package.)
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import hashlib
import importlib.util
import json
import os
import pstats
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import redis
from report import write_results  # bench/ is on sys.path when a bench runs
from sqlalchemy import Engine, bindparam, event, text

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "results" / "team_pages.json"
BENCH_TEAM = "Équipe banc d'essai 30 lieux"
BIG_TEAM_PLACES = 30
BROWSER_ENCODING = "gzip, deflate, br, zstd"  # what Chrome and Firefox send
REDIS = "redis://127.0.0.1:6379/11"  # the bench's own Redis database, never the suite's 9
WORKER_ROUNDS = 20
EDITIONS = "bench/editions.py"
WAIT_EVERY_S = 30

# The floor of the results page's own figures: the place-month cells of the team over the 12
# months of `?periode=12m` (psycopg sends the lists as arrays; PostgreSQL plans `IN (…)` as
# `= ANY (array)` too). Every question: a page shows five indicators and the reasons.
TEAM_CELLS_SQL = """
SELECT scope_code, period_start, question, n, counts_json, keys_json
FROM aggregate_cell
WHERE scope_level = 'place' AND scope_code = ANY(:codes) AND period_kind = 'month'
  AND breakdown = 'none' AND period_start = ANY(:months)
"""
# The floor of the funnel: the satisfaction cells of every place of the team's département,
# the same 12 months.
FUNNEL_CELLS_SQL = """
SELECT scope_code, period_start, n, counts_json, keys_json
FROM aggregate_cell
WHERE scope_level = 'place' AND scope_code = ANY(:codes) AND period_kind = 'month'
  AND breakdown = 'none' AND question = 'satisfaction' AND period_start = ANY(:months)
"""


def load_dashboard_bench() -> ModuleType:
    """bench/dashboard_pages.py as a module, for its helpers (as report.py loads aggregation)."""
    spec = importlib.util.spec_from_file_location(
        "bench_dashboard_pages", Path(__file__).with_name("dashboard_pages.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


dp = load_dashboard_bench()
log: Callable[[str], None] = dp.log


# --------------------------------------------------------------------------------------------
# The database and the teams


def wait_for_editions(max_minutes: float) -> dict[str, Any]:
    """Wait while bench/editions.py runs (it shares the 2 cores and the server)."""
    started = time.monotonic()
    checks = 0
    while True:
        found = subprocess.run(
            ["pgrep", "-f", EDITIONS], capture_output=True, text=True, check=False
        ).stdout.split()
        checks += 1
        waited = time.monotonic() - started
        if not found:
            if checks > 1:
                log(f"{EDITIONS} has ended; waited {waited / 60:.1f} min")
            else:
                log(f"no {EDITIONS} running: no wait")
            return {"waited_s": round(waited), "checks": checks, "still_running": False}
        if waited >= max_minutes * 60:
            log(
                f"{EDITIONS} still runs (pid {', '.join(found)}) after {waited / 60:.1f} min: "
                "timing anyway"
            )
            return {"waited_s": round(waited), "checks": checks, "still_running": True}
        log(f"{EDITIONS} runs (pid {', '.join(found)}); waiting {WAIT_EVERY_S} s")
        time.sleep(WAIT_EVERY_S)


def bring_schema_up(url: str, engine: Engine) -> dict[str, Any]:
    """The product's migrations up to head (0011 adds the team space's empty tables)."""
    from observatory.db import upgrade

    def version() -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())

    before = version()
    upgrade(url)
    after = version()
    if after != before:
        log(f"schema brought from revision {before} to {after} (the team space's tables)")
    return {"revision_before": before, "revision": after}


@dataclass(frozen=True)
class Team:
    key: str  # "one" or "thirty"
    id: int
    name: str
    place_ids: list[int]
    place_codes: list[str]
    place_names: list[str]
    answers: int  # at its places
    departement: str  # its main département (all its places are there)
    departement_codes: list[str]  # the codes of every place of that département
    created: bool  # made by this bench (removed at the end)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "places": len(self.place_ids),
            "place_ids": self.place_ids,
            "answers": self.answers,
            "departement": self.departement,
            "departement_places": len(self.departement_codes),
            "created_by_bench": self.created,
        }


def departement_places(conn: Any, departement: str) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT p.code FROM place p JOIN territory t ON t.level = 'commune' "
                "AND t.code = p.commune_code WHERE t.departement_code = :dep ORDER BY p.code"
            ),
            {"dep": departement},
        ).scalars()
    )


def remove_bench_team(engine: Engine) -> int:
    """The bench's team and (ON DELETE CASCADE) its links and team space rows."""
    with engine.begin() as conn:
        return conn.execute(
            text("DELETE FROM team WHERE name = :name"), {"name": BENCH_TEAM}
        ).rowcount


def one_place_team(engine: Engine) -> Team:
    """The team of one place whose place has the most answers."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                """
WITH single AS (
    SELECT team_id, min(place_id) AS place_id FROM team_place
    GROUP BY team_id HAVING count(*) = 1
), answers AS (
    SELECT place_id, count(*) AS n FROM response GROUP BY place_id
)
SELECT s.team_id, t.name, p.id, p.code, p.name, a.n, c.departement_code
FROM single s JOIN team t ON t.id = s.team_id JOIN place p ON p.id = s.place_id
JOIN answers a ON a.place_id = p.id
JOIN territory c ON c.level = 'commune' AND c.code = p.commune_code
ORDER BY a.n DESC, s.team_id LIMIT 1
"""
            )
        ).one()
        team_id, name, place_id, code, place_name, answers, dep = row
        return Team(
            "one", team_id, name, [place_id], [code], [place_name], answers, dep,
            departement_places(conn, dep), created=False,
        )  # fmt: skip


def thirty_place_team(engine: Engine) -> Team:
    """A team of the bench's own, serving the 30 places with the most answers of the
    département with the most places."""
    with engine.begin() as conn:
        dep = conn.execute(
            text(
                "SELECT t.departement_code FROM place p JOIN territory t ON t.level = 'commune' "
                "AND t.code = p.commune_code GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            )
        ).scalar_one()
        places = conn.execute(
            text(
                """
SELECT p.id, p.code, p.name, count(r.seq) AS n
FROM place p JOIN territory t ON t.level = 'commune' AND t.code = p.commune_code
JOIN response r ON r.place_id = p.id
WHERE t.departement_code = :dep
GROUP BY p.id, p.code, p.name ORDER BY n DESC, p.id LIMIT :limit
"""
            ),
            {"dep": dep, "limit": BIG_TEAM_PLACES},
        ).all()
        if len(places) < BIG_TEAM_PLACES:
            raise SystemExit(f"département {dep} has only {len(places)} places with answers")
        team_id = conn.execute(
            text("INSERT INTO team (name) VALUES (:name) RETURNING id"), {"name": BENCH_TEAM}
        ).scalar_one()
        conn.execute(
            text("INSERT INTO team_place (team_id, place_id) VALUES (:team, :place)"),
            [{"team": team_id, "place": p[0]} for p in places],
        )
        return Team(
            "thirty", team_id, BENCH_TEAM, [p[0] for p in places], [p[1] for p in places],
            [p[2] for p in places], sum(p[3] for p in places), dep,
            departement_places(conn, dep), created=True,
        )  # fmt: skip


def end_sessions(engine: Engine, jtis: Sequence[str]) -> None:
    """The bench's sign-in sessions (their audit events stay, as any sign-in's)."""
    if jtis:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM staff_session WHERE jti IN :jtis").bindparams(
                    bindparam("jtis", expanding=True)
                ),
                {"jtis": list(jtis)},
            )


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so that `finally` removes the bench's team


# --------------------------------------------------------------------------------------------
# What is timed


@dataclass(frozen=True)
class Request:
    """One operation: how it is sent, and what its reply must hold (checked once, untimed)."""

    name: str
    label: str
    kind: str  # layout, callback, download, report, baseline
    send: Callable[[dict[str, str]], Any]  # headers → reply
    check: Callable[[Any], str]  # reply → a short description of what it showed; raises


def callback_body(path: str, search: str) -> dict[str, Any]:
    """What the browser POSTs when the address changes (tests/unit/dashboards/
    test_team_space.py::callback_search)."""
    return {
        "output": "..sections.children...page.children..",
        "outputs": [
            {"id": "sections", "property": "children"},
            {"id": "page", "property": "children"},
        ],
        "inputs": [
            {"id": "url", "property": "pathname", "value": path},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.search"],
        "state": [],
    }


def standing_body(search: str) -> dict[str, Any]:
    """What the browser POSTs for the funnel once the results are shown (test_team_space.py::
    standing_search)."""
    return {
        "output": "situation.children",
        "outputs": {"id": "situation", "property": "children"},
        "inputs": [{"id": "situation-demande", "property": "data", "value": search}],
        "changedPropIds": ["situation-demande.data"],
        "state": [],
    }


class PageError(RuntimeError):
    """A reply that is not what the page shows."""


def text_of(reply: Any, name: str) -> str:
    if reply.status_code != 200:
        raise PageError(f"{name}: HTTP {reply.status_code}: {reply.get_data(as_text=True)[:300]}")
    if reply.mimetype == "application/json":
        return json.dumps(reply.get_json(), ensure_ascii=False)
    return str(reply.get_data(as_text=True))


def expect(name: str, page: str, *needles: str, absent: Sequence[str] = ()) -> None:
    for needle in needles:
        if needle not in page:
            raise PageError(f"{name}: the reply does not contain {needle!r}: {page[:400]}")
    for needle in absent:
        if needle in page:
            raise PageError(f"{name}: the reply contains {needle!r}: {page[:400]}")


PROBLEMS = ("Vous n'êtes pas connecté", "pas un de vos lieux", "non reconnu", "n'existe pas")
ANSWERS = re.compile(r"[0-9][0-9\u202f]* réponses sur [^\"]{0,50}")


# --------------------------------------------------------------------------------------------
# What each reply must hold (checked once, untimed, before any timing)


def results(name: str) -> Callable[[Any], str]:
    def check(reply: Any) -> str:
        page = text_of(reply, name)
        expect(name, page, "situation-demande", absent=PROBLEMS)
        said = ANSWERS.search(page)
        if said is None:
            raise PageError(f"{name}: no 'N réponses sur …' in the reply: {page[:400]}")
        return f"{said.group(0)}; {len(reply.get_data()):,} bytes"

    return check


def funnel(name: str) -> Callable[[Any], str]:
    def check(reply: Any) -> str:
        page = text_of(reply, name)
        expect(name, page, "Où en sont vos lieux", "lieux avec assez de réponses",
               absent=PROBLEMS)  # fmt: skip
        points = re.search(r"\(([0-9\u202f]+) lieux avec assez de réponses\)", page)
        shown = points.group(1) if points else "?"
        return f"funnel of {shown} places; {len(reply.get_data()):,} bytes"

    return check


def titled(name: str, *needles: str) -> Callable[[Any], str]:
    def check(reply: Any) -> str:
        page = text_of(reply, name)
        expect(name, page, *needles, absent=PROBLEMS)
        return f"{len(reply.get_data()):,} bytes"

    return check


def comments(reply: Any) -> str:
    page = text_of(reply, "comments")
    expect("comments", page, "commentaires-resume", absent=PROBLEMS)
    said = re.search(r"([0-9\u202f]+ commentaires sur|Pas encore assez de réponses sur)", page)
    if said is None:
        raise PageError(f"comments: no summary in the reply: {page[:400]}")
    return f"{said.group(0)} …; {len(reply.get_data()):,} bytes"


def held(reply: Any) -> str:
    page = text_of(reply, "held")
    expect("held", page, "Réponses en attente", absent=PROBLEMS)
    if "attente-vide" in page:
        return "Aucune réponse en attente."
    return f"{page.count('Compter ces réponses')} groups held; {len(reply.get_data()):,} bytes"


def csv(reply: Any) -> str:
    page = text_of(reply, "csv")
    if reply.mimetype != "text/csv":
        raise PageError(f"csv: {reply.mimetype}")
    expect("csv", page, "Indicateurs;", "Mois;", "Motifs;")
    return f"{page.count(chr(10))} lines"


def team_requests(client: Any, team: Team, year: int) -> list[Request]:
    """The team's page build, callbacks, download and report."""

    def get(path: str) -> Callable[[dict[str, str]], Any]:
        return lambda headers: client.get(path, headers=headers)

    def post(path: str, search: str) -> Callable[[dict[str, str]], Any]:
        body = callback_body(path, search)
        return lambda headers: client.post(
            "/equipe/_dash-update-component", json=body, headers=headers
        )

    def post_standing(search: str) -> Callable[[dict[str, str]], Any]:
        return lambda headers: client.post(
            "/equipe/_dash-update-component", json=standing_body(search), headers=headers
        )

    def layout(reply: Any) -> str:
        page = text_of(reply, "layout")
        expect("layout", page, f"Espace équipe – {team.name}", absent=PROBLEMS)
        return f"{len(reply.get_data()):,} bytes"

    def places(reply: Any) -> str:
        page = text_of(reply, "places")
        expect("places", page, "Vos lieux : affiches, liens et tablettes", *team.place_names,
               absent=PROBLEMS)  # fmt: skip
        return f"{len(team.place_names)} places; {len(reply.get_data()):,} bytes"

    def report(reply: Any) -> str:
        page = text_of(reply, "report")
        expect("report", page, f"Bilan {year} –", "Les indicateurs de l")
        said = re.search(rf"[0-9] réponses en {year}", page)
        if said is None:
            raise PageError(f"report: no 'N réponses en {year}': {page[:400]}")
        return f"{len(reply.get_data()):,} bytes"

    out = [
        Request("layout", "page build: GET `/equipe/_dash-layout`", "layout",
                get("/equipe/_dash-layout"), layout),
        Request("results_3m", "results, `?periode=3m&lieu=tous`", "callback",
                post("/equipe/", "?periode=3m&lieu=tous"), results("results_3m")),
        Request("results_12m", "results, `?periode=12m&lieu=tous`", "callback",
                post("/equipe/", "?periode=12m&lieu=tous"), results("results_12m")),
        Request("results_year", f"results, `?periode={year}&lieu=tous`", "callback",
                post("/equipe/", f"?periode={year}&lieu=tous"), results("results_year")),
        Request("funnel_3m", "funnel, `?periode=3m&lieu=tous`", "callback",
                post_standing("?periode=3m&lieu=tous"), funnel("funnel_3m")),
        Request("funnel_12m", "funnel, `?periode=12m&lieu=tous`", "callback",
                post_standing("?periode=12m&lieu=tous"), funnel("funnel_12m")),
        Request("funnel_year", f"funnel, `?periode={year}&lieu=tous`", "callback",
                post_standing(f"?periode={year}&lieu=tous"), funnel("funnel_year")),
    ]  # fmt: skip
    if len(team.place_ids) > 1:
        first = team.place_ids[0]
        out += [
            Request("results_place", "results, one place: `?periode=3m&lieu=<id>`", "callback",
                    post("/equipe/", f"?periode=3m&lieu={first}"), results("results_place")),
            Request("funnel_place", "funnel, one place: `?periode=3m&lieu=<id>`", "callback",
                    post_standing(f"?periode=3m&lieu={first}"), funnel("funnel_place")),
        ]  # fmt: skip
    out += [
        Request("comments", "comments, `/equipe/commentaires?periode=3m`", "callback",
                post("/equipe/commentaires", "?periode=3m"), comments),
        Request("actions", "\"nous avons fait\", `/equipe/actions`", "callback",
                post("/equipe/actions", ""),
                titled("actions", "Vous avez dit, nous avons fait", "Vos actions (")),
        Request("held", "held answers, `/equipe/attente`", "callback",
                post("/equipe/attente", ""), held),
        Request("places", "places, `/equipe/lieux`", "callback",
                post("/equipe/lieux", ""), places),
        Request("csv", "download, `resultats.csv?periode=12m&lieu=tous`", "download",
                get("/equipe/telechargement/resultats.csv?periode=12m&lieu=tous"), csv),
        Request("report", f"annual report, GET `/equipe/bilan/{year}` (HTML)", "report",
                get(f"/equipe/bilan/{year}"), report),
        Request("territory", "its département's public page, GET `/barometre/territoires/<code>`",
                "layout", get(f"/barometre/territoires/{team.departement}"),
                titled("territory", "Chiffres clés", "Vous avez dit, nous avons fait")),
    ]  # fmt: skip
    return out


def pdf_request(client: Any, year: int) -> Request:
    def check(reply: Any) -> str:
        if reply.status_code != 200 or reply.mimetype != "application/pdf":
            raise PageError(f"pdf: HTTP {reply.status_code} {reply.mimetype}")
        if not reply.get_data().startswith(b"%PDF"):
            raise PageError("pdf: not a PDF")
        return f"{len(reply.get_data()):,} bytes"

    return Request("report_pdf", f"annual report, GET `/equipe/bilan/{year}.pdf`", "report",
                   lambda headers: client.get(f"/equipe/bilan/{year}.pdf", headers=headers),
                   check)  # fmt: skip


def timed(name: str, request: Request, headers: dict[str, str]) -> Any:
    """An operation for the rounds: the request, its reply's status checked."""

    def run() -> int:
        reply = request.send(headers)
        if reply.status_code != 200:
            raise PageError(f"{name}: HTTP {reply.status_code} during the rounds")
        return len(reply.get_data())

    return dp.Operation(name, run)


def product_memos() -> list[Any]:
    """The product's in-process memos (observatory.analysis.memo.Memo instances held by its
    modules): kept until the next fold and at most a minute or ten, so the rounds, seconds
    apart, mostly hit them. Emptied before each request of the cold rounds."""
    from observatory.analysis.memo import Memo

    return [
        value
        for name, module in list(sys.modules.items())
        if name.startswith(("observatory.", "dashboards.")) and module is not None
        for value in vars(module).values()
        if isinstance(value, Memo)
    ]


def emptied_first(
    name: str,
    request: Request,
    headers: dict[str, str],
    memos: list[Any],
    also: Callable[[], object] | None = None,
) -> Any:
    """The request after emptying `memos` (all of the product's: a first visit after a
    restart or ten idle minutes; `public_counts._PUBLIC` alone: the funnel after one new
    answer in the département) and doing `also` (emptying the bench's Redis: the shared store
    lost, or not yet made again by the worker after that answer)."""
    op = timed(name, request, headers)

    def run() -> int:
        for memo in memos:
            memo._values.clear()
        if also is not None:
            also()
        return int(op.run())

    return dp.Operation(name, run)


def rounds(ops: list[Any], repeat: int) -> dict[str, Any]:
    """`repeat` interleaved rounds of `ops` after one untimed, summarised."""
    times = dp.measure(ops, repeat, 1)
    return {
        "repeat": repeat,
        "timings": {n: dp.summary_ms(v) for n, v in times.items()},
        "rounds_s": {n: [round(x, 4) for x in v] for n, v in times.items()},
    }


def worker_steps(
    runtime: Any, redis_db: redis.Redis, teams: list[Team], today: dt.date
) -> dict[str, Any]:
    """The workers' step after each fold and sweep (`observatory.workers.tasks.make_ahead`,
    into the bench's Redis), timed as a worker runs it: from an empty store (a first start, a
    Redis restart), with nothing changed (most sweeps), and after answers in the largest
    département (its open periods made again, its places' earlier months kept). The pages'
    memo is emptied first where the worker, another process in production, has none."""
    from observatory.analysis import public_counts as pc
    from observatory.analysis.periods import offered
    from observatory.analysis.shared import PREFIX
    from observatory.disclosure import Audience
    from observatory.disclosure.figures import Rules
    from observatory.workers.tasks import make_ahead

    settings, factory = runtime.settings, runtime.sessions

    def step() -> tuple[float, int]:
        pc._PUBLIC._values.clear()
        start = time.perf_counter()
        made = make_ahead(settings, factory, today)
        return time.perf_counter() - start, made

    log("the workers' step: from an empty shared store")
    first = step()
    log(f"  {first[1]} values made in {first[0]:.1f} s; {WORKER_ROUNDS} rounds with none changed")
    unchanged = [step() for _ in range(WORKER_ROUNDS)]
    departement = teams[-1].departement
    public = Rules.for_audience(Audience.PUBLIC, settings)
    with factory() as session:
        keys = [
            pc._key(session, departement, p.months, public)
            for p in offered(today)
            if p.months[-1] >= today.replace(day=1)
        ]
    stored = [f"{PREFIX}{kind}:{key}" for key in keys for kind in ("v", "c")]

    def one_departement() -> tuple[float, int]:
        redis_db.delete(*stored)
        return step()

    log(f"  {WORKER_ROUNDS} rounds after answers in département {departement}")
    answered = [one_departement() for _ in range(WORKER_ROUNDS)]
    return {
        "from_empty": {"s": round(first[0], 3), "made": first[1]},
        "unchanged": dp.summary_ms([t for t, _ in unchanged]) | {"made": unchanged[0][1]},
        "one_departement": dp.summary_ms([t for t, _ in answered])
        | {"made": answered[0][1], "departement": departement},
    }


def sign_in(client: Any, secret: str, team: Team) -> str:
    """Sign in as the team, as a browser pastes its token; the token's jti."""
    from observatory.access.tokens import Role, issue

    token, principal = issue(secret, Role.TEAM, str(team.id), days=1)
    reply = client.post("/equipe/connexion", data={"token": token})
    if reply.status_code != 303:
        raise PageError(f"sign-in as team {team.id}: HTTP {reply.status_code}")
    return str(principal.jti)


def floors(runtime: Any, team: Team, months: list[dt.date]) -> list[Any]:
    """The team's SQL baselines over `months`, checked against what `read_cells` returns for
    the same keys."""
    from observatory.aggregation.read import read_cells

    def team_cells() -> list[Any]:
        with runtime.sessions() as session:
            return list(
                dp.select_rows(session, TEAM_CELLS_SQL, codes=team.place_codes, months=months)
            )

    def funnel_cells() -> list[Any]:
        with runtime.sessions() as session:
            return list(
                dp.select_rows(
                    session, FUNNEL_CELLS_SQL, codes=team.departement_codes, months=months
                )
            )

    with runtime.sessions() as session:
        where: dict[str, Any] = {
            "scope_level": "place",
            "period_kind": "month",
            "breakdown": "none",
            "period_start": months,
        }
        own = read_cells(session, scope_code=team.place_codes, **where)
        funnel = read_cells(
            session, scope_code=team.departement_codes, question="satisfaction", **where
        )
    if len(own) != len(team_cells()) or len(funnel) != len(funnel_cells()):
        raise RuntimeError(f"{team.key}: the baselines do not select the cells read_cells reads")
    return [
        dp.Operation(f"{team.key}.team_cells_select", team_cells),
        dp.Operation(f"{team.key}.funnel_cells_select", funnel_cells),
    ]


# --------------------------------------------------------------------------------------------
# Profile


def profile(request: Request, headers: dict[str, str], top: int = 15) -> dict[str, Any]:
    """One request under cProfile: its top functions by cumulative and by own time."""
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    reply = request.send(headers)
    profiler.disable()
    wall = time.perf_counter() - started
    if reply.status_code != 200:
        raise PageError(f"profile: HTTP {reply.status_code}")
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def where(key: tuple[str, int, str]) -> str:
        path, line, function = key
        for marker in ("/site-packages/", str(ROOT) + "/"):
            if marker in path:
                path = path.split(marker, 1)[1]
        return f"{path}:{line}({function})" if line else function

    rows = [
        {"function": where(key), "calls": nc, "own_ms": round(tt * 1000, 2),
         "cumulative_ms": round(ct * 1000, 2)}
        for key, (_cc, nc, tt, ct, _callers) in stats.items()
    ]  # fmt: skip
    project = [
        r for r in rows if r["function"].startswith(("observatory/", "dashboards/", "survey/"))
    ]
    return {
        "wall_ms_under_profile": round(wall * 1000, 1),
        "by_cumulative_project": sorted(project, key=lambda r: -r["cumulative_ms"])[:top],
        "by_cumulative": sorted(rows, key=lambda r: -r["cumulative_ms"])[:top],
        "by_own_time": sorted(rows, key=lambda r: -r["own_ms"])[:top],
    }


def statements(engine: Engine, request: Request, headers: dict[str, str]) -> dict[str, Any]:
    """One request (not profiled) with every SQL statement it sends timed: where its database
    time goes (execute and fetch; psycopg's client-side cursor reads the whole result)."""
    spans: list[dict[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        spans.append(
            {"ms": round(elapsed * 1000, 2), "rows": cursor.rowcount,
             "statement": " ".join(statement.split())[:240]}
        )  # fmt: skip

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        started = time.perf_counter()
        reply = request.send(headers)
        wall = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    if reply.status_code != 200:
        raise PageError(f"statements: HTTP {reply.status_code}")
    return {
        "request_ms": round(wall * 1000, 1),
        "sql_ms": round(sum(s["ms"] for s in spans), 1),
        "statements": len(spans),
        "slowest": sorted(spans, key=lambda s: -s["ms"])[:10],
    }


# --------------------------------------------------------------------------------------------
# Report


# The SQL floor of each operation that reads cells: a for the team's own figures, b for the
# funnel's (its own callback; b is what a first visit after a fold in the département reads).
SQL_FLOORS = {
    "results_3m": ("team_cells_select",),
    "results_12m": ("team_cells_select",),
    "results_year": ("team_cells_select",),
    "results_place": ("team_cells_select",),
    "funnel_3m": ("funnel_cells_select",),
    "funnel_12m": ("funnel_cells_select",),
    "funnel_year": ("funnel_cells_select",),
    "funnel_place": ("funnel_cells_select",),
    "csv": ("team_cells_select",),
    "report": ("team_cells_select",),
}


def phase(
    times: dict[str, list[float]], requests: dict[str, Request], teams: dict[str, Team]
) -> dict[str, Any]:
    """Summaries, ratios to the baselines and budgets."""
    timings = {name: dp.summary_ms(values) for name, values in times.items()}
    ratios: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    flask = timings.get("flask_constant")
    for name, request in requests.items():
        if request.kind == "baseline":
            continue
        team_key, _, op = name.partition(".")
        s = timings[name]
        ratios[name] = {}
        if op in SQL_FLOORS:
            floor = [timings[f"{team_key}.{f}"] for f in SQL_FLOORS[op]]
            ratios[name] = {
                f"over_sql_floor_{q}": round(s[f"{q}_ms"] / sum(f[f"{q}_ms"] for f in floor), 1)
                for q in ("p50", "p95")
            } | {"sql_floor": " + ".join(SQL_FLOORS[op])}
        if flask:
            ratios[name] |= {
                f"over_flask_constant_{q}": round(s[f"{q}_ms"] / flask[f"{q}_ms"], 1)
                for q in ("p50", "p95")
            }
        p95 = s["p95_ms"]
        checks[name] = {
            "limit_ms": dp.BUDGET_P95_MS,
            "p95_ms": p95,
            "pass": p95 <= dp.BUDGET_P95_MS,
            "budgeted": request.kind in ("layout", "callback"),
        }
    return {
        "timings": timings,
        "ratios": ratios,
        "budgets": checks,
        "rounds_s": {name: [round(v, 5) for v in values] for name, values in times.items()},
        "teams": list(teams),
    }


BASELINE_LABELS = {
    "team_cells_select": "baseline a: one SELECT of the team's place-month cells, 12 months",
    "funnel_cells_select": "baseline b: one SELECT of its département's places' satisfaction "
    "cells, 12 months",
    "flask_constant": "baseline c: GET `/healthz` (Flask returning a constant)",
}
TEAM_TITLES = {"one": "1 place", "thirty": "30 places"}


def table(results: dict[str, Any]) -> list[str]:
    measured, labels = results["measured"], results["labels"]
    t, budgets, ratios = measured["timings"], measured["budgets"], measured["ratios"]
    lines = [
        f"| team | operation ({results['repeat']} interleaved rounds) | p50 | p95 | max "
        "| p50 / SQL floor | p50 / c | p95 ≤ 150 ms |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, s in t.items():
        team_key, _, op = name.partition(".")
        title = TEAM_TITLES.get(team_key, "both")
        label = labels.get(name) or BASELINE_LABELS[op or team_key]
        r = ratios.get(name, {})
        a = ""
        if "over_sql_floor_p50" in r:
            short = " + ".join("a" if f == "team_cells_select" else "b" for f in SQL_FLOORS[op])
            a = f"× {r['over_sql_floor_p50']:,.1f} ({short})"
        c = f"× {r['over_flask_constant_p50']:,.1f}" if "over_flask_constant_p50" in r else ""
        check = budgets.get(name)
        verdict = "" if check is None else "meets" if check["pass"] else "**fails**"
        if check is not None and not check["budgeted"]:
            verdict += " (not a page build)"
        lines.append(
            f"| {title} | {label} | {s['p50_ms']:,.1f} ms | {s['p95_ms']:,.1f} ms "
            f"| {s['max_ms']:,.1f} ms | {a} | {c} | {verdict} |"
        )
    return lines


def markdown(results: dict[str, Any]) -> str:
    data, machine, teams = results["data"], results["machine"], results["teams"]
    lines = [
        f"Data: {data['responses']:,} responses ({data['answers']:,} answer rows), "
        f"{data['places']:,} places, {data['months']} months; {data['cells']:,} cells, "
        f"{data['deltas']:,} pending deltas. Machine: {machine['cpus']} cores, "
        f"{machine['system']}, CPython {machine['python']}, {machine['database']} "
        f"(shared_buffers {machine['shared_buffers']}). Load average "
        f"{' / '.join(f'{x:.1f}' for x in results['load_average'])} (before / after the "
        f"rounds). Accept-Encoding: `{results['accept_encoding'] or 'none'}`.",
        "",
    ]
    for key, team in teams.items():
        lines.append(
            f"- {TEAM_TITLES[key]}: team {team['id']} ({team['name']}), {team['answers']:,} "
            f"answers at its places, département {team['departement']} "
            f"({team['departement_places']} places); a selects {team['team_cells']:,} cells, "
            f"b {team['funnel_cells']:,}."
        )
    lines += ["", *table(results)]
    lines += rounds_lines(
        results,
        "cold",
        f"Results and funnel with the product's {results['cold']['memos']} in-process memos "
        "emptied before each request, the shared store kept (a first visit after a restart or "
        "ten idle minutes)",
    )
    lines += rounds_lines(
        results,
        "store_lost",
        "The funnel with the memos and the shared store emptied before each request (Redis "
        "restarted, before the next sweep of the workers)",
    )
    lines += rounds_lines(
        results,
        "new_answer",
        "The funnel after one new answer in the département, before the workers made its "
        "public counts again (the latest month of its places read again, the others kept)",
    )
    workers = results["workers"]
    one = workers["one_departement"]
    lines += [
        "",
        "The workers' step after a fold (`make_ahead`): from an empty store "
        f"{workers['from_empty']['s']:,.1f} s ({workers['from_empty']['made']} values); with "
        f"nothing changed p50 {workers['unchanged']['p50_ms']:,.0f} ms, p95 "
        f"{workers['unchanged']['p95_ms']:,.0f} ms; after answers in département "
        f"{one['departement']} ({one['made']} values) p50 {one['p50_ms']:,.0f} ms, p95 "
        f"{one['p95_ms']:,.0f} ms ({WORKER_ROUNDS} rounds each).",
    ]
    if results.get("pdf"):
        pdf = results["pdf"]
        lines += ["", f"PDF ({pdf['repeat']} rounds):", ""]
        for name, s in pdf["timings"].items():
            lines.append(
                f"- {TEAM_TITLES[name.split('.')[0]]}: p50 {s['p50_ms']:,.0f} ms, "
                f"p95 {s['p95_ms']:,.0f} ms, max {s['max_ms']:,.0f} ms"
            )
    for prof in results["profiles"]:
        lines += profile_lines(prof)
    if not results["at_budget_scale"]:
        lines += ["", "(Smaller than the scale the budget is stated for.)"]
    return "\n".join(lines)


def profile_lines(prof: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"Profile of {prof['operation']} ({prof['why']}; "
        f"{prof['wall_ms_under_profile']:,.0f} ms under cProfile), by cumulative time in the "
        "project's code:",
        "",
        *(
            f"- `{r['function']}`: {r['cumulative_ms']:,.1f} ms ({r['calls']} calls)"
            for r in prof["by_cumulative_project"][:10]
        ),
        "",
        "by own time (anywhere):",
        "",
        *(
            f"- `{r['function']}`: {r['own_ms']:,.1f} ms ({r['calls']} calls)"
            for r in prof["by_own_time"][:8]
        ),
    ]
    sql = prof["sql"]
    lines += [
        "",
        f"Its SQL, in one request of {sql['request_ms']:,.0f} ms (not profiled): "
        f"{sql['statements']} statements, {sql['sql_ms']:,.0f} ms; the slowest:",
        "",
        *(
            f"- {s['ms']:,.1f} ms, {s['rows']:,} rows: `{s['statement'][:140]}`"
            for s in sql["slowest"][:5]
        ),
    ]
    return lines


# --------------------------------------------------------------------------------------------
# Main


PRODUCT_FILES = (
    "dashboards/*.py",
    "observatory/analysis/*.py",
    "observatory/teamspace/*.py",
    "observatory/aggregation/read.py",
    "observatory/aggregation/review.py",
)


def product_files() -> dict[str, str]:
    """The SHA-256 (12 hex digits) of the product's files on the timed path: the figures hold
    for this version of them."""
    return {
        str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for pattern in PRODUCT_FILES
        for path in sorted(ROOT.glob(pattern))
    }


def rounds_lines(results: dict[str, Any], phase_key: str, title: str) -> list[str]:
    found = results[phase_key]
    return [
        "",
        f"{title}; {found['repeat']} rounds:",
        "",
        *(
            f"- {TEAM_TITLES[n.split('.')[0]]}, {results['labels'][n]}: p50 {s['p50_ms']:,.0f} ms, "
            f"p95 {s['p95_ms']:,.0f} ms, max {s['max_ms']:,.0f} ms"
            for n, s in found["timings"].items()
        ),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--server",
        default=dp.DEFAULT_SERVER,
        help=f"PostgreSQL server URL holding {dp.DATABASE!r} (left by dashboard_pages.py --keep)",
    )
    parser.add_argument("--repeat", type=int, default=60, help="timed rounds (at least 50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--pdf", action="store_true", help="also time the annual report's PDF")
    parser.add_argument("--pdf-repeat", type=int, default=10, help="rounds of the PDF")
    parser.add_argument(
        "--wait-minutes",
        type=float,
        default=40,
        help=f"wait at most this long for {EDITIONS} to end before the rounds",
    )
    parser.add_argument(
        "--accept-encoding",
        default=BROWSER_ENCODING,
        help="the Accept-Encoding header of the timed requests ('' for none)",
    )
    parser.add_argument(
        "--cold-repeat", type=int, default=20, help="rounds of the results with memos emptied"
    )
    parser.add_argument(
        "--redis",
        default=REDIS,
        help="a Redis database of the bench's own (emptied at the start and the end): the "
        "shared store the workers fill, as in production",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.pdf_repeat < 1:
        parser.error("--repeat and --pdf-repeat must be positive, --warmup not negative")
    return args


@contextlib.contextmanager
def signed_in_app(
    url: str, redis_url: str, teams: list[Team]
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The product's app on the bench database and Redis (the shared store, as in
    production), and a test client signed in as each team."""
    from observatory.app import create_app, freeze_startup_objects
    from observatory.config import Settings

    settings = Settings(database_url=url, redis_url=redis_url, secret_key=dp.SECRET)
    app = create_app(settings, notifier=dp.QuietNotifier())
    freeze_startup_objects()  # as the servers do once the app is built
    runtime = app.extensions["observatory"]
    jtis: list[str] = []
    try:
        clients = {}
        for team in teams:
            clients[team.key] = app.test_client()
            jtis.append(sign_in(clients[team.key], settings.secret_key.get_secret_value(), team))
        yield app, clients
    finally:
        engine = runtime.sessions.kw["bind"]
        try:
            end_sessions(engine, jtis)
        finally:
            runtime.close()
            engine.dispose()


def cold_phases(
    requests: dict[str, Request], headers: dict[str, str], redis_db: redis.Redis, repeat: int
) -> dict[str, Any]:
    """The results and funnel callbacks with what the product keeps emptied before each
    request: its in-process memos (a restart, ten idle minutes); the memos and the shared
    store (Redis restarted, before the workers' next sweep); the funnel's public counts in
    both (one new answer in the département, before the workers made them again)."""
    from observatory.analysis import public_counts

    memos = product_memos()
    funnels = {n: r for n, r in requests.items() if ".funnel" in n}
    cold_ops = [
        emptied_first(n, r, headers, memos)
        for n, r in requests.items()
        if ".results" in n or ".funnel" in n
    ]
    log(f"cold rounds: {len(memos)} memos emptied before each request; 1 + {repeat}")
    cold = rounds(cold_ops, repeat) | {"memos": len(memos)}
    log(f"store lost: memos and the shared store emptied; 1 + {repeat} rounds")
    lost_ops = [emptied_first(n, r, headers, memos, redis_db.flushdb) for n, r in funnels.items()]
    lost = rounds(lost_ops, repeat)
    log(f"after a new answer: 1 + {repeat} rounds of the funnel")
    answer_ops = [
        emptied_first(n, r, headers, [public_counts._PUBLIC], redis_db.flushdb)
        for n, r in funnels.items()
    ]
    return {"cold": cold, "store_lost": lost, "new_answer": rounds(answer_ops, repeat)}


def time_pages(
    url: str, teams: list[Team], args: argparse.Namespace, today: dt.date
) -> dict[str, Any]:
    from observatory.analysis import periods

    year = today.year
    headers = {"Accept-Encoding": args.accept_encoding} if args.accept_encoding else {}
    with signed_in_app(url, args.redis, teams) as (app, clients):
        runtime = app.extensions["observatory"]
        redis_db = redis.Redis.from_url(args.redis)
        redis_db.flushdb()  # the bench's own Redis database: the shared store starts empty
        workers = worker_steps(runtime, redis_db, teams, today)
        requests: dict[str, Request] = {}
        for team in teams:
            for request in team_requests(clients[team.key], team, year):
                requests[f"{team.key}.{request.name}"] = request
        constant = Request(
            "flask_constant", BASELINE_LABELS["flask_constant"], "baseline",
            lambda h: clients[teams[0].key].get("/healthz", headers=h),
            lambda reply: text_of(reply, "healthz"),
        )  # fmt: skip
        months = list(periods.period("12m", today).months)
        shown: dict[str, str] = {}
        for name, request in [*requests.items(), ("flask_constant", constant)]:
            shown[name] = request.check(request.send({}))  # no compression: readable
            log(f"  {name}: {shown[name]}")
        ops = []
        cells: dict[str, dict[str, int]] = {}
        for team in teams:  # the table's order: each team's requests, then its baselines
            ops += [
                timed(n, r, headers) for n, r in requests.items() if n.startswith(f"{team.key}.")
            ]
            team_floors = floors(runtime, team, months)
            ops += team_floors
            cells[team.key] = {
                "team_cells": len(team_floors[0].run()),
                "funnel_cells": len(team_floors[1].run()),
            }
        ops.append(timed("flask_constant", constant, headers))
        log(f"{len(ops)} operations; {args.warmup} + {args.repeat} rounds:")
        before = os.getloadavg()[0]
        times = dp.measure(ops, args.repeat, args.warmup)
        after = os.getloadavg()[0]
        measured = phase(times, requests | {"flask_constant": constant}, {t.key: t for t in teams})
        callbacks = [n for n, r in requests.items() if r.kind == "callback"]
        slowest = max(callbacks, key=lambda n: measured["timings"][n]["p95_ms"])
        heaviest = max(  # the main page: its slowest variant too, if it is not the slowest
            (n for n in callbacks if ".results" in n),
            key=lambda n: measured["timings"][n]["p95_ms"],
        )
        profiled: list[dict[str, Any]] = []
        for name, why in ((slowest, "the slowest callback"), (heaviest, "the slowest results")):
            if profiled and name == slowest:
                continue
            log(f"profiling {name} ({why}) once")
            found = profile(requests[name], headers) | {"operation": name, "why": why}
            found["sql"] = statements(runtime.sessions.kw["bind"], requests[name], headers)
            profiled.append(found)
        cold = cold_phases(requests, headers, redis_db, args.cold_repeat)
        redis_db.flushdb()
        redis_db.close()
        pdf = None
        if args.pdf:
            pdf_ops = {f"{t.key}.report_pdf": pdf_request(clients[t.key], year) for t in teams}
            for name, request in pdf_ops.items():
                shown[name] = request.check(request.send({}))
            log(f"the PDF, 1 + {args.pdf_repeat} rounds")
            pdf_times = dp.measure(
                [timed(n, r, headers) for n, r in pdf_ops.items()], args.pdf_repeat, 1
            )
            pdf = {
                "repeat": args.pdf_repeat,
                "timings": {n: dp.summary_ms(v) for n, v in pdf_times.items()},
                "rounds_s": {n: [round(x, 4) for x in v] for n, v in pdf_times.items()},
            }
    return {
        "measured": measured,
        "load_average": [round(before, 2), round(after, 2)],
        "labels": {name: r.label for name, r in requests.items()},
        "shown": shown,
        "cells": cells,
        "profiles": profiled,
        **cold,
        "workers": workers,
        "pdf": pdf,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from observatory.clock import today as local_today
    from observatory.config import Settings
    from observatory.db import make_engine

    started = time.perf_counter()
    if not dp.database_exists(args.server):
        raise SystemExit(
            f"there is no database {dp.DATABASE!r} on {args.server}: make it first with "
            ".venv/bin/python bench/dashboard_pages.py --keep (about 25 minutes)"
        )
    url = dp.server_url(args.server).set(database=dp.DATABASE).render_as_string(hide_password=False)
    log(f"reusing the database {dp.DATABASE} as it is (never dropped)")
    waited = wait_for_editions(args.wait_minutes)
    engine = make_engine(url)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        schema = bring_schema_up(url, engine)
        data = dp.describe(engine)
        info = dp.machine_info(engine)
        if data["cells"] == 0:
            raise SystemExit(f"{dp.DATABASE} holds no cells")
        log(f"{data['responses']:,} responses, {data['places']:,} places, {data['cells']:,} cells")
        if removed := remove_bench_team(engine):
            log(f"removed {removed} '{BENCH_TEAM}' a previous run left")
        today = local_today(Settings(database_url=url, secret_key=dp.SECRET).timezone)
        one = one_place_team(engine)
        try:
            thirty = thirty_place_team(engine)
            teams = [one, thirty]
            for team in teams:
                log(
                    f"team {team.key}: {team.id} '{team.name}', {len(team.place_ids)} places, "
                    f"{team.answers:,} answers, département {team.departement} "
                    f"({len(team.departement_codes)} places)"
                )
            files = product_files()  # the version the app is built from, just after
            timed_run = time_pages(url, teams, args, today)
        finally:
            removed = remove_bench_team(engine)
            log(f"removed the bench's team and its links ({removed} team)")
    finally:
        engine.dispose()
    described = {t.key: t.describe() | timed_run["cells"][t.key] for t in teams}
    results: dict[str, Any] = {
        "benchmark": "team_pages",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "accept_encoding": args.accept_encoding,
        "data": data,
        "at_budget_scale": all(data[k] >= v for k, v in dp.BUDGET_SCALE.items()),
        "schema": schema,
        "waited_for_editions": waited,
        "year": today.year,
        "product_files": files,
        "teams": described,
        "sql": {
            "team_cells_select": " ".join(TEAM_CELLS_SQL.split()),
            "funnel_cells_select": " ".join(FUNNEL_CELLS_SQL.split()),
        },
        **timed_run,
        "run_s": round(time.perf_counter() - started, 1),
    }
    return results


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    results = run(args)
    log(f"writing {args.output}")
    write_results(args.output, results, markdown(results))
    return results


if __name__ == "__main__":
    main()
