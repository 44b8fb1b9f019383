"""Embedded mode: the in-process worker folds posted answers within seconds, debounced."""

from __future__ import annotations

import json

from observatory.app import create_app
from observatory.config import Settings
from observatory.workers.dispatch import InProcessWorker
from tests.conftest import send_answers


def test_posted_answer_reaches_the_barometer_via_the_in_process_worker(
    settings: Settings, make_place
) -> None:
    embedded = settings.model_copy(update={"fold_debounce_seconds": 0.1})
    app = create_app(embedded)
    worker = app.extensions["observatory"].notifier
    assert isinstance(worker, InProcessWorker)
    try:
        place = make_place()
        client = app.test_client()
        for _ in range(12):
            assert send_answers(client, place.code, {"satisfaction": "bien"}).status_code == 303
        assert worker.wait_idle(timeout=120)
        layout = json.dumps(client.get("/barometre/_dash-layout").get_json(), ensure_ascii=False)
        assert '"children": "12"' in layout
    finally:
        worker.close()
