"""Benchmark of a frozen edition's composition at DESIGN's scale, on PostgreSQL: what
complementary suppression with protection intervals costs offline, and what it costs readers.

    .venv/bin/python bench/editions.py [--edition 2026T3] [--repeat 3] [--warmup 1]
        [--audit 30] [--seed 2026] [--profile] [--output bench/results/editions.json]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432/]
        [--reuse [--database bench_dashboards] [--ignore-busy]
         | --build [--responses 10000000] [--places 20000] [--months 36] [--keep]]

A frozen edition (docs/decisions/0020) is composed once, offline, by
`observatory.exports.editions.compose`: the edition's linked table (nation, régions and
départements; months, quarters, the year so far and the twelve months; answers, their splits
and every closed question), the same perturbed counts as the pages, then complementary
suppression with protection intervals (`disclosure.protection.protect`) over all of it. No
page waits for it, but an operator does, and readers lose every cell it hides.

The run:

1. the data. By default (`--reuse`) the database `bench_dashboards` that
   `bench/dashboard_pages.py --keep` left (10 M responses, 20,000 places, 36 months ending
   last month, every cell rebuilt), as it is, or with `--database` another `bench_…` database
   a `--keep` run left. This bench only reads it: `compose()` reads
   cells and earlier editions, nothing is ever published or committed. It stops with a
   message when that database does not exist, holds no cells or has pending deltas, or when
   other sessions are connected to it (it may still be being built; `--ignore-busy`). With
   `--build`, its own database `bench_editions` instead, made by bench/dashboard_pages.py's
   `build_database` (the module loaded with importlib, as bench/report.py loads
   bench/aggregation.py: same schema, generator, seed and mix, `rebuild_cells()`, VACUUM
   ANALYZE), dropped at the end unless `--keep`. Never the tests' database;
2. the edition: `--edition` (default: the latest quarter that ended before this month, whose
   answers are all in, 2026T3 on 2026-12-01), checked against the months the national cells
   cover; the current questionnaire as stored in the database;
3. after `--warmup` untimed reads of the cells (the OS cache), `--repeat` interleaved rounds
   (the order rotating from round to round), each operation once per round with a session of
   its own:
   a. baseline, the floor any way of publishing the edition pays: the month cells of the
      three levels read with `read_cells` (`editions._cells`, as compose reads them), the
      départements' régions, and `build_table` (the linked table, its relations);
   b. perturbation only, what a page-style publication of the same table would cost: a, then
      the public rules' `perturb_many` over every cell and `primary_cells` (compose up to
      `protect`);
   c. the full `compose()`, with a progress callback that logs every 10 % of the primary
      cells to stderr; its timestamps split each round into the part before the protection
      loop ends its first cell (reading, table, perturbation, earlier editions, the engine's
      matrix), the loop over primary cells, and what follows (small groups, the published
      values). Every round must publish the same values (it is deterministic).
   Each operation's peak RSS (VmHWM, reset before it through /proc/self/clear_refs on Linux)
   and the process's;
4. what the last composed edition publishes, by level and by period kind: cells, empty
   cells, primary and complementary ones, the hidden share; the unprotectable cells (there
   must be none: `edition publish` would refuse the edition; examples when there are); the
   perturbation of the published non-empty cells against their true counts (mean absolute,
   largest, share exactly true);
5. an audit of the protection, independent of how the cells were chosen: for `--audit`
   primary cells drawn at random (seeded), `disclosure.protection.feasible_ranges` over the
   edition's hidden cells (published as None, plus the never-published remainders) with every
   relation; each range must reach the cell's value + PROTECTION. The linear programmes are
   solved over the hidden cells linked to the audited one through relations (its connected
   component, and the relations touching it): the other hidden cells appear in no relation
   with these, so the ranges are the same as over the whole edition, at a fraction of the
   size (feasible_ranges builds a dense matrix; on data with fewer than 10 M responses the
   bench checks this on 3 cells against the whole edition). A cell whose group is too large
   for a dense matrix (`DENSE_AUDIT_LIMIT`) is reported as not audited;
6. with `--profile`, one more compose() under cProfile, untimed: where its time goes.

Writes bench/results/editions.json (every round, the summaries, the data's scale, the machine)
with bench/report.py's `write_results` and prints a Markdown summary for docs/performance.md.
Progress goes to stderr. There is no assertion on time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
from report import load_aggregation_bench, write_results  # bench/ is on sys.path when a bench runs
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "results" / "editions.json"
REUSED_DATABASE = "bench_dashboards"  # what bench/dashboard_pages.py --keep leaves
OWN_DATABASE = "bench_editions"  # what --build makes (and drops unless --keep)
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
SECRET = "bench-editions-0123456789abcdef-012345"
DESIGN_SCALE = {"responses": 10_000_000, "places": 20_000}
MB = 1024 * 1024
LEVEL_ORDER = ("national", "region", "departement")
KIND_ORDER = ("month", "quarter", "year", "rolling12")
OPERATIONS = ("baseline", "perturbation", "compose")
# feasible_ranges builds a dense relations × hidden cells matrix: beyond this many entries
# (200 MB of float64) a group is not audited, and said so.
DENSE_AUDIT_LIMIT = 25_000_000
LABELS = {
    "baseline": "a. baseline: `read_cells` × 3 levels + `build_table`",
    "perturbation": "b. perturbation only: a + `perturb_many` + `primary_cells`",
    "compose": "c. `compose()`: b + complementary suppression (`protect`)",
}

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


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS; False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def load_dashboard_bench() -> ModuleType:
    """bench/dashboard_pages.py as a module of its own (as report.load_aggregation_bench
    loads bench/aggregation.py), for its database set-up, description and machine info. Its
    `DATABASE` is set to the database of this run: this instance is ours alone."""
    spec = importlib.util.spec_from_file_location(
        "bench_dashboard_pages", Path(__file__).with_name("dashboard_pages.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------
# The database


def other_sessions(engine: Engine) -> int:
    """Sessions connected to this database besides ours (a build or a bench in progress)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        )


@contextlib.contextmanager
def bench_database(
    dash: ModuleType, args: argparse.Namespace
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The URL of the database to read, and how it was prepared."""
    if not args.build:
        if not dash.database_exists(args.server):
            raise SystemExit(
                f"there is no database {args.database!r}: run `.venv/bin/python "
                "bench/dashboard_pages.py --keep` first (it builds 10 M responses and keeps "
                "them), or pass --build to build a database of this bench's own"
            )
        url = dash.server_url(args.server).set(database=args.database)
        log(f"reusing the database {args.database} as it is (read only)")
        yield url.render_as_string(hide_password=False), {"reused": args.database}
        return
    try:  # a load that fails half-way is dropped too
        url, built = dash.build_database(load_aggregation_bench(), args)
        yield url, {"built": OWN_DATABASE} | built
    finally:
        if args.keep:
            log(f"kept the database {OWN_DATABASE}")
        else:
            try:
                dash.drop_database(args.server)
                log(f"dropped the database {OWN_DATABASE}")
            except Exception as error:  # never hide what stopped the run
                log(f"could not drop {OWN_DATABASE}: {error}")


def check_idle(engine: Engine, args: argparse.Namespace) -> int:
    """Refuse a database others are connected to (still being built, or timed); how many."""
    busy = other_sessions(engine)
    if busy and not args.ignore_busy:
        raise SystemExit(
            f"{busy} other session(s) are connected to {engine.url.database!r}: is "
            "bench/dashboard_pages.py still building or timing it? Wait until it has finished "
            "(it logs 'kept the database'), or pass --ignore-busy"
        )
    return busy


def check_complete(engine: Engine, data: dict[str, Any]) -> None:
    """Refuse a database with no cells or with pending deltas (a build that did not end)."""
    if data["cells"] == 0 or data["deltas"] != 0:
        raise SystemExit(
            f"{engine.url.database!r} holds {data['cells']:,} cells and {data['deltas']:,} "
            "pending deltas: not a finished bench database (run bench/dashboard_pages.py "
            "--keep to the end)"
        )


def month_cover(session: Session) -> tuple[dt.date, dt.date]:
    """The first and last months of the national month cells."""
    first, last = session.execute(
        text(
            "SELECT min(period_start), max(period_start) FROM aggregate_cell "
            "WHERE scope_level = 'national' AND period_kind = 'month'"
        )
    ).one()
    return first, last


# --------------------------------------------------------------------------------------------
# The edition


def default_edition(today: dt.date) -> str:
    """The latest quarter that ended before this month (its answers are all in: the data
    ends last month)."""
    index = today.year * 12 + today.month - 2  # last month, counted from year 0
    year, month = index // 12, index % 12 + 1
    quarter = month // 3 if month % 3 == 0 else (month - 1) // 3
    if quarter == 0:
        year, quarter = year - 1, 4
    return f"{year}T{quarter}"


@dataclass(frozen=True)
class Context:
    factory: sessionmaker[Session]
    questionnaire: Any  # observatory.questionnaires.definitions.Questionnaire
    window: Any  # observatory.exports.table.Window
    settings: Any  # observatory.config.Settings


@dataclass(frozen=True)
class Perturbed:
    table: Any  # EditionTable
    shown: dict[Any, int]
    primary: set[Any]


class ProgressLog:
    """compose()'s progress callback: logs every ~10 % and keeps the loop's timestamps."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self.first: float | None = None
        self.last: float | None = None
        self.total = 0
        self._decile = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first = now
            log(f"  {self.label}: protecting {total:,} primary cells")
        self.last, self.total = now, total
        decile = done * 10 // max(total, 1)
        if decile > self._decile:
            self._decile = decile
            rate = done / max(now - self.first, 1e-9)
            log(
                f"  {self.label}: {done:,}/{total:,} primary cells ({decile * 10} %), "
                f"{now - self.started:.1f} s, {rate:,.1f} cells/s in the loop"
            )


def read_and_build(session: Session, ctx: Context) -> tuple[Any, dict[str, float]]:
    """a: the edition's cells as compose reads them, and its linked table."""
    from observatory.exports import editions
    from observatory.exports.table import build_table

    started = time.perf_counter()
    cells = editions._cells(session, ctx.window)
    regions = editions.region_of(session)
    read = time.perf_counter()
    table = build_table(cells, ctx.questionnaire, ctx.window, regions)
    built = time.perf_counter()
    return table, {"read_s": read - started, "build_s": built - read, "rows_read": len(cells)}


def perturb(session: Session, ctx: Context) -> tuple[Perturbed, dict[str, float]]:
    """b: compose up to `protect` (the same statements): the perturbed values and the
    primary cells, what a publication with no complementary suppression would need."""
    from observatory.disclosure.figures import Rules
    from observatory.disclosure.gate import Audience
    from observatory.exports.editions import primary_cells

    table, parts = read_and_build(session, ctx)
    started = time.perf_counter()
    rules = Rules.for_audience(Audience.PUBLIC, ctx.settings)
    cells = list(table.counts)
    perturbed = rules.table.perturb_many(
        np.array([table.counts[c] for c in cells], dtype=np.int64),
        np.array([table.keys[c] for c in cells], dtype=np.int64),
    )
    shown = dict(zip(cells, (int(v) for v in perturbed), strict=True))
    primary = primary_cells(table, shown, rules.k)
    parts["perturb_s"] = time.perf_counter() - started
    return Perturbed(table, shown, primary), parts


def composed_edition(session: Session, ctx: Context, label: str) -> tuple[Any, dict[str, float]]:
    """c: the full compose(), and where its time went (from the progress timestamps)."""
    from observatory.exports.editions import compose

    progress = ProgressLog(label)
    started = progress.started
    composed = compose(session, ctx.window.code, ctx.questionnaire, ctx.settings, progress)
    ended = time.perf_counter()
    first = progress.first if progress.first is not None else ended
    last = progress.last if progress.last is not None else ended
    return composed, {
        "until_first_primary_s": first - started,
        "protection_loop_s": last - first,
        "after_loop_s": ended - last,
        "primary_cells": progress.total,
    }


# --------------------------------------------------------------------------------------------
# Timing


def peak_mb() -> float:
    """Peak RSS of this process since the last reset (VmHWM), in MB."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


@dataclass
class Series:
    seconds: list[float]
    peak_rss_mb: list[float]
    parts: list[dict[str, float]]


def measure(ctx: Context, repeat: int, warmup: int) -> tuple[dict[str, Series], Any, bool]:
    """Each operation once per round, the order rotating; the last composed edition, and
    whether every round composed the same one."""
    for i in range(warmup):
        with ctx.factory() as session:
            started = time.perf_counter()
            read_and_build(session, ctx)
        log(f"warm-up {i + 1}/{warmup} (a, untimed): {time.perf_counter() - started:.1f} s")
    series = {name: Series([], [], []) for name in OPERATIONS}
    composed: Any = None
    same = True
    for round_ in range(repeat):
        shift = round_ % len(OPERATIONS)
        for name in OPERATIONS[shift:] + OPERATIONS[:shift]:
            label = f"round {round_ + 1}/{repeat} {name}"
            reset_peak_rss()
            with ctx.factory() as session:
                started = time.perf_counter()
                if name == "baseline":
                    _, parts = read_and_build(session, ctx)
                elif name == "perturbation":
                    _, parts = perturb(session, ctx)
                else:
                    result, parts = composed_edition(session, ctx, label)
                elapsed = time.perf_counter() - started
            # Closed, i.e. rolled back: compose only reads, nothing is ever kept. No explicit
            # rollback: compose reads everything before its loop, so a connection lost during
            # a long loop (a server restart) leaves a valid result; the pool logs the reset.
            if name == "compose":
                same = same and (composed is None or composed.published == result.published)
                composed = result
            series[name].seconds.append(elapsed)
            series[name].peak_rss_mb.append(peak_mb())
            series[name].parts.append({k: round(v, 3) for k, v in parts.items()})
            log(f"{label}: {elapsed:.1f} s, peak RSS {series[name].peak_rss_mb[-1]:,.0f} MB")
    return series, composed, same


def summary_s(seconds: Sequence[float]) -> dict[str, Any]:
    return {
        "count": len(seconds),
        "min_s": round(min(seconds), 3),
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
    }


def timings(series: dict[str, Series]) -> dict[str, Any]:
    """Summaries, ratios (min to min, median to median) and the split of the rounds."""
    out: dict[str, Any] = {}
    for name, s in series.items():
        parts = {
            key: round(statistics.median(p[key] for p in s.parts), 3)
            for key in s.parts[0]
            if key != "rows_read"
        }
        out[name] = summary_s(s.seconds) | {
            "rounds_s": [round(v, 3) for v in s.seconds],
            "peak_rss_mb": s.peak_rss_mb,
            "parts_median_s": parts,
            "parts": s.parts,
        }
    ratios = {}
    for over, under in (
        ("compose", "baseline"),
        ("compose", "perturbation"),
        ("perturbation", "baseline"),
    ):
        for stat in ("min", "median"):
            value = out[over][f"{stat}_s"] / out[under][f"{stat}_s"]
            ratios[f"{over}_over_{under}_{stat}"] = round(value, 2)
    return {"operations": out, "ratios": ratios}


# --------------------------------------------------------------------------------------------
# What the edition publishes


def shares(frame: pd.DataFrame) -> dict[str, Any]:
    cells = len(frame)
    hidden = int(frame["hidden"].sum())
    return {
        "cells": cells,
        "empty": int((frame["true"] == 0).sum()),
        "primary": int(frame["primary"].sum()),
        "complementary": int(frame["complementary"].sum()),
        "hidden": hidden,
        "hidden_share": round(hidden / cells, 4) if cells else 0.0,
        "primary_share": round(int(frame["primary"].sum()) / cells, 4) if cells else 0.0,
    }


def utility(composed: Any) -> dict[str, Any]:
    """What readers get: hidden cells by level and period kind, the perturbation's error."""
    table, protection = composed.table, composed.protection
    frame = pd.DataFrame(
        [
            (
                cell.scope_level,
                cell.period_kind,
                cell.table,
                table.counts[cell],
                value,
                cell in protection.primary,
                cell in protection.complementary,
            )
            for cell, value in composed.published.items()
        ],
        columns=["level", "kind", "table", "true", "published", "primary", "complementary"],
    )
    frame["hidden"] = frame["published"].isna()
    by_level = {lvl: shares(f) for lvl, f in frame.groupby("level", sort=False)}
    by_kind = {kind: shares(f) for kind, f in frame.groupby("kind", sort=False)}
    by_level_kind = {
        f"{lvl} {kind}": shares(f)
        for (lvl, kind), f in frame.groupby(["level", "kind"], sort=False)
    }
    by_table = {
        name: {
            "cells": len(f),
            "primary": int(f["primary"].sum()),
            "hidden": int(f["hidden"].sum()),
        }
        for name, f in frame.groupby("table")
        if f["hidden"].any()
    }
    shown = frame[~frame["hidden"] & (frame["true"] > 0)]
    error = shown["published"].astype(np.int64) - shown["true"].astype(np.int64)
    unprotectable = sorted(protection.unprotectable, key=repr)
    return {
        "k": composed.k,
        "all": shares(frame),
        "unpublished_remainders": len(table.unpublished),
        "relations": len(table.constraints),
        "by_level": {k: by_level[k] for k in LEVEL_ORDER if k in by_level},
        "by_period_kind": {k: by_kind[k] for k in KIND_ORDER if k in by_kind},
        "by_level_and_kind": {
            f"{lvl} {kind}": by_level_kind[f"{lvl} {kind}"]
            for lvl in LEVEL_ORDER
            for kind in KIND_ORDER
            if f"{lvl} {kind}" in by_level_kind
        },
        "tables_with_hidden_cells": dict(
            sorted(by_table.items(), key=lambda item: -item[1]["hidden"])
        ),
        "unprotectable": len(unprotectable),
        "unprotectable_examples": [repr(c) for c in unprotectable[:10]],
        "perturbation": {
            "published_nonempty_cells": len(shown),
            "mean_absolute": round(float(error.abs().mean()), 4) if len(shown) else None,
            "mean_signed": round(float(error.mean()), 4) if len(shown) else None,
            "largest_absolute": int(error.abs().max()) if len(shown) else None,
            "share_exact": round(float((error == 0).mean()), 4) if len(shown) else None,
            "published_empty_cells_nonzero": int(
                ((frame["true"] == 0) & ~frame["hidden"] & (frame["published"] != 0)).sum()
            ),
        },
    }


# --------------------------------------------------------------------------------------------
# The audit


def hidden_components(
    constraints: Sequence[Any], hidden: set[Hashable]
) -> tuple[dict[Hashable, Hashable], dict[Hashable, list[Any]]]:
    """Connected components of the hidden cells through the relations: each hidden cell's
    component, and each component's relations (those naming one of its cells). Relations
    with no hidden cell are known sums: they constrain nothing a reader does not see."""
    parent: dict[Hashable, Hashable] = {cell: cell for cell in hidden}

    def root(cell: Hashable) -> Hashable:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    touching: list[tuple[Any, Hashable]] = []
    for constraint in constraints:
        members = [c for c in (constraint.total, *constraint.parts) if c in parent]
        if not members:
            continue
        first = root(members[0])
        for other in members[1:]:
            parent[root(other)] = first
            first = root(first)
        touching.append((constraint, members[0]))
    component = {cell: root(cell) for cell in hidden}
    relations: dict[Hashable, list[Any]] = defaultdict(list)
    for constraint, member in touching:
        relations[component[member]].append(constraint)
    return component, relations


def audit(composed: Any, sample: int, seed: int) -> dict[str, Any]:
    """feasible_ranges of `sample` random primary cells: each must reach value + PROTECTION."""
    from observatory.disclosure.protection import feasible_ranges
    from observatory.exports.editions import PROTECTION

    started = time.perf_counter()
    table = composed.table
    hidden: set[Hashable] = {c for c, v in composed.published.items() if v is None}
    hidden |= set(table.unpublished)
    primary = sorted(composed.protection.primary, key=repr)
    chosen = random.Random(seed).sample(primary, min(sample, len(primary)))
    component, relations = hidden_components(table.constraints, hidden)
    members: dict[Hashable, list[Hashable]] = defaultdict(list)
    for cell, group in component.items():
        members[group].append(cell)
    sizes = sorted((len(m) for m in members.values()), reverse=True)
    log(
        f"audit: {len(hidden):,} hidden cells in {len(members):,} linked groups "
        f"(largest {sizes[:3]}); {len(chosen)} primary cells…"
    )
    cells: list[dict[str, Any]] = []
    for cell in chosen:
        group = component[cell]
        value = table.counts[cell]
        size = {"group_cells": len(members[group]), "group_relations": len(relations[group])}
        if len(members[group]) * len(relations[group]) > DENSE_AUDIT_LIMIT:
            cells.append({"cell": repr(cell), "value": value} | size | {"holds": None})
            continue
        low, high = feasible_ranges(table.counts, relations[group], members[group], [cell])[cell]
        cells.append(
            {"cell": repr(cell), "value": value, "range": [low, high]}
            | size
            | {
                "holds": bool(high >= value + PROTECTION - 1e-6),
                "down_by": round(value - low, 3),
            }
        )
    held = sum(c["holds"] is True for c in cells)
    skipped = sum(c["holds"] is None for c in cells)
    log(
        f"audit: {held}/{len(cells) - skipped} ranges reach value + {PROTECTION}"
        + (f"; {skipped} in groups too large for the dense audit, not audited" if skipped else "")
    )
    return {
        "protection": PROTECTION,
        "sampled": len(cells),
        "primary_cells": len(primary),
        "holds": held,
        "not_audited_group_too_large": skipped,
        "hidden_cells": len(hidden),
        "hidden_groups": len(members),
        "largest_groups": sizes[:5],
        "seconds": round(time.perf_counter() - started, 2),
        "cells": cells,
    }


def check_components(composed: Any, seed: int, sample: int = 3) -> dict[str, Any]:
    """On small data only: the ranges over a cell's linked group equal those over every
    hidden cell and every relation (what the audit relies on)."""
    from observatory.disclosure.protection import feasible_ranges

    table = composed.table
    hidden: set[Hashable] = {c for c, v in composed.published.items() if v is None}
    hidden |= set(table.unpublished)
    if len(hidden) * len(table.constraints) > DENSE_AUDIT_LIMIT:
        return {"checked": 0, "same": 0, "skipped": "too many hidden cells for a dense check"}
    primary = sorted(composed.protection.primary, key=repr)
    chosen = random.Random(seed + 1).sample(primary, min(sample, len(primary)))
    whole = feasible_ranges(table.counts, table.constraints, hidden, chosen)
    component, relations = hidden_components(table.constraints, hidden)
    same = 0
    for cell in chosen:
        group = component[cell]
        part = [c for c, g in component.items() if g == group]
        local = feasible_ranges(table.counts, relations[group], part, [cell])[cell]
        same += int(np.allclose(local, whole[cell]))
    return {"checked": len(chosen), "same": same}


def profile_compose(ctx: Context, top: int = 25) -> dict[str, Any]:
    """One more compose() under cProfile (untimed): the functions it spends its time in."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    with ctx.factory() as session:
        started = time.perf_counter()
        profiler.enable()
        composed_edition(session, ctx, "profiled")
        profiler.disable()
        elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}

    def where(key: tuple[str, int, str]) -> str:
        path, line, name = key
        for marker in ("/observatory/", "/site-packages/", "/lib/python"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        return f"{path}:{line}({name})"

    def ranked(column: int) -> list[dict[str, Any]]:
        rows = sorted(entries.items(), key=lambda item: -item[1][column])[:top]
        return [
            {
                "function": where(k),
                "calls": v[1],
                "own_s": round(v[2], 2),
                "cumulative_s": round(v[3], 2),
            }
            for k, v in rows
        ]

    return {"seconds": round(elapsed, 1), "by_cumulative": ranked(3), "by_own_time": ranked(2)}


# --------------------------------------------------------------------------------------------
# Report


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def markdown(results: dict[str, Any]) -> str:
    data, machine, timed = results["data"], results["machine"], results["timings"]
    ops, ratios, use = timed["operations"], timed["ratios"], results["utility"]
    check = results["audit"]
    skipped = check.get("not_audited_group_too_large", 0)
    lines = [
        f"Data: {data['responses']:,} responses ({data['answers']:,} answer rows), "
        f"{data['places']:,} places, {data['months']} months; {data['cells']:,} cells. "
        f"Edition {results['edition']['code']} ({results['edition']['first_month'][:7]} to "
        f"{results['edition']['last_month'][:7]}): {use['all']['cells']:,} published cells, "
        f"{use['relations']:,} relations, k = {use['k']}. "
        f"Machine: {machine['cpus']} cores, {machine['system']}, CPython {machine['python']}, "
        f"{machine['database']} (shared_buffers {machine['shared_buffers']}); load average "
        f"{' / '.join(f'{x:.1f}' for x in results['load_average'])} (before / after).",
        "",
        f"| operation ({results['repeat']} interleaved rounds) | min | median | max "
        "| median / a | median / b | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in OPERATIONS:
        s = ops[name]
        over_a = s["median_s"] / ops["baseline"]["median_s"]
        over_b = s["median_s"] / ops["perturbation"]["median_s"]
        lines.append(
            f"| {LABELS[name]} | {s['min_s']:,.1f} s | {s['median_s']:,.1f} s "
            f"| {s['max_s']:,.1f} s | × {over_a:,.2f} | × {over_b:,.2f} "
            f"| {max(s['peak_rss_mb']):,.0f} MB |"
        )
    a, c = ops["baseline"]["parts_median_s"], ops["compose"]["parts_median_s"]
    lines += [
        "",
        f"Rounds (s): a {ops['baseline']['rounds_s']}, b {ops['perturbation']['rounds_s']}, "
        f"c {ops['compose']['rounds_s']}. Ratios of the minima: c / a × "
        f"{ratios['compose_over_baseline_min']:,.2f}, c / b × "
        f"{ratios['compose_over_perturbation_min']:,.2f}. Inside a (medians): reading the "
        f"cells {a['read_s']:,.1f} s, `build_table` {a['build_s']:,.1f} s; b adds "
        f"{ops['perturbation']['parts_median_s']['perturb_s']:,.2f} s. Inside c "
        f"(medians): until the first primary cell is protected "
        f"{c['until_first_primary_s']:,.1f} s, the protection loop over "
        f"{int(c['primary_cells']):,} primary cells {c['protection_loop_s']:,.1f} s, after it "
        f"(small groups, published values) {c['after_loop_s']:,.1f} s. Peak RSS of the "
        f"process: {results['peak_rss_mb']:,.0f} MB.",
        "",
        "| level, period | cells | empty | primary | complementary | hidden |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rows = [*use["by_level_and_kind"].items()]
    rows += [(f"**{lvl}**", s) for lvl, s in use["by_level"].items()]
    rows += [(f"all, {kind}", s) for kind, s in use["by_period_kind"].items()]
    rows += [("**all**", use["all"])]
    for label, s in rows:
        lines.append(
            f"| {label} | {s['cells']:,} | {s['empty']:,} | {s['primary']:,} "
            f"| {s['complementary']:,} | {s['hidden']:,} ({_pct(s['hidden_share'])}) |"
        )
    p = use["perturbation"]
    lines += [
        "",
        f"Unprotectable cells: {use['unprotectable']}"
        + (
            f" (e.g. {', '.join(use['unprotectable_examples'][:3])})"
            if use["unprotectable"]
            else ""
        )
        + f". Published non-empty cells: {p['published_nonempty_cells']:,}; published − true: "
        f"mean absolute {p['mean_absolute']}, mean {p['mean_signed']}, largest "
        f"{p['largest_absolute']}; {_pct(p['share_exact'] or 0.0)} exactly true. "
        f"Every round published the same values: {results['deterministic']}. Tables with "
        "hidden cells (primary / hidden / cells): "
        + ", ".join(
            f"{name} {t['primary']:,} / {t['hidden']:,} / {t['cells']:,}"
            for name, t in use["tables_with_hidden_cells"].items()
        )
        + ".",
        "",
        f"Audit: {check['holds']}/{check['sampled'] - skipped} "
        "sampled primary cells (of "
        f"{check['primary_cells']:,}; seed {results['seed']}) have a feasible range reaching "
        f"value + {check['protection']} ({check['hidden_cells']:,} hidden cells in "
        f"{check['hidden_groups']:,} linked groups, the largest {check['largest_groups'][:3]}; "
        f"{check['seconds']:,.1f} s)"
        + (
            f"; {skipped} more lie in groups too large for the dense audit and were not audited."
            if skipped
            else "."
        ),
    ]
    profiled = results.get("profile")
    if profiled:
        lines += [
            "",
            f"Profile of one more `compose()` ({profiled['seconds']:,.1f} s under cProfile, "
            "which slows pure Python more than numpy and HiGHS), by cumulative time:",
            "",
            "| function | calls | own time | cumulative |",
            "|---|---:|---:|---:|",
        ]
        inside = [r for r in profiled["by_cumulative"] if "bench/" not in r["function"]]
        for row in inside[:14]:
            lines.append(
                f"| `{row['function']}` | {row['calls']:,} | {row['own_s']:,.1f} s "
                f"| {row['cumulative_s']:,.1f} s |"
            )
    if not results["at_design_scale"]:
        lines += ["", "(Smaller than DESIGN's scale.)"]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--reuse",
        action="store_true",
        help=f"read {REUSED_DATABASE}, left by bench/dashboard_pages.py --keep (the default)",
    )
    source.add_argument(
        "--build",
        action="store_true",
        help=f"build {OWN_DATABASE} as bench/dashboard_pages.py does (dropped unless --keep)",
    )
    parser.add_argument(
        "--database",
        default=REUSED_DATABASE,
        help="with --reuse: another bench database to read (its name starts with 'bench_'; "
        f"e.g. the {OWN_DATABASE} a --build --keep run left)",
    )
    parser.add_argument("--responses", type=int, default=10_000_000, help="with --build")
    parser.add_argument("--places", type=int, default=20_000, help="with --build")
    parser.add_argument("--months", type=int, default=36, help="with --build")
    parser.add_argument("--seed", type=int, default=2026, help="data (--build) and audit")
    parser.add_argument("--keep", action="store_true", help=f"with --build: keep {OWN_DATABASE}")
    parser.add_argument("--edition", help="e.g. 2026T3 (default: the latest quarter ended)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=1, help="untimed reads of the cells first")
    parser.add_argument("--audit", type=int, default=30, help="primary cells audited")
    parser.add_argument(
        "--ignore-busy",
        action="store_true",
        help="run even when other sessions are connected to the database",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then one more compose() under cProfile (untimed): where its time goes",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.keep and not args.build:
        parser.error("--keep goes with --build (a reused database is never dropped)")
    if not args.database.startswith("bench_") or (args.build and args.database != REUSED_DATABASE):
        parser.error(
            f"--database names a bench database (bench_…) to --reuse; --build makes {OWN_DATABASE}"
        )
    if args.responses < 1 or args.places < 1 or args.months < 12:
        parser.error("--responses and --places must be positive, --months at least 12")
    if args.repeat < 1 or args.warmup < 0 or args.audit < 0:
        parser.error("--repeat must be positive, --warmup and --audit not negative")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    from observatory.clock import today as local_today
    from observatory.config import Settings
    from observatory.db import make_engine, make_session_factory
    from observatory.exports.editions import known_cells, publishable_from
    from observatory.exports.table import Window
    from observatory.questionnaires.definitions import load_questionnaires

    dash: Any = load_dashboard_bench()  # its DATABASE is set to this run's
    dash.DATABASE = OWN_DATABASE if args.build else args.database
    started = time.perf_counter()
    with bench_database(dash, args) as (url, prepared):
        prepared_s = time.perf_counter() - started
        engine = make_engine(url)
        try:
            busy = check_idle(engine, args)
            data = dash.describe(engine)
            check_complete(engine, data)
            info = dash.machine_info(engine)
            settings = Settings(database_url=url, redis_url=None, secret_key=SECRET)
            today = local_today(settings.timezone)
            window = Window.parse(args.edition or default_edition(today))
            factory = make_session_factory(engine)
            with factory() as session:
                versions = load_questionnaires(session)
                first, last = month_cover(session)
                known = len(known_cells(session, window))
            if window.months[0] < first or window.months[-1] > last:
                raise SystemExit(
                    f"edition {window.code} covers {window.months[0]:%Y-%m} to "
                    f"{window.months[-1]:%Y-%m}; the cells cover {first:%Y-%m} to {last:%Y-%m}"
                )
            ctx = Context(factory, versions[max(versions)], window, settings)
            log(
                f"{data['responses']:,} responses, {data['places']:,} places, "
                f"{data['cells']:,} cells; edition {window.code} ({window.months[0]:%Y-%m} to "
                f"{window.months[-1]:%Y-%m}), questionnaire v{max(versions)}; "
                f"{args.warmup} + {args.repeat} rounds"
            )
            load_before = os.getloadavg()
            series, composed, same = measure(ctx, args.repeat, args.warmup)
            load_after = os.getloadavg()
            use = utility(composed)
            log(
                f"{use['all']['cells']:,} cells, {use['all']['primary']:,} primary, "
                f"{use['all']['complementary']:,} complementary, "
                f"{use['unprotectable']} unprotectable"
            )
            checked = audit(composed, args.audit, args.seed)
            if not (data["responses"] >= DESIGN_SCALE["responses"]):
                checked["components_match_whole"] = check_components(composed, args.seed)
            peak = peak_mb()  # since the last reset: the last operation, the analysis, the audit
            profiled = None
            if args.profile:
                log("one more compose() under cProfile…")
                profiled = profile_compose(ctx)
                log(f"profiled compose(): {profiled['seconds']:.1f} s")
        finally:
            engine.dispose()
    timed = timings(series)
    process_peak = max(max(s.peak_rss_mb) for s in series.values())
    requested = {"responses": args.responses, "places": args.places, "months": args.months}
    return {
        "benchmark": "editions",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "repeat": args.repeat,
        "warmup": args.warmup,
        "seed": args.seed,
        "database": dash.DATABASE,
        "other_sessions_at_start": busy,
        "data": data | ({"requested": requested} if args.build else {}),
        "preparation": prepared | {"total_s": round(prepared_s, 1)},
        "at_design_scale": all(data[k] >= v for k, v in DESIGN_SCALE.items()),
        "edition": {
            "code": window.code,
            "first_month": window.months[0].isoformat(),
            "last_month": window.months[-1].isoformat(),
            "publishable_from": publishable_from(window, 90).isoformat(),
            "today": today.isoformat(),
            "cells_known_from_earlier_editions": known,
            "questionnaire_version": max(versions),
        },
        "timings": timed,
        "peak_rss_mb": max(process_peak, peak),
        "deterministic": same,
        "utility": use,
        "audit": checked,
        "profile": profiled,
        "run_s": round(time.perf_counter() - started, 1),
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    results = run(args)
    log(f"writing {args.output}")
    write_results(args.output, results, markdown(results))
    return results


if __name__ == "__main__":
    main()
