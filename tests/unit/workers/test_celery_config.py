"""The Celery contract of DESIGN §7, asserted on the app the workers really use."""

from __future__ import annotations

from observatory.config import Settings
from observatory.workers.celery_app import FOLD_TASK, SWEEP_TASK, make_celery


def test_celery_is_configured_for_safe_redelivery() -> None:
    app = make_celery(Settings(redis_url="redis://127.0.0.1:6379/9", secret_key="x" * 40))
    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_transport_options["visibility_timeout"] == 300
    assert conf.task_time_limit == 240 and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.worker_prefetch_multiplier == 1
    assert conf.beat_schedule["sweep"]["task"] == SWEEP_TASK
    assert {FOLD_TASK, SWEEP_TASK} <= set(app.tasks)
