"""The mediators' entry pages are as accessible as the citizens' form."""

from __future__ import annotations

from playwright.sync_api import Page

from observatory.access.tokens import Role, issue
from tests.browser.conftest import BROWSER_SECRET, Site
from tests.browser.test_form_accessibility import assert_accessible


def test_sign_in_and_entry_pages_are_accessible(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/equipe/connexion")
    assert_accessible(page, "sign-in")
    page.fill("#token", "not-a-token")
    page.click("button[type=submit]")
    assert_accessible(page, "sign-in error")
    token, _ = issue(BROWSER_SECRET, Role.MINISTRY, "*", days=1)
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/saisie**")
    assert_accessible(page, "entry form")
    page.click("label[for=q-satisfaction-bien]")
    page.click("form[action$='/equipe/saisie'] button[type=submit]")
    assert page.locator("#message").is_visible()
    assert_accessible(page, "entry saved")
    page.fill("#day", "2001-01-01")
    page.click("form[action$='/equipe/saisie'] button[type=submit]")
    assert_accessible(page, "entry errors")
