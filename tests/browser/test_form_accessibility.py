"""axe-core finds no violation on any page or state of the form, in French and in Arabic."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site

AXE = Axe()
# Every rule axe ships (WCAG 2.0/2.1 A and AA, best practices): nothing filtered out.
OPTIONS = {"resultTypes": ["violations"]}


def assert_accessible(page: Page, what: str) -> None:
    results = AXE.run(page, options=OPTIONS)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_form_state_is_accessible(page: Page, site: Site, lang: str) -> None:
    form = f"{site.url}/r/{site.code}?lang={lang}"
    page.goto(form)
    assert_accessible(page, f"form ({lang})")

    page.click("button[value=send]")  # nothing chosen: errors shown
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, f"errors ({lang})")

    page.goto(f"{form}&mode=etapes")
    page.click("button[value=next]")  # the first question is required: its error state
    assert_accessible(page, f"step 1 with error ({lang})")
    page.click("label[for=q-satisfaction-bien]")
    step = 1
    while page.locator("button[value=next]").count():
        assert_accessible(page, f"step {step} ({lang})")
        page.click("button[value=next]")
        step += 1
    assert step == 9
    assert_accessible(page, f"last step ({lang})")
    page.click("button[value=send]")
    assert "/merci" in page.url
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
