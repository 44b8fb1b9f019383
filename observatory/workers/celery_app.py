"""Celery application factory and its thin tasks (`celery -A observatory.workers.celery_app`)."""

from __future__ import annotations

import contextlib
from typing import Any

import redis
from celery import Celery, Task
from celery.schedules import crontab

from observatory.config import Settings, get_settings
from observatory.workers.tasks import run_digest, run_fold

FOLD_TASK = "observatory.fold"
SWEEP_TASK = "observatory.sweep"
DIGEST_TASK = "observatory.digest"
# Monday 08:00 in the observatory's time zone (the app's `timezone`): the week's news at the
# start of the working week.
DIGEST_SCHEDULE = crontab(minute=0, hour=8, day_of_week="mon")
DIGEST_MARGIN_SECONDS = 60  # stop starting teams this long before the task's soft time limit
# Set while a fold is queued: at most one queued fold at a time (see dispatch.CeleryNotifier).
DEBOUNCE_KEY = "observatory:fold:queued"


def redis_client(settings: Settings) -> redis.Redis:
    """Short timeouts: the request path must not hang when Redis is down (the DB has the data)."""
    assert settings.redis_url is not None
    return redis.Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)


def fold_task() -> dict[str, Any]:
    """Fold queued by the notifier; the worker's settings come from its environment."""
    settings = get_settings()
    # Cleared first: answers arriving during this fold queue the next one.
    with contextlib.suppress(redis.RedisError):
        redis_client(settings).delete(DEBOUNCE_KEY)
    return run_fold(settings)


def sweep_task() -> dict[str, Any]:
    """Periodic fold: catches answers whose notification was lost (Redis down, crash...)."""
    return run_fold(get_settings())


def digest_task(task: Task) -> dict[str, Any]:
    """The weekly digests, within the task's time limit: when teams are left, the task queues
    itself again for them (a bound task, so no app is captured)."""
    settings = get_settings()
    soft_limit = max(1, settings.task_time_limit_seconds - 20)
    result = run_digest(settings, budget_seconds=max(1, soft_limit - DIGEST_MARGIN_SECONDS))
    if result["unreached"]:
        task.apply_async()
    return result


def make_celery(settings: Settings) -> Celery:
    app = Celery("observatory", broker=settings.redis_url or "memory://")
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_time_limit=settings.task_time_limit_seconds,
        task_soft_time_limit=max(1, settings.task_time_limit_seconds - 20),
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout_seconds},
        broker_connection_retry_on_startup=True,
        timezone=settings.timezone,
        beat_schedule={
            "sweep": {"task": SWEEP_TASK, "schedule": settings.sweep_interval_seconds},
            "digest": {"task": DIGEST_TASK, "schedule": DIGEST_SCHEDULE},
        },
    )

    # The same module-level callables on every app: no closure may capture another app's
    # settings, and Celery's registry refuses a second callable under the same name.
    app.task(name=FOLD_TASK)(fold_task)
    app.task(name=SWEEP_TASK)(sweep_task)
    app.task(name=DIGEST_TASK, bind=True)(digest_task)
    return app


app = make_celery(get_settings())
