"""The kiosk on a tablet: accessible, offline-safe (exactly once), patient with people.

The API's refusals are played by Playwright routing in front of the real server: an answer the
server does not take stays on the tablet (never "all sent"), and does not hold up the others.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Request, Route, expect

from survey.i18n import Translator
from tests.browser.conftest import Site
from tests.browser.test_form_accessibility import assert_accessible
from tests.unit.survey.test_kiosk import REFUSED, REVOKED

# The "next" button the kiosk script adds (language independent).
NEXT = "#kiosk-actions button.button:not(.secondary):not([value=send])"
API = "**/api/v1/responses"
SYNCED = "Toutes les réponses sont envoyées."
QUEUE = """Object.keys(localStorage)
    .filter((key) => key.startsWith("observatory.kiosk.queue."))
    .flatMap((key) => JSON.parse(localStorage.getItem(key)))"""
# What the route does with one request: a status to answer with, ABORT (no answer at all: the
# network failed), or None (let it through to the real server).
ABORT = "abort"
Reply = Callable[[str], "int | str | None"]


def open_kiosk(page: Page, site: Site, lang: str = "fr") -> None:
    page.goto(f"{site.url}/kiosk/{site.kiosk_token}?lang={lang}")
    page.wait_for_selector("#kiosk-progress:not([hidden])")


def answer(page: Page, choice: str = "bien") -> None:
    page.click(f"label[for=q-satisfaction-{choice}]")
    page.click(NEXT)
    page.click("button[value=send]")
    page.wait_for_selector("#kiosk-thanks:not([hidden])")
    page.wait_for_selector("#kiosk-form:not([hidden])", timeout=60000)  # back to the start


def kiosk_keys(site: Site) -> list[str]:
    return [key for channel, key in site.responses() if channel == "kiosk"]


def queued(page: Page) -> list[dict[str, object]]:
    """The answers the kiosk keeps on the tablet (its localStorage queue)."""
    items: list[dict[str, object]] = page.evaluate(f"() => {QUEUE}")
    return items


def wait_for_queue(page: Page, condition: str) -> None:
    """Wait until `condition` (JavaScript, about `queue`, the list of items) holds."""
    page.wait_for_function(f"() => {{ const queue = {QUEUE}; return {condition}; }}", timeout=60000)


def route_api(page: Page, reply: Reply) -> list[str]:
    """Put `reply` in front of the API; returns the idempotency keys of the requests, in order."""
    seen: list[str] = []

    def handle(route: Route) -> None:
        key = str((route.request.post_data_json or {}).get("idempotency_key", ""))
        seen.append(key)
        outcome = reply(key)
        if outcome is None:
            route.continue_()
        elif outcome == ABORT:
            route.abort()
        else:
            problem = {"title": "refused", "status": outcome, "errors": {"answered_at": "invalid"}}
            route.fulfill(
                status=int(outcome),
                content_type="application/problem+json",
                body=json.dumps(problem),
            )

    page.route(API, handle)
    return seen


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_kiosk_states_are_accessible(page: Page, site: Site, lang: str) -> None:
    open_kiosk(page, site, lang)
    assert_accessible(page, f"kiosk ({lang})")
    page.click("label[for=q-satisfaction-tres_bien]")
    page.click(NEXT)
    assert_accessible(page, f"kiosk step 2 ({lang})")
    page.wait_for_selector("dialog[open]", timeout=60000)  # idle: "are you still there?"
    assert_accessible(page, f"kiosk dialog ({lang})")
    page.click("#more-time")
    page.click("button[value=send]")
    page.wait_for_selector("#kiosk-thanks:not([hidden])")
    assert_accessible(page, f"kiosk thank-you ({lang})")
    page.wait_for_selector("#kiosk-form:not([hidden])", timeout=60000)
    page.context.set_offline(True)
    try:
        answer(page)
        expect(page.locator("#kiosk-status.pending")).to_be_visible()
        assert_accessible(page, f"kiosk offline, answers waiting ({lang})")
    finally:
        page.context.set_offline(False)


def test_offline_answers_are_sent_exactly_once_even_if_the_sync_is_interrupted(
    page: Page, site: Site
) -> None:
    before = set(kiosk_keys(site))
    open_kiosk(page, site)
    page.context.set_offline(True)
    for choice in ("tres_bien", "bien", "pas_bien"):
        answer(page, choice)
    status = page.locator("#kiosk-status")
    assert "3" in status.inner_text() and "attente" in status.inner_text()
    assert set(kiosk_keys(site)) == before
    assert_accessible(page, "kiosk offline, answers waiting")

    calls = {"n": 0}

    def interrupt_first(route: Route) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            route.fetch()  # the server stores the answer…
            route.abort()  # …but the reply is lost: the kiosk must retry
        else:
            route.continue_()

    page.route("**/api/v1/responses", interrupt_first)
    page.context.set_offline(False)
    expect(page.locator("#kiosk-status")).to_have_text(SYNCED, timeout=60000)
    new = [key for key in kiosk_keys(site) if key not in before]
    assert len(new) == 3 and len(set(new)) == 3
    assert calls["n"] >= 4  # the interrupted one was sent again, and stored once


def test_an_abandoned_answer_is_kept_after_a_warning(page: Page, site: Site) -> None:
    before = set(kiosk_keys(site))
    open_kiosk(page, site)
    page.click("label[for=q-satisfaction-pas_tres_bien]")
    page.wait_for_selector("dialog[open]", timeout=60000)
    page.keyboard.press("Escape")  # Escape is also "more time": nothing is lost or reset
    page.wait_for_timeout(500)
    assert page.is_checked("#q-satisfaction-pas_tres_bien")
    page.wait_for_selector("dialog[open]", timeout=60000)
    # No answer this time: the kiosk keeps the partial answer and goes back to the start.
    page.wait_for_selector("dialog[open]", state="detached", timeout=60000)
    expect(page.locator("#kiosk-status")).to_have_text(SYNCED, timeout=60000)
    assert len(set(kiosk_keys(site)) - before) == 1
    assert not page.is_checked("#q-satisfaction-pas_tres_bien")


def test_the_service_worker_serves_the_kiosk_offline(page: Page, site: Site) -> None:
    open_kiosk(page, site)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker, which caches what it serves
    page.wait_for_selector("#kiosk-progress:not([hidden])")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#kiosk-progress:not([hidden])")
    assert page.locator("[data-question=satisfaction]").is_visible()
    page.context.set_offline(False)


def test_the_scripted_error_names_the_question_and_is_tied_to_it(page: Page, site: Site) -> None:
    open_kiosk(page, site)
    page.click(NEXT)  # nothing chosen
    error = page.locator("#kiosk-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Comment s'est passé votre accompagnement")
    fieldset = page.locator("[data-question=satisfaction]")
    expect(fieldset).to_have_attribute("aria-describedby", "kiosk-error")
    expect(page.locator("#q-satisfaction-tres_bien")).to_be_focused()
    assert_accessible(page, "kiosk scripted error")


def test_kiosk_fits_a_320_px_screen(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    page = context.new_page()
    try:
        open_kiosk(page, site)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


@pytest.mark.parametrize("status", [422, 409, 413, 400])
def test_a_refused_answer_stays_on_the_tablet_and_does_not_block_the_others(
    page: Page, site: Site, status: int
) -> None:
    """The audit's case: the server refused the answers (422) and the kiosk said "all sent"."""
    before = set(kiosk_keys(site))
    first: list[str] = []

    def refuse_the_first(key: str) -> int | None:
        first[:] = first or [key]
        return status if key == first[0] else None

    seen = route_api(page, refuse_the_first)
    open_kiosk(page, site)
    answer(page, "tres_bien")
    box = page.locator("#kiosk-status")
    expect(box).to_have_text(REFUSED % {"n": 1}, timeout=60000)
    expect(box).to_be_visible()
    expect(box).to_have_attribute("role", "status")  # a polite live region: it is announced
    expect(box).to_have_class(re.compile(r"\brefused\b"))
    (item,) = queued(page)
    assert item["idempotency_key"] == first[0] and item["refused"] == status

    answer(page, "bien")  # the next answer goes through, and the refused one is tried again
    wait_for_queue(page, "queue.length === 1 && queue[0].refused")
    expect(box).to_have_text(REFUSED % {"n": 1})
    assert len(set(kiosk_keys(site)) - before) == 1  # the second one (the first never got there)
    assert seen.count(first[0]) == 2  # once when given, once more when a new answer came

    page.unroute(API)  # the server takes it now (e.g. once it has been updated)
    answer(page, "pas_bien")
    expect(box).to_have_text(SYNCED, timeout=60000)
    assert queued(page) == []
    assert len(set(kiosk_keys(site)) - before) == 3


def test_server_errors_and_network_failures_keep_answers_for_later(page: Page, site: Site) -> None:
    before = set(kiosk_keys(site))
    state = {"network": True}
    first: list[str] = []

    def fail(key: str) -> int | str | None:
        first[:] = first or [key]
        if not state["network"]:
            return ABORT
        return 500 if key == first[0] else None

    route_api(page, fail)
    open_kiosk(page, site)
    answer(page, "tres_bien")  # a 500 for this one…
    answer(page, "bien")  # …does not hold this one up
    box = page.locator("#kiosk-status")
    wait_for_queue(page, "queue.length === 1")
    (item,) = queued(page)
    assert item["idempotency_key"] == first[0] and "refused" not in item  # kept, not refused
    expect(box).to_have_text("Réponses en attente d'envoi : 1")
    expect(box).to_have_class(re.compile(r"\bpending\b"))
    assert len(set(kiosk_keys(site)) - before) == 1

    state["network"] = False
    answer(page, "pas_bien")
    expect(box).to_have_text("Réponses en attente d'envoi : 2", timeout=60000)
    assert len(queued(page)) == 2

    page.unroute(API)  # the server and the network are back: the next tick sends both
    expect(box).to_have_text(SYNCED, timeout=60000)
    assert len(set(kiosk_keys(site)) - before) == 3 and queued(page) == []


def test_the_thank_you_says_recorded_only_once_the_server_has_it(page: Page, site: Site) -> None:
    before = set(kiosk_keys(site))
    open_kiosk(page, site)
    # A long thank-you screen, so that the confirmation arrives while it is still shown.
    page.evaluate("document.querySelector('[data-kiosk]').dataset.pauseSeconds = '600'")
    page.context.set_offline(True)
    page.click("label[for=q-satisfaction-bien]")
    page.click(NEXT)
    page.click("button[value=send]")
    text = page.locator("#kiosk-thanks-text")
    expect(text).to_be_visible()
    expect(text).to_have_text(
        "Votre réponse va être envoyée, de façon anonyme. Elle aidera l'équipe de ce lieu à "
        "s'améliorer."
    )
    expect(text).to_have_attribute("role", "status")
    assert "enregistrée" not in text.inner_text()
    page.context.set_offline(False)
    expect(text).to_contain_text("Votre réponse est enregistrée", timeout=60000)
    expect(page.locator("#kiosk-thanks")).to_be_visible()
    assert len(set(kiosk_keys(site)) - before) == 1


def test_answers_queued_by_the_previous_version_are_still_sent(page: Page, site: Site) -> None:
    bodies: list[dict[str, object]] = []

    def record(request: Request) -> None:
        if request.url.endswith("/api/v1/responses"):
            bodies.append(request.post_data_json or {})

    page.on("request", record)
    open_kiosk(page, site)
    kiosk = page.get_attribute("[data-kiosk]", "data-kiosk")
    day = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    legacy = {  # what the kiosk queued before answered_at existed
        "idempotency_key": f"legacy-{uuid.uuid4().hex[:16]}",
        "day": day,
        "language": "fr",
        "answers": {"satisfaction": ["bien"]},
    }
    page.evaluate(
        "([key, item]) => localStorage.setItem(key, JSON.stringify([item]))",
        [f"observatory.kiosk.queue.{kiosk}", legacy],
    )
    before = set(kiosk_keys(site))  # (the server may store the key scoped and hashed)
    page.reload()
    page.wait_for_selector("#kiosk-progress:not([hidden])")
    box = page.locator("#kiosk-status")
    expect(box).to_have_text(SYNCED, timeout=60000)
    assert len(set(kiosk_keys(site)) - before) == 1 and queued(page) == []
    assert next(b for b in bodies if b["idempotency_key"] == legacy["idempotency_key"]) == legacy

    answer(page)
    expect(box).to_have_text(SYNCED, timeout=60000)
    new = bodies[-1]
    # The moment of the answer, with its offset: the server derives the day from it. The
    # device's day is still sent, for servers that predate answered_at.
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", str(new["answered_at"])
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", str(new["day"]))
    assert set(new) == {"idempotency_key", "answered_at", "day", "language", "answers"}


def test_a_tablet_no_longer_enrolled_keeps_every_answer_and_says_so(page: Page, site: Site) -> None:
    before = set(kiosk_keys(site))
    state = {"enrolled": False}
    seen = route_api(page, lambda key: None if state["enrolled"] else 401)
    open_kiosk(page, site)
    answer(page, "bien")
    answer(page, "pas_bien")
    box = page.locator("#kiosk-status")
    expect(box).to_have_text(REVOKED % {"n": 2}, timeout=60000)
    expect(box).to_have_class(re.compile(r"\brefused\b"))
    assert [item["refused"] for item in queued(page)] == [401, 401]
    assert len(seen) == 2  # one try per new answer, not one per item
    assert set(kiosk_keys(site)) == before

    state["enrolled"] = True
    answer(page, "tres_bien")
    expect(box).to_have_text(SYNCED, timeout=60000)
    assert len(set(kiosk_keys(site)) - before) == 3


def test_refused_answers_are_tried_again_every_few_minutes(page: Page, site: Site) -> None:
    page.clock.install()  # time flows, and the test can make minutes pass at once
    state = {"status": 422}
    seen = route_api(page, lambda key: state["status"])
    open_kiosk(page, site)
    answer(page)
    box = page.locator("#kiosk-status")
    expect(box).to_have_text(REFUSED % {"n": 1}, timeout=60000)
    page.clock.run_for(60_000)  # a minute of ticks: a refused answer is not retried at each one
    assert len(seen) == 1
    state["status"] = None  # type: ignore[assignment]
    page.clock.fast_forward("05:00")  # a jump (run_for would also fire the request's timeout)
    expect(box).to_have_text(SYNCED, timeout=60000)
    assert len(seen) == 2


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_refused_and_revoked_states_are_accessible(page: Page, site: Site, lang: str) -> None:
    words = Translator(lang)
    state = {"status": 422}
    route_api(page, lambda key: state["status"])
    open_kiosk(page, site, lang)
    answer(page)
    box = page.locator("#kiosk-status")
    expect(box).to_have_text(words.gettext(REFUSED, n=1), timeout=60000)
    assert_accessible(page, f"kiosk, an answer refused ({lang})")
    state["status"] = 401
    answer(page)
    expect(box).to_have_text(words.gettext(REVOKED, n=2), timeout=60000)
    assert_accessible(page, f"kiosk, tablet no longer enrolled ({lang})")
