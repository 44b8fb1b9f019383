"""Benchmark of page builds at DESIGN §9's scale, on PostgreSQL, through the disclosure gate.

    .venv/bin/python bench/dashboard_pages.py [--responses 10000000] [--places 20000]
        [--months 36] [--server postgresql+psycopg://postgres@127.0.0.1:5432/] [--repeat 60]
        [--warmup 3] [--candidate-index] [--keep] [--reuse]

DESIGN §9 sets the budget: every page build and callback takes at most 150 ms (p95) at
10 M responses and 20,000 places; issue 11 asks that the disclosure gate protect a page's
tables within that budget, with the rest of the page, at 101 départements × breakdowns.

The run:

1. makes its own PostgreSQL database `bench_dashboards` (dropped first if a previous run left
   it; never the tests' database, never another), with bench/aggregation.py's schema,
   reference data, `--places` places and `--responses` responses over `--months` months
   ending last month (its vectorised generator, same seed, same mix), then VACUUM ANALYZE,
   `rebuild_cells()` (in a child process, as bench/aggregation.py runs it) and VACUUM ANALYZE
   again: every cell is stored, the delta log is empty, statistics are fresh. `--reuse` takes
   the database a previous `--keep` run left, as it is;
2. builds the product's Flask app with `observatory.app.create_app` on that database (no
   Redis, a notifier that does nothing: nothing is folded during the run);
3. times, in `--repeat` interleaved rounds (the order rotating from round to round) after
   `--warmup` untimed ones (which warm the caches), each operation once per round, each with
   a session of its own from the app's session factory, as a request has:
   a. the national barometer page: GET /barometre/_dash-layout through Flask's test client,
      i.e. `national_overview()` (the national cells read with `read_cells`, then the gate),
      `render()` and Dash's serialisation of the layout to JSON; a′, `national_overview()`
      alone;
   b. a territorial page's tables: every département month cell of the headline question
      over the last 24 months, without breakdown, by channel and by age band, read with
      `aggregation.read.read_cells` (what every reader uses: stored cells plus the delta log;
      one call per breakdown, since it filters on equality only), published with
      `figures.counts` (perturbed, then k_public), and the 12-month score of each département
      from its perturbed level counts (`figures.distribution`, then `score_0_10_from_levels`),
      the rule of the national barometer; b″, the same tables from one SELECT of exactly
      their rows (built into a DataFrame from plain tuples) through the same gate; g, the gate
      alone on cells already read (no SQL); d, the same tables for one département only
      (one `read_cells` call for its scope; another département each round);
   c. baselines, through the same session factory and driver, no gate and no Dash: one SQL
      SELECT of exactly the rows b publishes (the floor any implementation of that page
      pays), c″, the same for d's département, and c′, one SELECT of the national rows the
      barometer reads (the floor of a).
   Reports p50, p95 and max of each, the ratios page / baseline and whether p95 ≤ 150 ms;
4. with `--candidate-index`, creates in the bench database only an index for reads across
   the territories of one level (`CANDIDATE_DDL`: the product's only key index starts with
   scope_level, scope_code, so such reads scan every cell), times the same rounds again, and
   drops it. Nothing of the product is changed.

Writes bench/results/dashboards.json (every timing, the summaries, the data's scale, the
machine) and prints a Markdown table for docs/performance.md. Progress goes to stderr. The
database is dropped at the end unless `--keep`.

(This file is not called bench/dashboards.py: bench/ comes first on sys.path when a bench
runs, and a module of that name would shadow the project's `dashboards` package.)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
from report import load_aggregation_bench, write_results  # bench/ is on sys.path when a bench runs
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "results" / "dashboards.json"
DATABASE = "bench_dashboards"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
SECRET = "bench-dashboards-0123456789abcdef-0123"
BUDGET_P95_MS = 150.0
BUDGET_SCALE = {"responses": 10_000_000, "places": 20_000}
MB = 1024 * 1024
PAGE_MONTHS = 24  # the months a page shows
SCORE_MONTHS = 12  # the months of a published score
BREAKDOWNS = ("none", "channel", "age")  # what the territorial table shows

# The floor of b: exactly the rows b publishes, the columns the gate needs, nothing else.
TERRITORIAL_SQL = """
SELECT scope_code, period_start, breakdown, breakdown_value, n, key_sum, counts_json, keys_json
FROM aggregate_cell
WHERE scope_level = 'departement' AND period_kind = 'month' AND question = :question
  AND breakdown IN ('none', 'channel', 'age') AND period_start >= :start
"""
# The floor of d: the same rows for one département.
DEPARTEMENT_SQL = """
SELECT scope_code, period_start, breakdown, breakdown_value, n, key_sum, counts_json, keys_json
FROM aggregate_cell
WHERE scope_level = 'departement' AND scope_code = :code AND period_kind = 'month'
  AND question = :question AND breakdown IN ('none', 'channel', 'age') AND period_start >= :start
"""
# The floor of a: the national month cells of the headline question.
NATIONAL_SQL = """
SELECT period_start, n, key_sum, counts_json, keys_json
FROM aggregate_cell
WHERE scope_level = 'national' AND scope_code = 'FR' AND period_kind = 'month'
  AND question = :question AND breakdown = 'none'
"""

# What a territorial page would need: the cells of one question at one scope level, every
# territory, by period. The product's only key index starts with (scope_level, scope_code), so
# such a read scans every cell of the level (or the whole table). Created with
# --candidate-index in the bench database only, after the product's schema has been timed.
CANDIDATE_INDEX = "bench_candidate_cell_read"
CANDIDATE_DDL = (
    f"CREATE INDEX {CANDIDATE_INDEX} ON aggregate_cell "
    "(scope_level, period_kind, question, breakdown, period_start)"
)

_STARTED = time.perf_counter()


def log(message: str) -> None:
    stamp = f"[{dt.datetime.now():%H:%M:%S} +{time.perf_counter() - _STARTED:7.1f}s]"
    print(f"{stamp} {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Summaries


def summary_ms(seconds: Sequence[float]) -> dict[str, Any]:
    """p50, p95, min and max in milliseconds (numpy's linear percentiles)."""
    values = np.array(seconds, dtype=float) * 1000
    return {
        "count": len(values),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "min_ms": round(float(values.min()), 2),
        "max_ms": round(float(values.max()), 2),
        "mean_ms": round(float(values.mean()), 2),
    }


# --------------------------------------------------------------------------------------------
# The database


class NoDuck:
    """bench/aggregation.py's loader also appends every chunk to DuckDB for its baseline;
    this benchmark has no use for that copy."""

    def append(self, chunk: object) -> None:
        pass


def server_url(server: str) -> Any:
    url = make_url(server)
    if not url.drivername.startswith("postgresql"):
        raise SystemExit("the dashboards bench runs on PostgreSQL (--server)")
    return url


def database_exists(server: str) -> bool:
    admin = create_engine(server_url(server).set(database="postgres"))
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE}
            ).first()
    finally:
        admin.dispose()
    return found is not None


def drop_database(server: str) -> None:
    admin = create_engine(server_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    finally:
        admin.dispose()


def build_database(agg: ModuleType, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """`bench_dashboards` made again with the history, rebuilt into cells; its URL and timings."""
    from observatory.clock import today as local_today
    from observatory.config import Settings
    from observatory.db import make_engine, make_session_factory, upgrade

    url = server_url(args.server).set(database=DATABASE).render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="bench-dashboards-") as workdir:
        target = agg.create_target(url, Path(workdir))  # drops and creates `bench_dashboards`
    engine = make_engine(target.url)
    factory = make_session_factory(engine)
    today = local_today(Settings(database_url=target.url, secret_key=SECRET).timezone)
    try:
        started = time.perf_counter()
        upgrade(target.url)
        version = agg.seed_reference(factory)
        rng = np.random.default_rng(args.seed)
        places = agg.create_places(factory, args.places, rng)
        generator = agg.Generator(agg.questionnaire_items(version), version, places, args.seed + 1)
        setup_s = time.perf_counter() - started
        log(f"schema, reference data and {args.places:,} places: {setup_s:.1f} s")
        loaded = agg.load_history(
            factory, generator, NoDuck(), args, today, skip_fk_checks=agg.superuser(engine)
        )
        agg.realign_sequences(engine)
        load_s = time.perf_counter() - started
        settle_s = agg.settle(engine)
        log(f"loaded in {load_s:.1f} s, settled in {settle_s:.1f} s; rebuild_cells() in a child…")
        rebuild = agg.run_child("rebuild", target.url)
        log(f"rebuild {rebuild['seconds']:.1f} s, peak RSS {rebuild['peak_rss_mb']:.0f} MB")
        settle_after_s = agg.settle(engine)
    finally:
        engine.dispose()
    return target.url, {
        "reused": False,
        "load_s": round(load_s, 1),
        "generate_s": loaded["generate_s"],
        "store_s": loaded["store_s"],
        "settle_s": round(settle_s, 1),
        "rebuild_s": rebuild["seconds"],
        "rebuild_peak_rss_mb": rebuild["peak_rss_mb"],
        "settle_after_rebuild_s": round(settle_after_s, 1),
    }


def describe(engine: Engine) -> dict[str, Any]:
    """The scale of the data in the database (counted, so that a reused one is described)."""
    with engine.connect() as conn:

        def scalar(sql: str) -> Any:
            return conn.execute(text(sql)).scalar_one()

        return {
            "responses": int(scalar("SELECT count(*) FROM response")),
            "answers": int(scalar("SELECT count(*) FROM answer")),
            "places": int(scalar("SELECT count(*) FROM place")),
            "months": int(scalar("SELECT count(DISTINCT date_trunc('month', day)) FROM response")),
            "cells": int(scalar("SELECT count(*) FROM aggregate_cell")),
            "departement_cells": int(
                scalar("SELECT count(*) FROM aggregate_cell WHERE scope_level = 'departement'")
            ),
            "deltas": int(scalar("SELECT count(*) FROM aggregate_delta")),
            "database_mb": round(
                int(scalar("SELECT pg_database_size(current_database())")) / 1024 / 1024
            ),
            "cell_table_mb": round(
                int(scalar("SELECT pg_total_relation_size('aggregate_cell')")) / 1024 / 1024
            ),
        }


# --------------------------------------------------------------------------------------------
# What is timed


def month_start(today: dt.date, months_back: int) -> dt.date:
    """The first day of the month `months_back` months before today's."""
    index = today.year * 12 + today.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class TerritorialPage:
    counts: pd.DataFrame  # scope_code, period_start, breakdown, breakdown_value, published
    scores: dict[str, Any]  # département → Disclosed[Estimate]


@dataclass(frozen=True)
class Window:
    """What a territorial page shows: the headline question, its months and its score's."""

    headline: Any  # observatory.questionnaires.definitions.Question
    page_from: dt.date
    score_from: dt.date


CELL_COLUMNS = [
    "scope_code",
    "period_start",
    "breakdown",
    "breakdown_value",
    "n",
    "key_sum",
    "counts_json",
    "keys_json",
]


def read_territorial(session: Session, window: Window) -> pd.DataFrame:
    """The page's cells as every reader reads them (`read_cells`: stored cells plus the delta
    log), one call per breakdown, keeping the page's months."""
    from observatory.aggregation.read import read_cells

    frames = [
        read_cells(
            session,
            scope_level="departement",
            period_kind="month",
            question=window.headline.id,
            breakdown=breakdown,
        )
        for breakdown in BREAKDOWNS
    ]
    since = pd.Timestamp(window.page_from)
    return pd.concat([f.loc[f["period_start"] >= since, CELL_COLUMNS] for f in frames])


def read_departement(session: Session, window: Window, code: str) -> pd.DataFrame:
    """One département's cells of the same table (one `read_cells` call: the product's key
    index starts with the scope, so this is the read it serves)."""
    from observatory.aggregation.read import read_cells

    cells = read_cells(
        session,
        scope_level="departement",
        scope_code=code,
        period_kind="month",
        question=window.headline.id,
    )
    keep = cells["breakdown"].isin(BREAKDOWNS) & (
        cells["period_start"] >= pd.Timestamp(window.page_from)
    )
    return cells.loc[keep, CELL_COLUMNS]


def select_territorial(session: Session, window: Window) -> pd.DataFrame:
    """The same cells with one SELECT of exactly those rows (stored cells only: the delta log is
    empty here, a page would have to add it as `read_cells` does)."""
    rows = select_rows(
        session, TERRITORIAL_SQL, question=window.headline.id, start=window.page_from
    )
    # Plain tuples: pandas probes each SQLAlchemy Row for attributes (about 6 µs a row, against
    # 1 µs for a tuple), which read_cells pays.
    cells = pd.DataFrame([tuple(r) for r in rows], columns=CELL_COLUMNS)
    cells["period_start"] = pd.to_datetime(cells["period_start"])
    return cells


def publish(cells: pd.DataFrame, window: Window, rules: Any) -> TerritorialPage:
    """The tables of a territorial barometer as the public may see them: every cell's count
    through `figures.counts` (perturbed, then k_public), and each département's 12-month score
    from its perturbed level counts (the national barometer's rule, dashboards.queries)."""
    from observatory.aggregation.stats import score_0_10_from_levels
    from observatory.disclosure import Disclosed, figures
    from observatory.responses.models import KEY_MODULUS

    cells = cells.reset_index(drop=True)
    published = cells[["scope_code", "period_start", "breakdown", "breakdown_value"]].assign(
        published=figures.counts(cells, rules)
    )
    headline = window.headline
    level_of = {o.code: o.level for o in headline.options if o.level is not None}
    totals = cells[
        (cells["breakdown"] == "none") & (cells["period_start"] >= pd.Timestamp(window.score_from))
    ]
    summed: dict[str, dict[str, list[int]]] = {}
    for code, counts, keys in zip(
        totals["scope_code"], totals["counts_json"], totals["keys_json"], strict=True
    ):
        options = summed.setdefault(str(code), {})
        key_of = json.loads(str(keys))
        for option, count in json.loads(str(counts)).items():
            if option in level_of:
                total = options.setdefault(option, [0, 0])
                total[0] += int(count)
                total[1] = (total[1] + int(key_of[option])) % KEY_MODULUS
    scores: dict[str, Any] = {}
    for code, options in summed.items():
        shown = figures.distribution({o: (c, k) for o, (c, k) in options.items()}, rules)
        if shown is None:
            scores[code] = Disclosed(None, 0, True)
            continue
        by_level: Counter[int] = Counter()
        for option, count in shown.items():
            by_level[level_of[option]] += count
        estimate = score_0_10_from_levels(by_level, headline.max_level)
        scores[code] = Disclosed(estimate, sum(by_level.values()), False)
    return TerritorialPage(published, scores)


def select_rows(session: Session, sql: str, **params: object) -> list[Any]:
    return list(session.execute(text(sql), params).all())


class QuietNotifier:
    """Nothing is folded while pages are timed (tests use the same kind of notifier)."""

    def notify(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Operation:
    name: str
    run: Callable[[], object]


def operations(app: Any, settings: Any, today: dt.date) -> tuple[list[Operation], dict[str, Any]]:
    """The timed operations, and what they read and publish (checked once, untimed)."""
    from dashboards.queries import national_overview
    from observatory.disclosure import Audience
    from observatory.disclosure.figures import Rules

    runtime = app.extensions["observatory"]
    headline = runtime.current_questionnaire().headline
    rules = Rules.for_audience(Audience.PUBLIC, settings)
    client = app.test_client()
    window = Window(headline, month_start(today, PAGE_MONTHS), month_start(today, SCORE_MONTHS))

    def barometer_page() -> int:
        reply = client.get("/barometre/_dash-layout")
        if reply.status_code != 200:
            raise RuntimeError(f"/barometre/_dash-layout answered {reply.status_code}")
        return len(reply.get_data())

    def overview() -> object:
        with runtime.sessions() as session:
            return national_overview(session, headline, settings)

    def territorial() -> TerritorialPage:
        with runtime.sessions() as session:
            return publish(read_territorial(session, window), window, rules)

    def territorial_one_query() -> TerritorialPage:
        with runtime.sessions() as session:
            return publish(select_territorial(session, window), window, rules)

    def territorial_floor() -> list[Any]:
        with runtime.sessions() as session:
            return select_rows(
                session, TERRITORIAL_SQL, question=headline.id, start=window.page_from
            )

    def departement_floor() -> list[Any]:
        with runtime.sessions() as session:  # the département d reads in the same round
            return select_rows(
                session,
                DEPARTEMENT_SQL,
                code=next(floor_codes),
                question=headline.id,
                start=window.page_from,
            )

    def national_floor() -> list[Any]:
        with runtime.sessions() as session:
            return select_rows(session, NATIONAL_SQL, question=headline.id)

    with runtime.sessions() as session:
        prefetched = read_territorial(session, window)

    def gate_only() -> TerritorialPage:
        return publish(prefetched, window, rules)

    departements = sorted(prefetched["scope_code"].unique())
    codes, floor_codes = itertools.cycle(departements), itertools.cycle(departements)

    def departement_page() -> TerritorialPage:
        with runtime.sessions() as session:  # another département each time
            return publish(read_departement(session, window, next(codes)), window, rules)

    page, other = territorial(), territorial_one_query()
    floor_rows = territorial_floor()
    if not len(page.counts) == len(other.counts) == len(floor_rows):
        raise RuntimeError(
            f"b publishes {len(page.counts)} cells, b'' {len(other.counts)}, c selects "
            f"{len(floor_rows)}"
        )
    if page.scores != other.scores:
        raise RuntimeError("b and b'' publish different scores")
    first = str(page.counts["scope_code"].iloc[0])
    with runtime.sessions() as session:
        one = publish(read_departement(session, window, first), window, rules)
    if len(one.counts) != int((page.counts["scope_code"] == first).sum()):
        raise RuntimeError("d does not publish the cells b publishes for the same département")
    published = page.counts["published"]
    shape = {
        "headline": headline.id,
        "page_from": window.page_from.isoformat(),
        "score_from": window.score_from.isoformat(),
        "barometer_layout_bytes": barometer_page(),
        "national_rows": len(national_floor()),
        "territorial_cells": len(page.counts),
        "territorial_cells_by_breakdown": {
            str(k): int(v) for k, v in page.counts["breakdown"].value_counts().items()
        },
        "territorial_held_back": int(published.isna().sum()),
        "departements": int(page.counts["scope_code"].nunique()),
        "departement_scores": len(page.scores),
        "departement_scores_held_back": sum(1 for s in page.scores.values() if s.suppressed),
    }
    return [
        Operation("barometer_page", barometer_page),
        Operation("national_overview", overview),
        Operation("territorial_tables", territorial),
        Operation("territorial_one_query", territorial_one_query),
        Operation("territorial_gate", gate_only),
        Operation("departement_tables", departement_page),
        Operation("territorial_select", territorial_floor),
        Operation("departement_select", departement_floor),
        Operation("national_select", national_floor),
    ], shape


def measure(ops: list[Operation], repeat: int, warmup: int) -> dict[str, list[float]]:
    """Each operation once per round, the order rotating, rounds interleaved."""
    times: dict[str, list[float]] = {op.name: [] for op in ops}
    for round_ in range(warmup + repeat):
        shift = round_ % len(ops)
        for op in ops[shift:] + ops[:shift]:
            started = time.perf_counter()
            op.run()
            elapsed = time.perf_counter() - started
            if round_ >= warmup:
                times[op.name].append(elapsed)
        if (round_ + 1) % 10 == 0:
            log(f"  round {round_ + 1}/{warmup + repeat}")
    return times


# --------------------------------------------------------------------------------------------
# Report


LABELS = {
    "barometer_page": "a. `/barometre/` layout (GET `_dash-layout`: cells, gate, render, JSON)",
    "national_overview": "a′. `national_overview()` alone (cells and gate)",
    "territorial_tables": "b. territorial tables: `read_cells` × 3 + gate",
    "territorial_one_query": "b″. territorial tables: one SELECT + gate",
    "territorial_gate": "g. the gate alone on b's cells (counts and scores, no SQL)",
    "departement_tables": "d. one département's tables: `read_cells` × 1 + gate",
    "territorial_select": "c. baseline of b: one SELECT of the same rows",
    "departement_select": "c″. baseline of d: one SELECT of the same rows",
    "national_select": "c′. baseline of a: one SELECT of the national rows",
}


def machine_info(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
        buffers = conn.execute(text("SHOW shared_buffers")).scalar_one()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_mb": round(memory / 1024 / 1024),
        "database": f"PostgreSQL {version}",
        "shared_buffers": buffers,
    }


FLOORS = {
    "barometer_page": "national_select",
    "national_overview": "national_select",
    "territorial_tables": "territorial_select",
    "territorial_one_query": "territorial_select",
    "departement_tables": "departement_select",
}
BUDGETED = ("barometer_page", "territorial_tables", "territorial_one_query", "departement_tables")


def phase(times: dict[str, list[float]], load: tuple[float, float]) -> dict[str, Any]:
    """Summaries, ratios to the baselines and budgets of one series of rounds."""
    timings = {name: summary_ms(values) for name, values in times.items()}
    ratios = {}
    for name, floor in FLOORS.items():
        for q in ("p50", "p95"):
            value = timings[name][f"{q}_ms"] / timings[floor][f"{q}_ms"]
            ratios[f"{name}_over_{floor}_{q}"] = round(value, 2)
    checks = {}
    for name in BUDGETED:
        p95 = timings[name]["p95_ms"]
        checks[name] = {"limit_ms": BUDGET_P95_MS, "p95_ms": p95, "pass": p95 <= BUDGET_P95_MS}
    return {
        "load_average": [round(x, 2) for x in load],
        "timings": timings,
        "ratios": ratios,
        "budgets": checks,
        "rounds_s": {name: [round(v, 5) for v in values] for name, values in times.items()},
    }


def table(measured: dict[str, Any], repeat: int) -> list[str]:
    t = measured["timings"]
    lines = [
        f"| operation ({repeat} interleaved rounds) | p50 | p95 | max "
        "| p50 / baseline | p95 / baseline | budget (p95 ≤ 150 ms) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, label in LABELS.items():
        s = t[name]
        floor = FLOORS.get(name)
        ratios = (
            f"× {s['p50_ms'] / t[floor]['p50_ms']:,.1f} | × {s['p95_ms'] / t[floor]['p95_ms']:,.1f}"
            if floor
            else "| "
        )
        check = measured["budgets"].get(name)
        verdict = "" if check is None else "meets" if check["pass"] else "**fails**"
        lines.append(
            f"| {label} | {s['p50_ms']:,.1f} ms | {s['p95_ms']:,.1f} ms | {s['max_ms']:,.1f} ms "
            f"| {ratios} | {verdict} |"
        )
    return lines


def markdown(results: dict[str, Any]) -> str:
    data, shape, machine = results["data"], results["page"], results["machine"]
    main = results["product_schema"]
    lines = [
        f"Data: {data['responses']:,} responses ({data['answers']:,} answer rows), "
        f"{data['places']:,} places, {data['months']} months; {data['cells']:,} cells "
        f"({data['departement_cells']:,} of départements), {data['deltas']:,} pending deltas. "
        f"Machine: {machine['cpus']} cores, {machine['system']}, CPython {machine['python']}, "
        f"{machine['database']} (shared_buffers {machine['shared_buffers']}).",
        "",
        f"Product schema (load average {' / '.join(f'{x:.1f}' for x in main['load_average'])}, "
        "before / after):",
        "",
        *table(main, results["repeat"]),
        "",
        f"b publishes {shape['territorial_cells']:,} counts "
        f"({shape['territorial_held_back']:,} held back) of {shape['departements']} départements "
        f"since {shape['page_from']} and {shape['departement_scores']} 12-month scores "
        f"({shape['departement_scores_held_back']} held back); a reads "
        f"{shape['national_rows']} national rows and sends {shape['barometer_layout_bytes']:,} "
        "bytes of layout.",
    ]
    candidate = results.get("candidate_index")
    if candidate:
        lines += [
            "",
            f"With the candidate index `{candidate['ddl']}` (bench database only; built in "
            f"{candidate['create_s']:.1f} s, {candidate['size_mb']:,} MB; load average "
            f"{' / '.join(f'{x:.1f}' for x in candidate['load_average'])}):",
            "",
            *table(candidate, results["repeat"]),
        ]
    if not results["at_budget_scale"]:
        lines += ["", "(Smaller than the scale the budget is stated for.)"]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--server",
        default=DEFAULT_SERVER,
        help=f"PostgreSQL server URL (the database {DATABASE!r} is created there)",
    )
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=60, help="timed rounds (at least 50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--keep", action="store_true", help=f"keep {DATABASE} afterwards")
    parser.add_argument(
        "--candidate-index",
        action="store_true",
        help="then time the pages again with an index for reads across territories "
        "(created in the bench database only, dropped afterwards)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"time the pages on the {DATABASE} a previous --keep run left (no load, no rebuild)",
    )
    args = parser.parse_args(argv)
    if args.responses < 1 or args.places < 1 or args.months < PAGE_MONTHS:
        parser.error(f"--responses and --places must be positive, --months at least {PAGE_MONTHS}")
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be positive and --warmup not negative")
    return args


@contextlib.contextmanager
def bench_database(
    agg: ModuleType, args: argparse.Namespace
) -> Iterator[tuple[str, dict[str, Any]]]:
    if args.reuse and not database_exists(args.server):
        raise SystemExit(f"--reuse: there is no database {DATABASE!r} (run with --keep first)")
    try:
        if args.reuse:
            url = server_url(args.server).set(database=DATABASE)
            log(f"reusing the database {DATABASE} as it is")
            yield url.render_as_string(hide_password=False), {"reused": True}
        else:  # a load that fails half-way is dropped too
            yield build_database(agg, args)
    finally:
        if args.keep:
            log(f"kept the database {DATABASE}")
        else:
            try:
                drop_database(args.server)
                log(f"dropped the database {DATABASE}")
            except Exception as error:  # never hide what stopped the run
                log(f"could not drop {DATABASE}: {error}")


def time_pages(url: str, args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The product's app on the bench database, every operation timed in interleaved rounds."""
    from observatory.app import create_app
    from observatory.clock import today as local_today
    from observatory.config import Settings

    settings = Settings(database_url=url, redis_url=None, secret_key=SECRET)
    app = create_app(settings, notifier=QuietNotifier())
    try:
        ops, shape = operations(app, settings, local_today(settings.timezone))
        log(
            f"b publishes {shape['territorial_cells']:,} cells of {shape['departements']} "
            f"départements; {args.warmup} + {args.repeat} rounds:"
        )
        before = os.getloadavg()[0]
        times = measure(ops, args.repeat, args.warmup)
        after = os.getloadavg()[0]
    finally:
        runtime = app.extensions["observatory"]
        runtime.close()
        runtime.sessions.kw["bind"].dispose()
    return phase(times, (before, after)), shape


def candidate_index(engine: Engine, create: bool) -> dict[str, Any]:
    """Create (or drop) the index a territorial page would need; bench database only."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP INDEX IF EXISTS {CANDIDATE_INDEX}"))
        if not create:
            return {}
        started = time.perf_counter()
        conn.execute(text(CANDIDATE_DDL))
        create_s = time.perf_counter() - started
        conn.execute(text("ANALYZE aggregate_cell"))
        size = conn.execute(text(f"SELECT pg_relation_size('{CANDIDATE_INDEX}')")).scalar_one()
    return {"ddl": CANDIDATE_DDL, "create_s": round(create_s, 2), "size_mb": round(size / MB)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from observatory.db import make_engine

    agg = load_aggregation_bench()
    started = time.perf_counter()
    with bench_database(agg, args) as (url, prepared):
        prepared_s = time.perf_counter() - started
        engine = make_engine(url)
        try:
            candidate_index(engine, create=False)  # a reused database: the product's schema
            data = describe(engine)
            info = machine_info(engine)
            if data["cells"] == 0:
                raise SystemExit(f"{DATABASE} holds no cells")
            log(
                f"{data['responses']:,} responses, {data['places']:,} places, "
                f"{data['cells']:,} cells ({data['departement_cells']:,} of départements)"
            )
            measured, shape = time_pages(url, args)
            with_index = None
            if args.candidate_index:
                log(f"creating the candidate index {CANDIDATE_INDEX} (bench database only)…")
                built = candidate_index(engine, create=True)
                log(f"built in {built['create_s']:.1f} s ({built['size_mb']} MB); again:")
                indexed, indexed_shape = time_pages(url, args)
                if indexed_shape != shape:
                    raise RuntimeError("the pages publish other figures with the index")
                with_index = built | indexed
                candidate_index(engine, create=False)
        finally:
            engine.dispose()
    requested = {"responses": args.responses, "places": args.places, "months": args.months}
    results: dict[str, Any] = {
        "benchmark": "dashboards",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "seed": args.seed,
        "data": data | {"requested": requested},
        "preparation": prepared | {"total_s": round(prepared_s, 1)},
        "at_budget_scale": all(data[k] >= v for k, v in BUDGET_SCALE.items()),
        "page": shape,
        "sql": {
            "territorial_select": " ".join(TERRITORIAL_SQL.split()),
            "national_select": " ".join(NATIONAL_SQL.split()),
            "departement_select": " ".join(DEPARTEMENT_SQL.split()),
        },
        "product_schema": measured,
        "candidate_index": with_index,
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
