"""Embedded mode: the in-process worker folds posted answers within seconds, debounced."""

from __future__ import annotations

import json
import re

from observatory.app import create_app
from observatory.config import Settings
from observatory.disclosure.perturbation import MAX_NOISE
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
        for _ in range(20):  # at least 16 once perturbed: above k_public (11)
            assert send_answers(client, place.code, {"satisfaction": "bien"}).status_code == 303
        assert worker.wait_idle(timeout=120)
        layout = json.dumps(client.get("/barometre/_dash-layout").get_json(), ensure_ascii=False)
        shown = re.search(r'"children": "(\d+)", "id": "national-answers"', layout)
        assert shown is not None and abs(int(shown.group(1)) - 20) <= MAX_NOISE
    finally:
        worker.close()
