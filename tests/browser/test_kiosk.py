"""The kiosk on a tablet: accessible, offline-safe (exactly once), patient with people."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Site
from tests.browser.test_form_accessibility import assert_accessible

# The "next" button the kiosk script adds (language independent).
NEXT = "#kiosk-actions button.button:not(.secondary):not([value=send])"


def open_kiosk(page: Page, site: Site, lang: str = "fr") -> None:
    page.goto(f"{site.url}/kiosk/{site.kiosk_token}?lang={lang}")
    page.wait_for_selector("#kiosk-progress:not([hidden])")


def answer(page: Page, choice: str = "bien") -> None:
    page.click(f"label[for=q-satisfaction-{choice}]")
    page.click(NEXT)
    page.click("button[value=send]")
    page.wait_for_selector("#kiosk-thanks:not([hidden])")
    page.wait_for_selector("#kiosk-form:not([hidden])", timeout=5000)  # back to the start


def kiosk_keys(site: Site) -> list[str]:
    return [key for channel, key in site.responses() if channel == "kiosk"]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_kiosk_states_are_accessible(page: Page, site: Site, lang: str) -> None:
    open_kiosk(page, site, lang)
    assert_accessible(page, f"kiosk ({lang})")
    page.click("label[for=q-satisfaction-tres_bien]")
    page.click(NEXT)
    assert_accessible(page, f"kiosk step 2 ({lang})")
    page.wait_for_selector("dialog[open]", timeout=5000)  # idle: "are you still there?"
    assert_accessible(page, f"kiosk dialog ({lang})")
    page.click("#more-time")
    page.click("button[value=send]")
    page.wait_for_selector("#kiosk-thanks:not([hidden])")
    assert_accessible(page, f"kiosk thank-you ({lang})")
    page.wait_for_selector("#kiosk-form:not([hidden])", timeout=5000)
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
    expect(page.locator("#kiosk-status")).to_contain_text("envoyées", timeout=20000)
    new = [key for key in kiosk_keys(site) if key not in before]
    assert len(new) == 3 and len(set(new)) == 3
    assert calls["n"] >= 4  # the interrupted one was sent again, and stored once


def test_an_abandoned_answer_is_kept_after_a_warning(page: Page, site: Site) -> None:
    before = set(kiosk_keys(site))
    open_kiosk(page, site)
    page.click("label[for=q-satisfaction-pas_tres_bien]")
    page.wait_for_selector("dialog[open]", timeout=5000)
    page.keyboard.press("Escape")  # Escape is also "more time": nothing is lost or reset
    page.wait_for_timeout(500)
    assert page.is_checked("#q-satisfaction-pas_tres_bien")
    page.wait_for_selector("dialog[open]", timeout=5000)
    # No answer this time: the kiosk keeps the partial answer and goes back to the start.
    page.wait_for_selector("dialog[open]", state="detached", timeout=30000)
    expect(page.locator("#kiosk-status")).to_contain_text("envoyées", timeout=10000)
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
