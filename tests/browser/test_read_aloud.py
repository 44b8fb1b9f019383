"""Read-aloud: off by default, reads the question and its answers in the page's language."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.test_form_accessibility import assert_accessible

# Records what would be spoken instead of speaking (headless Chromium has no voice).
RECORD_SPEECH = """
window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
Object.defineProperty(window, "speechSynthesis", {
  value: { speak: (u) => window.__spoken.push([u.lang, u.text]), cancel: () => {} },
});
"""


def test_read_aloud_is_off_by_default_and_reads_in_the_page_language(
    page: Page, site: Site
) -> None:
    page.add_init_script(RECORD_SPEECH)
    page.goto(f"{site.url}/r/{site.code}?lang=es&mode=etapes")
    toggle = page.locator(".read-aloud-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.locator(".listen").count() == 0
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert_accessible(page, "read-aloud on")
    page.locator(".listen").first.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and spoken[0][0] == "es" and "Muy bien" in spoken[0][1]
    # It stays on for the next screen of the step-by-step form.
    page.click("label[for=q-satisfaction-bien]")
    page.click("button[value=next]")
    expect(page.locator(".read-aloud-toggle")).to_have_attribute("aria-pressed", "true")
