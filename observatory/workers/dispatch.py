"""Debounced notification after a commit: never one task per response.

With Redis, a key set with NX marks "a fold is queued"; only the request that sets it enqueues
the fold (with a countdown equal to the debounce window). Without Redis, an in-process thread
plays the worker and calls the very same task function.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from observatory.config import Settings
from observatory.resilience import Breaker
from observatory.workers.tasks import run_fold

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def notify(self) -> None:
        """Tell the workers that new responses are committed; must never raise."""

    def close(self) -> None:
        """Stop background work, if any."""


class CeleryNotifier:
    def __init__(self, settings: Settings) -> None:
        from observatory.workers.celery_app import (
            DEBOUNCE_KEY,
            FOLD_TASK,
            make_celery,
            redis_client,
        )

        self._settings = settings
        self._celery = make_celery(settings)
        self._redis = redis_client(settings)
        self._key = DEBOUNCE_KEY
        self._task = FOLD_TASK
        self._breaker = Breaker()

    def notify(self) -> None:
        window = self._settings.fold_debounce_seconds
        # The key outlives a lost task by a bounded time; the beat sweep covers the gap.
        ttl = int(window + self._settings.task_time_limit_seconds)
        if not self._breaker.available():
            return  # Redis failed a moment ago: the sweep will fold these answers
        try:
            if self._redis.set(self._key, "1", nx=True, ex=max(ttl, 1)):
                self._celery.send_task(self._task, countdown=window, retry=False)
        except Exception:  # Redis down: the answer is safe in the DB; the sweep will fold it.
            log.warning("could not queue a fold; the periodic sweep will catch up", exc_info=True)
            self._breaker.trip()

    def close(self) -> None:
        self._redis.close()


class InProcessWorker:
    """The embedded worker: one daemon thread, debounced, with a periodic sweep."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._loop, name="observatory-worker", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        self._idle.clear()
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every notified answer is folded (tests, demo start-up)."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(timeout=self._settings.sweep_interval_seconds)
            if self._stop.is_set():
                return
            if woken:
                self._stop.wait(self._settings.fold_debounce_seconds)
                self._wake.clear()
            try:
                run_fold(self._settings)
            except Exception:  # keep the worker alive; the next notification or sweep retries
                log.exception("in-process fold failed")
            if not self._wake.is_set():
                self._idle.set()


def make_notifier(settings: Settings) -> Notifier:
    if settings.embedded:
        return InProcessWorker(settings)
    return CeleryNotifier(settings)


__all__ = ["CeleryNotifier", "InProcessWorker", "Notifier", "make_notifier"]
