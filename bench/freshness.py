"""Freshness: seconds from the commit of an answer to its contribution being visible in the cells.

    .venv/bin/python bench/freshness.py [--server postgresql+psycopg://postgres@127.0.0.1:5432/]
        [--redis-url redis://127.0.0.1:6379/12] [--history 5000] [--places 200]
        [--rates 5,20] [--count 200] [--quiet 20] [--quiet-gap 4] [--debounce 1.0]

DESIGN sets the budget: with Celery and Redis, an answer is in the team's aggregates within
5 s (p95).

The run, on the real stack and loopback traffic only:

1. creates its own PostgreSQL database `bench_freshness` (dropped first if a previous run left
   it, dropped at the end; never the tests' database), migrated, with the packaged territories
   and questionnaire, `--places` synthetic places and `--history` synthetic responses over the
   past 12 months (bench/aggregation.py's generator), folded and compacted into the cells,
   then VACUUM ANALYZE;
2. starts the product as it runs in production, each in its own process: `observatory serve`
   (waitress) on a free loopback port and `observatory worker` (Celery, `--concurrency 2`) on
   the Redis database of `--redis-url` (emptied before and after; the run refuses a database
   holding anything but Celery's and the product's keys), with the debounce window of
   `--debounce` (the product's default unless given);
3. for each rate of `--rates` (answers per second), posts `--count` answers as a browser
   would (GET the form, then POST it; a 303 means the answer is committed), one after the
   other on a fixed schedule, to places and satisfaction levels drawn at random; then a quiet
   case: `--quiet` single answers, each posted once the previous one is visible and the
   system idle, `--quiet-gap` seconds apart;
4. meanwhile a thread polls the national satisfaction cells every `--poll` seconds with
   `aggregation.read.read_cells` (stored cells plus the delta log, what every reader sees) and
   notes when the national count grows. The answers are committed one after the other, so the
   k-th committed answer is visible once the count reaches history + k.

Freshness of an answer = (first poll that sees it) − (the POST's reply). The commit happens
before the reply, so this slightly understates commit → visible (by the end of the request
after its commit: the notification to Redis and the response); the figures "from sending"
(− the start of the POST) bound it from above. "Visible" is the moment the first read that
sees the answer returns, which overstates by up to one poll interval plus one read (`read_s`
in the results, the mean time of a read).
Abuse limits are raised for the run (every request comes from one loopback address, and
identical answers at one place would be flagged as a burst); nothing else is changed.

Writes bench/results/freshness.json (every latency, the summaries, the budget, the machine)
and prints a Markdown table for docs/performance.md. Progress goes to stderr. Every loop is
bounded in count and in time (`--timeout` per wait).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from report import load_aggregation_bench, write_results  # bench/ is on sys.path when a bench runs

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "results" / "freshness.json"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
DATABASE = "bench_freshness"
BUDGET_P95_S = 5.0
SECRET = "bench-freshness-0123456789abcdef-0123"
# Keys that may be in the Redis database before a run: Celery's, kombu's, the product's.
OWN_KEYS = re.compile(r"^(celery|_kombu\.|unacked|observatory:)")
FORM_FIELDS = re.compile(r'name="(idempotency_key|token)" value="([^"]+)"')
SATISFACTION = ("tres_bien", "bien", "pas_tres_bien", "pas_bien")

_STARTED = time.perf_counter()


def log(message: str) -> None:
    stamp = f"[{dt.datetime.now():%H:%M:%S} +{time.perf_counter() - _STARTED:7.1f}s]"
    print(f"{stamp} {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Pure functions (tests/unit/test_bench_freshness.py)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, Any]:
    """p50, p95, max and count of latencies in seconds (None when there are none)."""
    if not values:
        return {"count": 0, "p50_s": None, "p95_s": None, "max_s": None, "min_s": None}
    return {
        "count": len(values),
        "p50_s": round(percentile(values, 50), 3),
        "p95_s": round(percentile(values, 95), 3),
        "max_s": round(max(values), 3),
        "min_s": round(min(values), 3),
    }


def visible_at(base: int, count: int, seen: Sequence[tuple[float, int]]) -> list[float | None]:
    """When each of `count` answers committed in order after `base` became visible.

    `seen` holds (moment, national count) observations in time order; the k-th answer (1-based)
    is visible from the first observation whose count reaches base + k. None: never seen.
    """
    moments: list[float | None] = []
    position = 0
    for k in range(1, count + 1):
        while position < len(seen) and seen[position][1] < base + k:
            position += 1
        moments.append(seen[position][0] if position < len(seen) else None)
    return moments


def latencies(starts: Sequence[float], moments: Sequence[float | None]) -> list[float]:
    """Seconds from each start to its moment of visibility (answers never seen are left out)."""
    return [m - s for s, m in zip(starts, moments, strict=True) if m is not None]


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Debounce window: {results['settings']['fold_debounce_seconds']} s; history: "
        f"{results['data']['history']:,} responses at {results['data']['places']:,} places; "
        f"poll every {results['poll_s']} s after a read of the cells taking "
        f"{results['read_s']:.3f} s on average.",
        "",
        "| case | answers | rate sent | commit → visible p50 | p95 | max | "
        "from sending p95 | folds | budget (p95 ≤ 5 s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for case in results["cases"]:
        fresh, sent = case["from_reply"], case["from_sending"]
        verdict = "meets" if case["meets_budget"] else "**fails**"
        lines.append(
            f"| {case['name']} | {fresh['count']}/{case['answers']} | "
            f"{case['achieved_rate']:.1f}/s | {_s(fresh['p50_s'])} | {_s(fresh['p95_s'])} | "
            f"{_s(fresh['max_s'])} | {_s(sent['p95_s'])} | {case['folds']} | {verdict} |"
        )
    machine = results["machine"]
    lines += [
        "",
        f"Machine: {machine['cpus']} cores, {machine['system']}, CPython {machine['python']}, "
        f"{machine['database']}, Redis {machine['redis']}.",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The stack


@contextmanager
def own_database(server: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server)
    if not url.drivername.startswith("postgresql"):
        raise SystemExit("the freshness bench runs on PostgreSQL (--server)")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    try:
        yield url.set(database=DATABASE).render_as_string(hide_password=False)
    finally:
        try:
            drop()
        except Exception as error:  # never hide what stopped the run
            log(f"could not drop {DATABASE}: {error}")
        admin.dispose()


@contextmanager
def own_redis(redis_url: str) -> Iterator[Any]:
    import redis

    client = redis.Redis.from_url(redis_url)
    foreign = [k for k in client.scan_iter(count=1000) if not OWN_KEYS.match(k.decode())]
    if foreign:
        client.close()
        raise SystemExit(f"{redis_url} holds other keys ({foreign[:3]}…): pick another database")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(settings: dict[str, Any]) -> dict[str, str]:
    return {**os.environ} | {f"OBSERVATORY_{k.upper()}": str(v) for k, v in settings.items()}


@contextmanager
def process(
    args: list[str], env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log_path.open("w") as output:
        child = subprocess.Popen(
            args, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield child
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait(timeout=30)


def wait_until(predicate: Callable[[], bool], what: str, timeout: float, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {timeout:.0f} s: {what}")
        time.sleep(step)


# --------------------------------------------------------------------------------------------
# Answers over HTTP


@dataclass
class Post:
    sent: float  # before the GET of the form
    posted: float  # before the POST
    replied: float  # after the 303 (the answer is committed)


class Browser:
    """One keep-alive loopback connection, GET the form then POST it, as a browser does."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = HTTPConnection("127.0.0.1", port, timeout=60)

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            try:
                self.conn.request(method, path, body=body, headers=headers)
                reply = self.conn.getresponse()
                return reply.status, reply.read().decode("utf-8", "replace")
            except (ConnectionError, OSError):
                self.conn.close()
                self.conn = HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def answer(self, code: str, satisfaction: str) -> Post:
        sent = time.monotonic()
        status, page = self._request("GET", f"/r/{code}")
        fields = dict(FORM_FIELDS.findall(page))
        if status != 200 or set(fields) != {"idempotency_key", "token"}:
            raise SystemExit(f"the form of {code} answered {status}")
        posted = time.monotonic()
        body = urllib.parse.urlencode({**fields, "satisfaction": satisfaction})
        status, page = self._request("POST", f"/r/{code}", body)
        replied = time.monotonic()
        if status != 303:
            raise SystemExit(f"posting to {code} answered {status}: {page[-500:]}")
        return Post(sent, posted, replied)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Observer:
    """Polls the national satisfaction count in a thread; keeps (moment, count) on change."""

    database_url: str
    poll: float
    seen: list[tuple[float, int]] = field(default_factory=list)
    reads: int = 0
    reading_s: float = 0.0  # time spent reading: the resolution is poll + one read
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def count(self) -> int:
        from observatory.aggregation.read import read_cells

        with self._factory() as session:
            rows = read_cells(
                session, scope_level="national", period_kind="month", breakdown="none",
                question="satisfaction",
            )  # fmt: skip
        return int(rows["n"].sum())

    def start(self) -> None:
        from observatory.db import make_engine, make_session_factory

        self._engine = make_engine(self.database_url)
        self._factory = make_session_factory(self._engine)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last = -1
        while not self._stop.is_set():
            before = time.monotonic()
            value = self.count()
            moment = time.monotonic()
            self.reads += 1
            self.reading_s += moment - before
            if value != last:
                self.seen.append((moment, value))
                last = value
            self._stop.wait(self.poll)

    def latest(self) -> int:
        return self.seen[-1][1] if self.seen else -1

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        self._engine.dispose()


# --------------------------------------------------------------------------------------------
# The run


def seed(database_url: str, args: argparse.Namespace, settings: dict[str, Any]) -> dict[str, Any]:
    """Schema, reference data, places and the folded history; returns the place codes."""
    import numpy as np
    from sqlalchemy import select

    from observatory.clock import today as local_today
    from observatory.config import Settings
    from observatory.db import make_engine, make_session_factory, upgrade
    from observatory.places.models import Place
    from observatory.workers.tasks import run_fold

    agg = load_aggregation_bench()
    started = time.perf_counter()
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    version = agg.seed_reference(factory)
    rng = np.random.default_rng(args.seed)
    places = agg.create_places(factory, args.places, rng)
    generator = agg.Generator(agg.questionnaire_items(version), version, places, args.seed + 1)
    today = local_today(Settings(database_url=database_url, secret_key=SECRET).timezone)
    days, weight = agg.calendar(12, today)
    counts = rng.multinomial(args.history, weight / weight.sum())
    positions = np.arange(args.history, dtype=np.int64)
    chunk_days = days[np.searchsorted(np.cumsum(counts), positions, side="right")]
    agg.store(factory, generator.chunk(positions + 1, chunk_days), skip_fk_checks=False)
    agg.realign_sequences(engine)
    folded = run_fold(Settings(**settings))
    agg.settle(engine)
    with factory() as session:
        codes = list(session.scalars(select(Place.code).order_by(Place.id)))
    engine.dispose()
    log(
        f"history: {args.history:,} responses at {args.places:,} places, folded "
        f"({folded['responses']:,} responses, compacted {folded['compacted']:,} cells) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return {"codes": codes, "version": version, "fold": folded}


def folds(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT coalesce(sum(folds), 0) FROM fold_watermark")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def settle_case(observer: Observer, expected: int, broker: Any, timeout: float) -> None:
    """Every answer so far is visible and no fold is queued or running."""
    wait_until(lambda: observer.latest() == expected, "answers never became visible", timeout)
    wait_until(
        lambda: broker.llen("celery") == 0 and not broker.exists("observatory:fold:queued"),
        "a fold stayed queued",
        timeout,
    )


@dataclass
class Stack:
    """What a case posts through and watches."""

    browser: Browser
    observer: Observer
    broker: Any  # redis.Redis
    codes: Sequence[str]
    rng: Any  # numpy Generator
    timeout: float


def run_case(
    name: str, schedule: Sequence[float], stack: Stack, *, one_at_a_time: bool = False
) -> dict[str, Any]:
    """Post one answer at each offset of `schedule` (seconds from the start of the case)."""
    browser, observer, broker, rng = stack.browser, stack.observer, stack.broker, stack.rng
    codes = stack.codes
    base = observer.latest()
    folds_before = folds(observer.database_url)
    posts: list[Post] = []
    started = time.monotonic()
    for offset in schedule:
        delay = started + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        code = codes[int(rng.integers(len(codes)))]
        posts.append(browser.answer(code, SATISFACTION[int(rng.integers(len(SATISFACTION)))]))
        if one_at_a_time:  # a quiet place: the next answer comes once all is done
            settle_case(observer, base + len(posts), broker, stack.timeout)
            started = time.monotonic() - offset  # keep the gap after the answer is visible
    settle_case(observer, base + len(posts), broker, stack.timeout)
    moments = visible_at(base, len(posts), observer.seen)
    span = posts[-1].replied - posts[0].sent if len(posts) > 1 else 0.0
    fresh = latencies([p.replied for p in posts], moments)
    result: dict[str, Any] = {
        "name": name,
        "answers": len(posts),
        "achieved_rate": round((len(posts) - 1) / span, 2) if span else 0.0,
        "from_reply": summary(fresh),
        "from_sending": summary(latencies([p.posted for p in posts], moments)),
        "request_s": summary([p.replied - p.posted for p in posts]),
        "folds": folds(observer.database_url) - folds_before,
        "latencies_s": [round(v, 4) for v in fresh],
    }
    result["meets_budget"] = (
        result["from_reply"]["count"] == len(posts)
        and result["from_reply"]["p95_s"] <= BUDGET_P95_S
    )
    log(
        f"{name}: sent at {result['achieved_rate']}/s: p50 "
        f"{_s(result['from_reply']['p50_s'])}, p95 {_s(result['from_reply']['p95_s'])}, max "
        f"{_s(result['from_reply']['max_s'])}; {result['folds']} folds"
    )
    return result


def machine_info(database_url: str, broker: Any) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_mb": round(memory / 1024 / 1024),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "database": f"PostgreSQL {version}",
        "redis": broker.info("server").get("redis_version"),
    }


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    import numpy as np

    from observatory.config import Settings

    debounce = args.debounce if args.debounce is not None else Settings.model_fields[
        "fold_debounce_seconds"].default  # fmt: skip
    rng = np.random.default_rng(args.seed + 2)
    bin_dir = Path(sys.executable).parent
    with own_database(args.server) as database_url, own_redis(args.redis_url) as broker:
        settings: dict[str, Any] = {
            "database_url": database_url,
            "redis_url": args.redis_url,
            "secret_key": SECRET,
            "fold_debounce_seconds": debounce,
            # One loopback address sends everything, and answers repeat: limits out of the way.
            "min_fill_seconds": 0,
            "burst_threshold": 1_000_000,
            "rate_limit_client_per_hour": 1_000_000,
            "rate_limit_place_per_hour": 1_000_000,
        }
        data = seed(database_url, args, settings)
        env = environment(settings)
        port = free_port()
        observer = Observer(database_url, args.poll)
        with (
            process([str(bin_dir / "observatory"), "worker", "--concurrency", "2"], env,
                    workdir / "worker.log"),
            process([str(bin_dir / "observatory"), "serve", "--host", "127.0.0.1", "--port",
                     str(port)], env, workdir / "serve.log") as server,
        ):  # fmt: skip
            from observatory.workers.celery_app import make_celery

            celery = make_celery(Settings(**settings))
            wait_until(lambda: bool(celery.control.ping(timeout=1)), "worker start", args.timeout)
            wait_until(lambda: _serving(port, server), "server start", args.timeout)
            log(f"worker and server (port {port}) up; debounce {debounce} s")
            browser = Browser(port)
            observer.start()
            stack = Stack(browser, observer, broker, data["codes"], rng, args.timeout)
            try:
                # The history folded (flagged responses are kept out of the cells: not all count).
                wait_until(lambda: observer.latest() >= 0, "first read", args.timeout)
                settle_case(observer, observer.count(), broker, args.timeout)
                cases = []
                for rate in args.rates:
                    schedule = [i / rate for i in range(args.count)]
                    cases.append(run_case(f"{args.count} answers at {rate:g}/s", schedule, stack))
                if args.quiet:
                    schedule = [i * args.quiet_gap for i in range(args.quiet)]
                    cases.append(
                        run_case(
                            f"{args.quiet} single answers, {args.quiet_gap:g} s apart",
                            schedule,
                            stack,
                            one_at_a_time=True,
                        )
                    )
            except BaseException:
                for name in ("worker.log", "serve.log"):
                    tail = (workdir / name).read_text(errors="replace")[-3000:]
                    log(f"--- end of {name}:\n{tail}")
                raise
            finally:
                observer.stop()
                browser.close()
            info = machine_info(database_url, broker)
    return {
        "benchmark": "freshness",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "budget": {"p95_s": BUDGET_P95_S, "met": all(c["meets_budget"] for c in cases)},
        "settings": {k: v for k, v in settings.items() if k not in {"database_url", "secret_key"}},
        "worker_concurrency": 2,
        "poll_s": args.poll,
        "observer_reads": observer.reads,
        "read_s": round(observer.reading_s / max(observer.reads, 1), 4),
        "seed": args.seed,
        "data": {"history": args.history, "places": args.places, "history_fold": data["fold"]},
        "cases": cases,
        "machine": info,
    }


def _serving(port: int, server: subprocess.Popen[bytes]) -> bool:
    if server.poll() is not None:
        raise SystemExit("`observatory serve` exited; see its log")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="a Redis database of its own")
    parser.add_argument("--history", type=int, default=5_000, help="responses already folded")
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument(
        "--rates",
        type=lambda s: [float(x) for x in s.split(",") if x.strip()],
        default=[5.0, 20.0],
        help="answers per second of each steady case (default 5,20)",
    )
    parser.add_argument("--count", type=int, default=200, help="answers per steady case")
    parser.add_argument("--quiet", type=int, default=20, help="single answers of the quiet case")
    parser.add_argument("--quiet-gap", type=float, default=4.0, help="seconds between them")
    parser.add_argument("--debounce", type=float, help="fold debounce window (default: product's)")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds between two reads")
    parser.add_argument("--timeout", type=float, default=120.0, help="bound of every wait")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.history < 1 or args.places < 1 or args.count < 1 or args.quiet < 0:
        parser.error("--history, --places and --count must be positive")
    if args.count > 10_000 or args.quiet > 1_000 or any(not 0 < r <= 100 for r in args.rates):
        parser.error("bounded run: --count ≤ 10000, --quiet ≤ 1000, 0 < rate ≤ 100")
    if urllib.parse.urlsplit(args.redis_url).hostname not in {"127.0.0.1", "localhost"}:
        parser.error("loopback only: --redis-url must be on 127.0.0.1")
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    import tempfile

    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-freshness-") as tmp:
        results = run(args, Path(tmp))
    log(f"writing {args.output}")
    write_results(args.output, results, markdown(results))
    return results


if __name__ == "__main__":
    main()
