"""axe-core finds no violation on any page or state of the form, in French and in Arabic."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from observatory.questionnaires.definitions import builtin
from tests.browser.conftest import Site

AXE = Axe()
# Every rule axe ships (WCAG 2.0/2.1 A and AA, best practices): nothing filtered out.
OPTIONS = {"resultTypes": ["violations"]}


def assert_accessible(page: Page, what: str) -> None:
    results = AXE.run(page, options=OPTIONS)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def submit(page: Page, nav: str) -> None:
    """Press the form's `nav` button and return once the page it leads to has loaded.

    Every button of the form is a plain submit: the next state is a new document. `click()`
    returns as soon as the navigation has started, before the new page is parsed, so reading the
    page right after it sees the old page or a half-parsed one (a `button[value=next]` not yet
    there ended the walk early, at "step 6 of 9"). Waiting for the new document's `load` event
    also waits for the deferred read-aloud script, which adds its button before axe runs.
    """
    with page.expect_navigation(wait_until="load"):
        page.click(f"button[value={nav}]")


def expect_step(page: Page, index: int) -> None:
    """The page shown is screen `index` (0-based) of the step-by-step form."""
    expect(page.locator("input[name=step]")).to_have_value(str(index))
    expect(page.locator("input[name=mode]")).to_have_value("etapes")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_form_state_is_accessible(page: Page, site: Site, lang: str) -> None:
    form = f"{site.url}/r/{site.code}?lang={lang}"
    page.goto(form)
    assert_accessible(page, f"form ({lang})")

    submit(page, "send")  # nothing chosen: errors shown
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, f"errors ({lang})")

    page.goto(f"{form}&mode=etapes")
    expect_step(page, 0)
    submit(page, "next")  # the first question is required: its error state
    expect_step(page, 0)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, f"step 1 with error ({lang})")
    page.click("label[for=q-satisfaction-bien]")
    expect(page.locator("#q-satisfaction-bien")).to_be_checked()
    screens = len(builtin().questions)
    assert screens == 9
    for index in range(screens - 1):
        expect_step(page, index)
        expect(page.locator("button[value=next]")).to_have_count(1)
        assert_accessible(page, f"step {index + 1} ({lang})")
        submit(page, "next")
    expect_step(page, screens - 1)
    expect(page.locator("button[value=next]")).to_have_count(0)  # the last screen
    assert_accessible(page, f"last step ({lang})")
    submit(page, "send")
    expect(page).to_have_url(re.compile(r"/merci"))
    assert_accessible(page, f"thank-you ({lang})")

    page.goto(f"{site.url}/r/NOPE99?lang={lang}")
    assert_accessible(page, f"404 ({lang})")
    page.goto(f"{site.url}/?lang={lang}")
    assert_accessible(page, f"home ({lang})")


def test_focus_moves_to_the_first_error(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/r/{site.code}")
    page.click("label[for=q-objectif-oui]")
    page.click("button[value=send]")  # the required first question is missing
    expect(page.locator("#q-satisfaction-tres_bien")).to_be_focused()
    expect(page.locator("#erreurs")).to_be_visible()
    described = page.get_attribute("#q-satisfaction", "aria-describedby") or ""
    assert "err-satisfaction" in described


def test_poster_page_is_accessible_and_fits_a_phone(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/r/{site.code}/affiche")
    assert page.locator("svg[role=img]").count() == 1
    assert_accessible(page, "poster")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(page, "poster at 320 px")
