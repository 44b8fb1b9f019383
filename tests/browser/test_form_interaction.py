"""The form works by keyboard alone, without JavaScript, on a 320 px phone, and right to left."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.browser.conftest import Site


def active(page: Page) -> str:
    return str(
        page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.tagName + '|' + (e.name || '') + '|' + (e.value || ''); })()"
        )
    )


def tab_until(page: Page, wanted: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active(page).startswith(wanted):
            return
    raise AssertionError(f"never reached {wanted} by Tab (last: {active(page)})")


def test_keyboard_only_run_submits(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/r/{site.code}")
    tab_until(page, "INPUT|satisfaction|")
    page.keyboard.press("ArrowRight")  # moves within the radio group and selects
    assert page.is_checked("input[name=satisfaction]:checked")
    tab_until(page, "BUTTON|nav|send")
    page.keyboard.press("Enter")
    page.wait_for_url("**/merci**")
    assert "Merci" in page.inner_text("h1")


def test_focus_is_visible_on_every_stop(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/r/{site.code}")
    for _ in range(12):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "(() => { const e = document.activeElement;"
            " const target = e.matches('.option input') ? e.nextElementSibling : e;"
            " const s = getComputedStyle(target);"
            " return s.outlineStyle + ' ' + s.outlineWidth; })()"
        )
        assert not outline.startswith("none"), (active(page), outline)


def test_without_javascript_on_a_small_phone(phone: Page, site: Site) -> None:
    phone.goto(f"{site.url}/r/{site.code}?mode=etapes")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"horizontal scrolling at 320 px ({width} px)"
    phone.click("label[for=q-satisfaction-tres_bien]")
    phone.click("button[value=next]")
    phone.click("label[for=q-objectif-oui]")
    phone.click("button[value=send]")
    assert "/merci" in phone.url
    phone.goto(f"{site.url}/r/{site.code}")
    phone.click("label[for=q-satisfaction-bien]")
    phone.click("button[value=send]")
    assert "/merci" in phone.url


def test_targets_are_at_least_44_px(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/r/{site.code}")
    heights = page.eval_on_selector_all(
        ".option label, .button", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44


def test_arabic_is_laid_out_right_to_left(page: Page, site: Site, tmp_path: Path) -> None:
    page.goto(f"{site.url}/r/{site.code}?lang=ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    main = page.locator("main").bounding_box()
    title = page.locator("h1").bounding_box()
    assert main and title
    # The heading starts at the right edge of the content, as Arabic reads.
    assert abs((main["x"] + main["width"]) - (title["x"] + title["width"])) < 40
    assert title["x"] - main["x"] > 40 or title["width"] > main["width"] - 80
    first = page.locator("label[for=q-satisfaction-tres_bien]").bounding_box()
    second = page.locator("label[for=q-satisfaction-bien]").bounding_box()
    assert first and second and first["x"] > second["x"], "the first option must be on the right"
    page.screenshot(path=str(tmp_path / "form-ar.png"), full_page=True)
