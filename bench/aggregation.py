"""Benchmark of the aggregate cells (full rebuild, incremental folds) against a DuckDB GROUP BY.

    .venv/bin/python bench/aggregation.py [--responses 10000000] [--places 20000] [--months 36]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/] [--repeat 3] [--keep]

DESIGN §9 sets the budget: rebuilding every cell (all scope levels, periods and breakdowns)
for 10 M responses takes at most 20 times what DuckDB needs for ONE place × month GROUP BY
of the same data, in the same run, within 4 GB of RAM; an incremental fold of 10,000 new
responses on that history takes at most 2 s and grows with the new responses, not with the
table.

The run:

1. makes a fresh database (`--database-url`; default a SQLite file in a temporary folder; on
   PostgreSQL a dedicated database `bench_aggregation`, dropped and created again), migrated,
   with the packaged territories and questionnaire, `--places` synthetic places over real
   communes (one team each), and `--responses` synthetic responses spread over `--months`
   months ending last month, generated with numpy by chunks of 500,000 (about 7 answer rows
   each: every question optional but the first, multiple-choice motifs, age answered by 70%;
   a random record key per response, docs/decisions/0019);
   the same chunks are appended to a DuckDB database file in the same temporary folder;
   then the database settles as autovacuum would let it (VACUUM ANALYZE on PostgreSQL,
   ANALYZE and a WAL checkpoint on SQLite; untimed, and again after the rebuild);
2. times, rounds interleaved: the DuckDB baseline (best of `--repeat`), the plain extraction
   of the rows the rebuild reads from the project database through the driver (best of
   `--repeat`; COPY … TO STDOUT on PostgreSQL, a cursor on SQLite), and once, in the middle
   round, `rebuild_cells()` in a child process, which reports its own peak RSS;
3. folds a first batch of this month's responses (the largest size, as the month's first
   fold), then inserts 10,000 new responses dated this month and times `fold_all_pending()`
   in a child process, then 1,000 and 100,000 (`--folds`), for `--repeat` rounds (best
   counts); each fold finds only its own batch pending. A fold appends its cells to the delta
   log (one row per scope, month and breakdown value, every question in it); after the first
   fold and after each round, `compact_deltas()` (what the worker runs when the log is large
   or a sweep finds nothing new) is timed in a child process too, so that every round starts
   from a compacted log and the cost moved off the fold is reported.
   The seconds per 1,000 responses and the fixed cost (intercept of a line through the folds)
   show whether the fold grows with the new answers rather than with the table.

Why the baseline is the floor: any implementation has to read every answer with the place
and the day of its response and add up n, Σ level and Σ level² per cell. DuckDB's GROUP BY
does just that for the finest scope and period (place × month: the cells of communes, EPCI,
départements, régions, teams, quarters and years are sums of those), vectorised, on all
cores, from columnar data it already holds, and writes nothing. The extraction is the other
floor: what reading the same rows out of the project's database costs before any
computation, so `rebuild / (extraction + GROUP BY)` tells how much of the rebuild is more
than I/O. The rebuild must also roll the cells up every scope level, split them by
breakdown, and write them back, which is why the budget is a ratio and not equality.
Memory is the peak RSS of the child process (VmHWM; the database server's is not counted).

Writes bench/results/aggregation.json (every figure, the budgets with pass or fail, the
machine) and prints Markdown tables for docs/performance.md. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from report import write_results  # bench/ is on sys.path when a bench runs
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from observatory.demo.responses import (
    BREAKOFF_BY_CHANNEL,
    LOADING,
    MOTIF_WEIGHT,
    SEASON,
    SHARES,
    SKIP_BY_CHANNEL,
    WEEKDAY,
)
from observatory.responses.models import KEY_MODULUS

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "results" / "aggregation.json"
PG_DATABASE = "bench_aggregation"
DEFAULT_PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
CHUNK = 500_000
FOLD_SIZES = (10_000, 1_000, 100_000)
SECRET = "x" * 32
MB = 1024 * 1024

# Budgets of DESIGN §9 and the scale they are stated for. The rebuild ratio is checked against
# the bare GROUP BY (as DESIGN words it, unattainable from PostgreSQL) and against extraction +
# GROUP BY (the operative budget since docs/decisions/0013).
BUDGET_SCALE = {"responses": 10_000_000, "places": 20_000, "months": 36}
BUDGET_REBUILD_RATIO = 20.0
BUDGET_RSS_MB = 4096.0
BUDGET_FOLD_SIZE = 10_000
BUDGET_FOLD_S = 2.0
# Proportional: the part of a fold that does not grow with the batch (intercept of a line
# through the folds) is at most this share of the budgeted fold.
BUDGET_FOLD_FIXED_SHARE = 0.5

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
ObjectArray = np.ndarray[Any, np.dtype[np.object_]]

# The demo's mix (observatory/demo/responses.py), simplified: one latent satisfaction per response
# that scored questions follow, item non-response by channel, break-off, 1-3 motifs.
CHANNELS = np.array(["qr", "kiosk", "paper", "assisted"], dtype=object)
CHANNEL_SHARES_KIOSK = (0.40, 0.30, 0.15, 0.15)  # places with a kiosk (45% of them)
CHANNEL_SHARES_NO_KIOSK = (0.55, 0.0, 0.25, 0.20)
CHANNEL_EFFECT = np.array([-0.05, 0.05, 0.0, 0.15])
LANGUAGES = np.array(["fr", "en", "ar", "es", "pt", "uk"], dtype=object)
LANGUAGE_SHARES = (0.95, 0.01, 0.015, 0.005, 0.0075, 0.0125)
FLAGGED_SHARE = 0.001  # kept out of statistics until reviewed
# Fewer answer the optional questions than in the demo's mix.
SKIP: dict[str, float] = {"objectif": 0.05, "autonomie": 0.07, "motif": 0.09, "accueil": 0.05,
                          "recommandation": 0.06, "age": 0.3, "premiere_visite": 0.2}  # fmt: skip
MOTIF_COUNT_SHARES = (0.6, 0.3, 0.1)  # 1, 2 or 3 motifs

BASELINE_SQL = """
SELECT r.place_id, date_trunc('month', r.day) AS month, count(*) AS n,
       sum(a.level)::BIGINT AS sum, sum(a.level * a.level)::BIGINT AS sum_sq
FROM answer AS a JOIN response AS r ON r.seq = a.response_seq
WHERE r.flags = 0
GROUP BY r.place_id, month
"""
# What the rebuild needs from the project database (the columns of every response that counts).
EXTRACT_RESPONSES = (
    "SELECT seq, place_id, team_id, questionnaire_version, channel, day, language, record_key "
    "FROM response WHERE flags = 0"
)
EXTRACT_ANSWERS = "SELECT response_seq, question, option FROM answer"

_STARTED = time.perf_counter()


def rss_mb() -> float:
    """Current resident set size of this process (Linux; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / MB


def log(message: str) -> None:
    elapsed = time.perf_counter() - _STARTED
    stamp = f"[{dt.datetime.now():%H:%M:%S} +{elapsed:7.1f}s {rss_mb():6.0f} MB]"
    print(f"{stamp} {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# The database under test


@dataclass
class Target:
    """The project database of this run and how to clean it up."""

    url: str
    kind: str  # "sqlite" or "postgresql"
    workdir: Path
    admin_url: str | None = None  # PostgreSQL: the maintenance database, to drop ours


def _drop_pg(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def create_target(database_url: str | None, workdir: Path) -> Target:
    """A fresh, empty database: a new SQLite file, or `bench_aggregation` made again."""
    if not database_url or database_url.startswith("sqlite"):
        path = (
            Path(make_url(database_url).database or "")
            if database_url
            else workdir / "observatory.sqlite3"
        )
        if not path.name or path.exists():
            raise SystemExit(
                f"the benchmark needs the path of a new SQLite file, not {str(path)!r}"
            )
        return Target(f"sqlite:///{path}", "sqlite", workdir)
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise SystemExit(f"unsupported database {url.drivername!r} (SQLite or PostgreSQL)")
    name = url.database or PG_DATABASE
    if not name.startswith("bench"):
        # It is dropped and created again: never the tests' database nor anyone's data.
        raise SystemExit(f"refusing to use database {name!r}: its name must start with 'bench'")
    admin_url = url.set(database="postgres").render_as_string(hide_password=False)
    _drop_pg(admin_url, name)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    target_url = url.set(database=name).render_as_string(hide_password=False)
    return Target(target_url, "postgresql", workdir, admin_url)


def drop_target(target: Target) -> None:
    if target.kind == "postgresql" and target.admin_url:
        _drop_pg(target.admin_url, make_url(target.url).database or PG_DATABASE)
    else:
        path = Path(make_url(target.url).database or "")
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def database_mb(engine: Engine) -> float:
    """Size of the project database on disk (main file and WAL on SQLite)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        return round(int(size) / MB, 1)
    path = Path(engine.url.database or "")
    files = [path.with_name(path.name + suffix) for suffix in ("", "-wal")]
    return round(sum(f.stat().st_size for f in files if f.exists()) / MB, 1)


def server_version(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as conn:
        return f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar_one()}"


# --------------------------------------------------------------------------------------------
# Places, teams and the questionnaire


@dataclass(frozen=True)
class Places:
    ids: IntArray
    teams: IntArray  # the team that answers are recorded for, per place
    weight: FloatArray  # share of the responses, per place
    has_kiosk: np.ndarray[Any, np.dtype[np.bool_]]
    effect: FloatArray  # place effect on the latent satisfaction


def seed_reference(factory: sessionmaker[Session]) -> int:
    """Territories and questionnaires, by the demo's path; returns the current version."""
    from observatory.questionnaires.definitions import ensure_questionnaires, load_questionnaires
    from observatory.territories.service import import_territories

    with factory.begin() as session:
        ensure_questionnaires(session)
        import_territories(session)
    with factory() as session:
        return max(load_questionnaires(session))


def create_places(
    factory: sessionmaker[Session], n_places: int, rng: np.random.Generator
) -> Places:
    """`n_places` places in real communes (weighted by population**0.6), one team each; one
    place in 12 is also served by the team of the place before it (teams of two places)."""
    from observatory.db import bulk_insert
    from observatory.demo.wordbanks import SERVICES
    from observatory.places.codes import allocate_code
    from observatory.territories.referential import load_referential

    communes = sorted(load_referential().communes.values(), key=lambda c: c.code)
    population = np.array([c.population for c in communes], dtype=float).clip(min=1.0)
    weight = population**0.6
    chosen = np.sort(rng.choice(len(communes), size=n_places, p=weight / weight.sum()))
    taken: set[str] = set()
    rows = []
    today = dt.date.today()
    n_services = rng.integers(2, 7, n_places)
    for i, index in enumerate(chosen.tolist(), start=1):  # one row per place, not per response
        commune = communes[index]
        source_id = f"bench-{i:06d}"
        code = allocate_code(source_id, taken.__contains__)
        taken.add(code)
        services = [
            SERVICES[j] for j in sorted(rng.choice(len(SERVICES), n_services[i - 1], False))
        ]
        postal = commune.postal_codes[0] if commune.postal_codes else "00000"
        rows.append(
            (i, code, source_id, "Benchmark (synthétique)", f"{i:014d}",
             f"Lieu {i} – {commune.name}"[:300], commune.code, commune.name, postal[:5],
             f"{1 + i % 80} place de la Mairie", None, None, '["TIERS_LIEUX"]',
             json.dumps(services, ensure_ascii=False), "[]", False, today, "{}", None)
        )  # fmt: skip
    columns = ["id", "code", "source_id", "source", "pivot", "name", "commune_code"]
    columns += ["commune_name", "postal_code", "address", "lat", "lon", "typologie", "services"]
    columns += ["dispositifs", "itinerant", "updated_at", "record", "presentation"]
    places = pd.DataFrame(rows, columns=columns)
    ids = np.arange(1, n_places + 1, dtype=np.int64)
    teams = pd.DataFrame({"id": ids, "name": [f"Équipe {c}" for c in places["code"]]})
    links = pd.DataFrame({"team_id": ids, "place_id": ids})
    shared = ids[(ids % 12 == 0) & (ids > 1)]
    links = pd.concat([links, pd.DataFrame({"team_id": shared - 1, "place_id": shared})])
    with factory.begin() as session:
        bulk_insert(session, "place", places)
        bulk_insert(session, "team", teams)
        bulk_insert(session, "team_place", links.reset_index(drop=True))
    activity = rng.lognormal(0.0, 1.1, n_places) * population[chosen] ** 0.15
    return Places(
        ids=ids,
        teams=ids.copy(),
        weight=activity / activity.sum(),
        has_kiosk=rng.random(n_places) < 0.45,
        effect=rng.normal(0.0, 0.35, n_places),
    )


# --------------------------------------------------------------------------------------------
# Synthetic responses, vectorised (one numpy pass per question over a whole chunk)


@dataclass(frozen=True)
class Item:
    """One option question of the questionnaire, as the generator draws it."""

    id: str
    position: int
    multiple: bool
    scored: bool
    options: tuple[str, ...]  # scored questions: best level first
    levels: IntArray  # level of each option (0 when not scored, as in the cells)


def questionnaire_items(version: int) -> list[Item]:
    from observatory.questionnaires.definitions import builtin

    items = []
    for position, q in enumerate(builtin(version).questions):
        if q.kind == "text" or not q.options:
            continue
        options = list(q.options)
        if q.scored:
            options.sort(key=lambda o: -(o.level or 0))
        levels = np.array([o.level if q.scored and o.level else 0 for o in options], np.int64)
        codes = tuple(o.code for o in options)
        items.append(Item(q.id, position, q.kind == "multiple", q.scored, codes, levels))
    return items


@dataclass(frozen=True)
class Chunk:
    responses: pd.DataFrame  # the project's `response` columns
    answers: pd.DataFrame  # response_seq, question, option (the project's `answer`)
    duck_responses: pd.DataFrame  # seq, place_id, team_id, day, flags
    duck_answers: pd.DataFrame  # response_seq, question, option, level


def _draw(rng: np.random.Generator, n: int, shares: Sequence[float]) -> IntArray:
    cdf = np.cumsum(shares) / sum(shares)
    drawn = np.searchsorted(cdf, rng.random(n), side="right")
    return np.minimum(drawn, len(shares) - 1).astype(np.int64)


def _uuids(rng: np.random.Generator, n: int) -> ObjectArray:
    """Random version-4 UUID strings, made with array operations."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    nibbles = np.empty((n, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 0x0F
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    hex_positions = [i for i in range(36) if i not in {8, 13, 18, 23}]
    out[:, hex_positions] = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]
    return out.view("S36").ravel().astype("U36").astype(object)


class Generator:
    """Chunks of responses and answers for given seqs and days; the places drawn by weight."""

    def __init__(self, items: list[Item], version: int, places: Places, seed: int) -> None:
        self.items = items
        self.version = version
        self.places = places
        self.rng = np.random.default_rng(seed)
        # Record keys from a stream of their own, so that the rest of the data does not change
        # with them (runs before and after docs/decisions/0019 compare the same answers).
        self.key_rng = np.random.default_rng([seed, 19])
        self.n_positions = 1 + max((i.position for i in items), default=0)
        self.question_names = np.array([i.id for i in items], dtype=object)
        codes = sorted({code for item in items for code in item.options})
        self.option_names = np.array(codes, dtype=object)
        self.option_index = [np.array([codes.index(c) for c in i.options]) for i in items]
        self.shares = np.array([CHANNEL_SHARES_NO_KIOSK, CHANNEL_SHARES_KIOSK]).cumsum(axis=1)

    def chunk(self, seqs: IntArray, days: np.ndarray[Any, np.dtype[np.datetime64]]) -> Chunk:
        rng, places, n = self.rng, self.places, len(seqs)
        place = rng.choice(len(places.ids), size=n, p=places.weight)
        cdf = self.shares[places.has_kiosk[place].astype(np.int64)]
        channel = np.minimum((rng.random(n)[:, None] > cdf).sum(axis=1), 3)
        latent = (
            places.effect[place] + CHANNEL_EFFECT[channel] + rng.standard_normal(n)
        ) / np.hypot(1.0, 0.36)
        flags = (rng.random(n) < FLAGGED_SHARE).astype(np.int64)
        responses = pd.DataFrame(
            {
                "seq": seqs,
                "id": _uuids(rng, n),
                "idempotency_key": np.char.add("bench-", seqs.astype("U20")).astype(object),
                "place_id": places.ids[place],
                "team_id": places.teams[place],
                "questionnaire_version": self.version,
                "channel": CHANNELS[channel],
                "day": days.astype("datetime64[D]").astype(object),  # datetime.date
                "language": LANGUAGES[_draw(rng, n, LANGUAGE_SHARES)],
                "flags": flags,
                "record_key": self.key_rng.integers(0, KEY_MODULUS, n, dtype=np.int64),
            }
        )
        rows, question, option, level = self._answers(channel, latent)
        answers = pd.DataFrame(
            {
                "response_seq": seqs[rows],
                "question": self.question_names[question],
                "option": self.option_names[option],
            }
        )
        duck_responses = pd.DataFrame(
            {
                "seq": seqs,
                "place_id": responses["place_id"].to_numpy(),
                "team_id": responses["team_id"].to_numpy(),
                "day": days.astype("datetime64[s]"),
                "flags": flags,
            }
        )
        duck_answers = pd.DataFrame(
            {
                "response_seq": seqs[rows],
                "question": pd.Categorical.from_codes(question, self.question_names.tolist()),
                "option": pd.Categorical.from_codes(option, self.option_names.tolist()),
                "level": level,
            }
        )
        return Chunk(responses, answers, duck_responses, duck_answers)

    def _answers(
        self, channel: IntArray, latent: FloatArray
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """(response row, question index, option index, level) of every answer row."""
        rng, n = self.rng, len(channel)
        breaks = rng.random(n) < BREAKOFF_BY_CHANNEL[channel]
        stop = np.where(breaks, rng.integers(1, self.n_positions, n), self.n_positions)
        parts: list[tuple[IntArray, IntArray, IntArray]] = []
        for index, item in enumerate(self.items):
            if index == 0:
                answered = np.arange(n)
            else:
                skip = np.minimum(SKIP.get(item.id, 0.08) * SKIP_BY_CHANNEL[channel], 1.0)
                answered = np.flatnonzero((stop > item.position) & (rng.random(n) >= skip))
            if item.multiple:
                rows, chosen = self._multiple(item, answered)
            else:
                rows, chosen = answered, self._single(item, latent[answered], index == 0)
            parts.append((rows, np.full(len(rows), index), chosen))
        rows = np.concatenate([p[0] for p in parts])
        order = np.argsort(rows, kind="stable")
        question = np.concatenate([p[1] for p in parts])[order]
        chosen = np.concatenate([p[2] for p in parts])[order]
        option = np.empty(len(chosen), dtype=np.int64)
        level = np.empty(len(chosen), dtype=np.int64)
        for index, item in enumerate(self.items):
            mine = question == index
            option[mine] = self.option_index[index][chosen[mine]]
            level[mine] = item.levels[chosen[mine]]
        return rows[order], question, option, level

    def _single(self, item: Item, latent: FloatArray, headline: bool) -> IntArray:
        k, n = len(item.options), len(latent)
        shares = SHARES.get(item.id, ())
        if len(shares) != k:
            shares = tuple(np.full(k, 1.0 / k))
        if not item.scored:
            return _draw(self.rng, n, shares)
        y = latent
        if not headline:
            loading = LOADING.get(item.id, 0.6)
            y = loading * latent + np.sqrt(1 - loading**2) * self.rng.standard_normal(n)
        # Category 0 (the best) above the (1 - s0) quantile of a standard normal, and so on.
        cuts = sorted(NormalDist().inv_cdf(1.0 - c) for c in np.cumsum(shares)[:-1])
        return (len(cuts) - np.searchsorted(cuts, y, side="right")).astype(np.int64)

    def _multiple(self, item: Item, answered: IntArray) -> tuple[IntArray, IntArray]:
        """1-3 distinct options per answered response, by weight (Gumbel top-k)."""
        k = len(item.options)
        weight = np.log([MOTIF_WEIGHT.get(code, 1.0) for code in item.options])
        keys = weight + self.rng.gumbel(size=(len(answered), k))
        top = np.argsort(-keys, axis=1)[:, : min(3, k)]
        count = 1 + _draw(self.rng, len(answered), MOTIF_COUNT_SHARES[: top.shape[1]])
        keep = np.arange(top.shape[1])[None, :] < count[:, None]
        rows = np.broadcast_to(answered[:, None], top.shape)[keep]
        return rows.astype(np.int64), top[keep].astype(np.int64)


def calendar(months: int, today: dt.date) -> tuple[np.ndarray[Any, Any], FloatArray]:
    """Opening days of the `months` months ending last month, and their relative volume."""
    this_month = np.datetime64(today.replace(day=1), "M")
    days = np.arange(
        (this_month - months).astype("datetime64[D]"), this_month.astype("datetime64[D]")
    )
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    growth = 1.25 ** (np.arange(len(days)) / max(len(days) - 1, 1))
    weight = SEASON[month] * WEEKDAY[weekday] * growth
    return days[weight > 0], weight[weight > 0]


# --------------------------------------------------------------------------------------------
# Loading


class DuckSink:
    """The baseline's copy of the data: a DuckDB database file beside the project database."""

    def __init__(self, path: Path) -> None:
        import duckdb

        self.con = duckdb.connect(str(path))
        self.con.execute(
            "CREATE TABLE response (seq BIGINT, place_id INTEGER, team_id INTEGER, day DATE, "
            "flags INTEGER)"
        )
        self.con.execute(
            "CREATE TABLE answer (response_seq BIGINT, question VARCHAR, option VARCHAR, "
            "level INTEGER)"
        )

    def append(self, chunk: Chunk) -> None:
        self.con.register("chunk_responses", chunk.duck_responses)
        self.con.register("chunk_answers", chunk.duck_answers)
        self.con.execute(
            "INSERT INTO response SELECT seq, place_id, team_id, CAST(day AS DATE), flags "
            "FROM chunk_responses"
        )
        self.con.execute(
            "INSERT INTO answer SELECT response_seq, CAST(question AS VARCHAR), "
            "CAST(option AS VARCHAR), level FROM chunk_answers"
        )
        self.con.unregister("chunk_responses")
        self.con.unregister("chunk_answers")

    def group_by(self) -> tuple[float, int]:
        """Seconds of the baseline query, result fetched as arrays; number of groups."""
        started = time.perf_counter()
        result = self.con.execute(BASELINE_SQL).fetchnumpy()
        return time.perf_counter() - started, len(result["n"])

    def rows(self) -> tuple[int, int]:
        responses = self.con.execute("SELECT count(*) FROM response").fetchone()
        answers = self.con.execute("SELECT count(*) FROM answer").fetchone()
        return int(responses[0] if responses else 0), int(answers[0] if answers else 0)


def store(factory: sessionmaker[Session], chunk: Chunk, *, skip_fk_checks: bool) -> None:
    from observatory.db import bulk_insert

    with factory.begin() as session:
        if skip_fk_checks:
            # History load only: the rows are consistent by construction, and PostgreSQL's
            # per-row foreign key triggers make the load about 3 times slower (measured).
            session.execute(text("SET LOCAL session_replication_role = replica"))
        bulk_insert(session, "response", chunk.responses)
        bulk_insert(session, "answer", chunk.answers)


def superuser(engine: Engine) -> bool:
    """Whether foreign key triggers can be skipped for the history load (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        )


def max_seq(factory: sessionmaker[Session]) -> int:
    from observatory.responses.models import Response

    with factory() as session:
        return int(session.scalar(select(func.coalesce(func.max(Response.seq), 0))) or 0)


def realign_sequences(engine: Engine) -> None:
    """Explicit ids do not move PostgreSQL's sequences: later inserts continue after the max."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table, column in (("response", "seq"), ("place", "id"), ("team", "id")):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"(SELECT coalesce(max({column}), 1) FROM {table}))"
                )
            )


def settle(engine: Engine) -> float:
    """What a production database has done by itself after a bulk load (autovacuum,
    checkpoints): statistics, visibility map and hint bits on PostgreSQL, a WAL checkpoint on
    SQLite, so that no timed operation pays for it."""
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def load_history(
    factory: sessionmaker[Session],
    generator: Generator,
    sink: DuckSink,
    args: argparse.Namespace,
    today: dt.date,
    *,
    skip_fk_checks: bool,
) -> dict[str, Any]:
    """`--responses` responses over `--months` months, by chunks, in seq (and day) order."""
    days, weight = calendar(args.months, today)
    counts = generator.rng.multinomial(args.responses, weight / weight.sum())
    ends = np.cumsum(counts)  # responses up to each day: seq follows the day, as in life
    timings = {"generate_s": 0.0, "store_s": 0.0, "duckdb_s": 0.0}
    answers = 0
    for start in range(0, args.responses, CHUNK):
        stop = min(start + CHUNK, args.responses)
        t0 = time.perf_counter()
        positions = np.arange(start, stop, dtype=np.int64)
        chunk = generator.chunk(positions + 1, days[np.searchsorted(ends, positions, side="right")])
        t1 = time.perf_counter()
        store(factory, chunk, skip_fk_checks=skip_fk_checks)
        t2 = time.perf_counter()
        sink.append(chunk)
        t3 = time.perf_counter()
        timings["generate_s"] += t1 - t0
        timings["store_s"] += t2 - t1
        timings["duckdb_s"] += t3 - t2
        answers += len(chunk.answers)
        log(
            f"  {stop:,}/{args.responses:,} responses, {answers:,} answer rows "
            f"(generate {t1 - t0:.1f} s, store {t2 - t1:.1f} s, DuckDB {t3 - t2:.1f} s)"
        )
    return {"responses": args.responses, "answers": answers, "days": len(days)} | {
        k: round(v, 2) for k, v in timings.items()
    }


def new_batch(
    factory: sessionmaker[Session], generator: Generator, size: int, today: dt.date
) -> int:
    """`size` new responses dated this month, after every stored seq; returns answer rows."""
    first = today.replace(day=1)
    span = (today - first).days + 1
    offsets = np.sort(generator.rng.integers(0, span, size))
    days = np.datetime64(first, "D") + offsets
    first_seq = max_seq(factory) + 1
    seqs = np.arange(first_seq, first_seq + size, dtype=np.int64)
    chunk = generator.chunk(seqs, days)
    store(factory, chunk, skip_fk_checks=False)
    return len(chunk.answers)


# --------------------------------------------------------------------------------------------
# Timed operations


def maxrss_mb() -> float:
    """Peak resident set size of this process.

    On Linux, VmHWM of /proc/self/status: `ru_maxrss` would not do, since a child started by
    fork (or vfork) and exec inherits the parent's peak there, and the parent held a chunk of
    generated data. Elsewhere `ru_maxrss` (KiB on Linux, bytes on macOS).
    """
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (MB if sys.platform == "darwin" else 1024), 1)


def child(operation: str, database_url: str) -> dict[str, Any]:
    """Run one timed operation in this (child) process; the parent reads the printed JSON."""
    from observatory.aggregation.fold import FoldResult, compact_deltas, fold_all_pending
    from observatory.aggregation.rebuild import rebuild_cells
    from observatory.clock import today
    from observatory.config import Settings
    from observatory.db import make_engine, make_session_factory

    settings = Settings(database_url=database_url, secret_key=SECRET)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    with engine.connect() as conn:  # connected before the clock starts
        conn.execute(text("SELECT 1"))
    before = maxrss_mb()
    started = time.perf_counter()
    if operation == "rebuild":
        result = rebuild_cells(factory, settings)
    elif operation == "compact":
        with factory.begin() as session:
            touched = compact_deltas(session, today(settings.timezone))
        result = FoldResult(0, touched, 0)
    else:
        result = fold_all_pending(factory, today(settings.timezone))
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "seconds": round(seconds, 4),
        "responses": getattr(result, "responses", None),
        "rows_written": getattr(result, "rows_written", None),
        "rss_before_mb": before,
        "peak_rss_mb": maxrss_mb(),
    }


def run_child(operation: str, database_url: str) -> dict[str, Any]:
    """The operation in a fresh interpreter, so that its peak RSS is its own."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", operation]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--database-url", database_url],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{operation} failed in its child process (exit {done.returncode}); its traceback "
            "is above"
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = round(wall, 3)
    return result


def extract(engine: Engine) -> tuple[float, int]:
    """Seconds to read the rows the rebuild needs, through the driver; rows read."""
    rows = 0
    started = time.perf_counter()
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        for sql in (EXTRACT_RESPONSES, EXTRACT_ANSWERS):
            if engine.dialect.name == "postgresql":
                with raw.cursor() as cursor:
                    with cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                        for _block in copy:
                            pass
                    rows += cursor.rowcount
            else:
                cursor = raw.cursor()
                cursor.execute(sql)
                while batch := cursor.fetchmany(100_000):
                    rows += len(batch)
                cursor.close()
    return time.perf_counter() - started, rows


def count_cells(factory: sessionmaker[Session]) -> int:
    from observatory.aggregation.models import AggregateCell

    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(AggregateCell)) or 0)


def timing(times: list[float]) -> dict[str, Any]:
    return {
        "runs_s": [round(t, 4) for t in times],
        "best_s": round(min(times), 4),
        "median_s": round(statistics.median(times), 4),
    }


def measure_rebuild(
    target: Target, engine: Engine, sink: DuckSink, repeat: int, answers: int
) -> dict[str, Any]:
    """Baseline and extraction every round; the rebuild once, in the middle round."""
    baseline: list[float] = []
    extraction: list[float] = []
    groups = extracted = 0
    rebuild: dict[str, Any] = {}
    for round_ in range(repeat):
        seconds, groups = sink.group_by()
        baseline.append(seconds)
        seconds, extracted = extract(engine)
        extraction.append(seconds)
        log(
            f"  round {round_ + 1}/{repeat}: DuckDB GROUP BY {baseline[-1]:.3f} s, "
            f"extraction {extraction[-1]:.3f} s"
        )
        if round_ == (repeat - 1) // 2:
            log("  rebuild_cells() in a child process…")
            rebuild = run_child("rebuild", target.url)
            log(f"  rebuild {rebuild['seconds']:.2f} s, peak RSS {rebuild['peak_rss_mb']:.0f} MB")
    rebuild["answers_per_s"] = round(answers / rebuild["seconds"], 1)
    if rebuild.get("responses"):
        rebuild["responses_per_s"] = round(rebuild["responses"] / rebuild["seconds"], 1)
    return {
        "rebuild": rebuild,
        "baseline": timing(baseline)
        | {"groups": groups, "answers_per_s": round(answers / min(baseline), 1)},
        "extraction": timing(extraction) | {"rows": extracted},
    }


def measure_folds(
    target: Target,
    factory: sessionmaker[Session],
    generator: Generator,
    sizes: Sequence[int],
    *,
    rounds: int,
    today: dt.date,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`rounds` rounds of one fold per size; each fold finds only its own batch pending (the
    fold before it took everything). The best run of each size counts.

    First, untimed in the budget, the month's first fold: the largest batch, which creates
    the cells of the current month. Every timed fold then updates cells that exist, as the
    folds of a running observatory do, so that its rounds are alike and best-of is fair.
    """
    first = max(sizes)
    answers = new_batch(factory, generator, first, today)
    log(f"  first fold of the month: {first:,} new responses ({answers:,} answer rows)…")
    warmup = run_child("fold", target.url) | {"new_responses": first, "new_answers": answers}
    log(f"  fold {warmup['seconds']:.3f} s, peak RSS {warmup['peak_rss_mb']:.0f} MB")
    compactions = [compaction(target, "the first fold")]
    runs: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
    for round_ in range(rounds):
        for size, done in runs.items():
            answers = new_batch(factory, generator, size, today)
            log(
                f"  round {round_ + 1}/{rounds}: {size:,} new responses ({answers:,} answer "
                "rows), fold in a child process…"
            )
            result = run_child("fold", target.url) | {"new_answers": answers}
            log(f"  fold {result['seconds']:.3f} s, peak RSS {result['peak_rss_mb']:.0f} MB")
            done.append(result)
        compactions.append(compaction(target, f"round {round_ + 1}"))
    folds = []
    for size, results in runs.items():
        best = min(results, key=lambda r: r["seconds"])
        times = [r["seconds"] for r in results]
        folds.append(
            {
                "new_responses": size,
                "new_answers": best["new_answers"],
                "seconds": best["seconds"],
                **timing(times),
                "rows_written": best["rows_written"],
                "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
                "per_1000_responses_s": round(best["seconds"] / size * 1000, 4),
                "per_1000_answers_s": round(
                    best["seconds"] / max(best["new_answers"], 1) * 1000, 4
                ),
                "runs": results,
            }
        )
    return folds, warmup | {"compactions": compactions}


def compaction(target: Target, after: str) -> dict[str, Any]:
    """Time the compaction of the delta log (off the fold's path in the product: the worker
    runs it when the log is large or when a sweep finds nothing new)."""
    log(f"  compaction of the delta log after {after}…")
    result = run_child("compact", target.url) | {"after": after}
    log(f"  compaction {result['seconds']:.3f} s, {result['rows_written'] or 0:,} cells")
    return result


# --------------------------------------------------------------------------------------------
# Report


def proportionality(folds: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Least-squares line seconds = fixed + per_1000 × responses/1000 through the folds."""
    if len({f["new_responses"] for f in folds}) < 2:
        return None
    x = np.array([f["new_responses"] / 1000 for f in folds], dtype=float)
    y = np.array([f["seconds"] for f in folds], dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    return {"fixed_s": round(float(intercept), 4), "per_1000_responses_s": round(float(slope), 4)}


def budgets(results: dict[str, Any]) -> dict[str, Any]:
    rebuild = results["rebuild"]
    ratio = results["ratios"]["rebuild_over_groupby"]
    floor = results["ratios"]["rebuild_over_extraction_and_groupby"]
    checks: dict[str, Any] = {
        "rebuild_ratio": {
            "limit": BUDGET_REBUILD_RATIO,
            "value": ratio,
            "pass": ratio <= BUDGET_REBUILD_RATIO,
            "rule": "DESIGN §9 as worded; unattainable from PostgreSQL (docs/decisions/0013)",
        },
        "rebuild_floor_ratio": {
            "limit": BUDGET_REBUILD_RATIO,
            "value": floor,
            "pass": floor <= BUDGET_REBUILD_RATIO,
            "rule": "operative budget: rebuild / (extraction + GROUP BY) (docs/decisions/0013)",
        },
        "rebuild_rss_mb": {
            "limit": BUDGET_RSS_MB,
            "value": rebuild["peak_rss_mb"],
            "pass": rebuild["peak_rss_mb"] <= BUDGET_RSS_MB,
        },
    }
    budgeted = [f for f in results["folds"] if f["new_responses"] == BUDGET_FOLD_SIZE]
    if budgeted:
        seconds = budgeted[0]["seconds"]
        checks["fold_10000_s"] = {
            "limit": BUDGET_FOLD_S,
            "value": seconds,
            "pass": seconds <= BUDGET_FOLD_S,
        }
        line = results["fold_line"]
        if line is not None:
            limit = round(BUDGET_FOLD_FIXED_SHARE * seconds, 4)
            checks["fold_fixed_s"] = {
                "limit": limit,
                "value": line["fixed_s"],
                "pass": line["fixed_s"] <= limit,
                "rule": "intercept of the line through the folds ≤ half the 10,000 fold",
            }
    peak = max((f["peak_rss_mb"] for f in results["folds"]), default=0.0)
    checks["fold_rss_mb"] = {"limit": BUDGET_RSS_MB, "value": peak, "pass": peak <= BUDGET_RSS_MB}
    return checks


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def markdown(results: dict[str, Any]) -> str:
    data, r = results["data"], results["rebuild"]
    b, e, ratios = results["baseline"], results["extraction"], results["ratios"]
    machine = results["machine"]
    lines = [
        f"Machine: {machine['cpus']} cores, {machine['system']}, CPython {machine['python']}, "
        f"{machine['database']}, DuckDB {machine['duckdb']} ({machine['duckdb_threads']} threads).",
        "",
        "| input | `rebuild_cells()` | DuckDB place × month GROUP BY | ratio "
        "| extraction | ratio to extraction + GROUP BY | cells | rebuild throughput | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {data['responses']:,} responses ({data['answers']:,} answer rows), "
        f"{data['places']:,} places, {data['months']} months | {_s(r['seconds'])} "
        f"| {_s(b['best_s'])} | × {ratios['rebuild_over_groupby']:,.1f} | {_s(e['best_s'])} "
        f"| × {ratios['rebuild_over_extraction_and_groupby']:,.1f} | {results['cells']:,} "
        f"| {r['answers_per_s']:,.0f} answer rows/s | {r['peak_rss_mb']:,.0f} MB |",
        "",
        "| new responses | answer rows | `fold_all_pending()` | per 1,000 responses "
        "| per 1,000 answer rows | rows logged | peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in sorted(results["folds"], key=lambda f: f["new_responses"]):
        lines.append(
            f"| {f['new_responses']:,} | {f['new_answers']:,} | {_s(f['seconds'])} "
            f"| {f['per_1000_responses_s']:.3f} s | {f['per_1000_answers_s']:.4f} s "
            f"| {f['rows_written'] or 0:,} | {f['peak_rss_mb']:,.0f} MB |"
        )
    first = results["first_fold_of_month"]
    compactions = ", ".join(
        f"after {c['after']}: {_s(c['seconds'])} ({c['rows_written'] or 0:,} cells)"
        for c in first.get("compactions", [])
    )
    lines += [
        "",
        f"Each fold appends to the delta log; the month's first fold came before them "
        f"({first['new_responses']:,} responses: {_s(first['seconds'])}, "
        f"{first['rows_written'] or 0:,} rows logged; not in the budget). Compactions of "
        f"the log, off the fold's path: {compactions or 'none'}. Best of "
        f"{results['repeat']} round{'s' if results['repeat'] > 1 else ''}; the fold's fixed "
        "cost (intercept of a line through "
        f"the folds) is {_s(results['fold_line']['fixed_s']) if results['fold_line'] else 'n/a'}.",
    ]
    lines += ["", "| budget (DESIGN §9) | limit | measured | |", "|---|---:|---:|---|"]
    names = {
        "rebuild_ratio": ("rebuild / DuckDB GROUP BY (DESIGN §9 as worded)", "× {:,.1f}"),
        "rebuild_floor_ratio": (
            "rebuild / (extraction + GROUP BY) (operative, decision 0013)",
            "× {:,.1f}",
        ),
        "rebuild_rss_mb": ("rebuild peak RSS", "{:,.0f} MB"),
        "fold_10000_s": ("fold of 10,000 new responses", "{:.3f} s"),
        "fold_fixed_s": ("fold fixed cost (not growing with the batch)", "{:.3f} s"),
        "fold_rss_mb": ("fold peak RSS", "{:,.0f} MB"),
    }
    for key, check in results["budgets"].items():
        name, unit = names[key]
        verdict = "pass" if check["pass"] else "**fail**"
        limit, value = unit.format(check["limit"]), unit.format(check["value"])
        lines.append(f"| {name} | {'≤ ' + limit} | {value} | {verdict} |")
    if not results["at_budget_scale"]:
        lines += ["", "(Smaller than the scale the budgets are stated for.)"]
    return "\n".join(lines)


def machine_info(engine: Engine, sink: DuckSink) -> dict[str, Any]:
    threads = sink.con.execute("SELECT current_setting('threads')").fetchone()
    import duckdb

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if os.name == "posix" else 0
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_mb": round(memory / MB),
        "database_kind": engine.dialect.name,
        "database": server_version(engine),
        "duckdb": duckdb.__version__,
        "duckdb_threads": int(threads[0]) if threads else None,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


# --------------------------------------------------------------------------------------------
# Main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="sqlite:///new-file, or a PostgreSQL server URL such as "
        f"{DEFAULT_PG_SERVER} (the database {PG_DATABASE!r} is created and dropped); "
        "default: a SQLite file in a temporary folder",
    )
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of the baseline and of each fold size"
    )
    parser.add_argument(
        "--folds",
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        default=list(FOLD_SIZES),
        help="sizes of the new batches folded one after the other (default 10000,1000,100000)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--child", choices=["rebuild", "fold", "compact"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is None and (args.responses < 1 or args.places < 1 or args.months < 1):
        parser.error("--responses, --places and --months must be positive")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


@contextlib.contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="bench-aggregation-"))
    try:
        yield path
    finally:
        if keep:
            log(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from observatory.clock import today as local_today
    from observatory.config import Settings
    from observatory.db import make_engine, make_session_factory, upgrade

    target = create_target(args.database_url, workdir)
    log(f"database: {target.kind} {make_url(target.url).database}; work folder {workdir}")
    engine = make_engine(target.url)
    factory = make_session_factory(engine)
    sink = DuckSink(workdir / "baseline.duckdb")
    today = local_today(Settings(database_url=target.url, secret_key=SECRET).timezone)
    try:
        started = time.perf_counter()
        upgrade(target.url)
        version = seed_reference(factory)
        rng = np.random.default_rng(args.seed)
        places = create_places(factory, args.places, rng)
        setup_s = time.perf_counter() - started
        log(
            f"schema, territories, questionnaire v{version}, {args.places:,} places: "
            f"{setup_s:.1f} s"
        )
        generator = Generator(questionnaire_items(version), version, places, args.seed + 1)
        data = load_history(factory, generator, sink, args, today, skip_fk_checks=superuser(engine))
        realign_sequences(engine)
        data |= {"places": args.places, "months": args.months, "setup_s": round(setup_s, 2)}
        data["settle_s"] = round(settle(engine), 2)
        data["database_mb"] = database_mb(engine)
        duck_rows = sink.rows()
        assert duck_rows == (data["responses"], data["answers"]), duck_rows
        log(
            f"loaded ({data['database_mb']:,.0f} MB); settling took {data['settle_s']:.1f} s. "
            "Rebuild against the baseline:"
        )
        measured = measure_rebuild(target, engine, sink, args.repeat, data["answers"])
        cells = count_cells(factory)
        data["settle_after_rebuild_s"] = round(settle(engine), 2)
        log(f"{cells:,} cells; settling took {data['settle_after_rebuild_s']:.1f} s. Folds:")
        folds, first_fold = measure_folds(
            target, factory, generator, args.folds, rounds=args.repeat, today=today
        )
        realign_sequences(engine)  # for whoever uses a --keep database afterwards
        info = machine_info(engine, sink)
    finally:
        sink.con.close()
        engine.dispose()
        if args.keep:
            log(f"kept the database {target.kind} {make_url(target.url).database}")
        else:
            try:
                drop_target(target)
            except Exception as error:  # never hide what stopped the run
                log(f"could not drop the benchmark database: {error}")
    rebuild_s = measured["rebuild"]["seconds"]
    results: dict[str, Any] = {
        "benchmark": "aggregation",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "baseline_sql": " ".join(BASELINE_SQL.split()),
        "extraction_sql": [EXTRACT_RESPONSES, EXTRACT_ANSWERS],
        "repeat": args.repeat,
        "seed": args.seed,
        "data": data,
        "at_budget_scale": all(getattr(args, k) >= v for k, v in BUDGET_SCALE.items()),
        **measured,
        "cells": cells,
        "ratios": {
            "rebuild_over_groupby": round(rebuild_s / measured["baseline"]["best_s"], 2),
            "rebuild_over_extraction_and_groupby": round(
                rebuild_s / (measured["baseline"]["best_s"] + measured["extraction"]["best_s"]), 2
            ),
        },
        "first_fold_of_month": first_fold,
        "folds": folds,
        "fold_line": proportionality(folds),
    }
    results["budgets"] = budgets(results)
    return results


def main(argv: Sequence[str] | None = None) -> dict[str, Any] | None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.database_url)))
        return None
    with workspace(args.keep) as workdir:
        results = run(args, workdir)
    log(f"writing {args.output}")
    write_results(args.output, results, markdown(results))
    return results


if __name__ == "__main__":
    main()
