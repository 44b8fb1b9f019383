"""QR codes and the printable poster that send people from a place to its feedback form.

Every place displays a poster whose QR code opens `/r/<place_code>`. The poster is printed once
and then lives for years on a wall or a counter, where it gets scratched, faded, taped over and
photographed at an angle by old phones: every choice below (error correction level, quiet zone,
colours, physical size) favours a code that still scans in those conditions over a pretty one.

This module is pure (no Flask, no database): the web route and the `observatory qr` command give
it a place's code and the public base URL and render the result.
"""

from __future__ import annotations

import html
import io

import segno

# Q restores up to ~25 % of damaged codewords (scratches, a strip of tape, a reflection) at the
# cost of a slightly denser symbol than M (~15 %). It is pinned rather than "boosted" by segno so
# the symbol printed is exactly the one documented and tested, whatever the length of the URL.
ERROR_LEVEL = "q"
# 4 light modules around the symbol, the quiet zone ISO/IEC 18004 requires: without it, readers
# confuse the finder patterns with whatever is printed or stuck next to the poster.
QUIET_ZONE = 4
# The State's text colour (DSFR "grey-50"): contrast 18.1:1 on white, far above what readers need,
# and the same ink as the poster's text. The light modules are painted white (not transparent) so
# a coloured wall or paper behind a cut-out code cannot lower the contrast.
DARK = "#161616"
LIGHT = "#ffffff"
# Printed width of the symbol, quiet zone included. 10 cm is scanned at ~1 m by a basic phone
# camera (rule of thumb: distance ≤ 10 × width), so nobody has to lean over a counter.
PRINT_WIDTH_MM = 100


def form_url(base_url: str, code: str) -> str:
    """The form's public URL for a place, encoded in its QR code and printed under it.

    It is kept short (no query string, no tracking parameter) so it can be typed by someone
    whose phone cannot scan, and so the QR code stays at a low, easily scanned version.
    """
    return f"{base_url.rstrip('/')}/r/{code}"


def _symbol(url: str) -> segno.QRCode:
    """The QR code of `url`: a full QR code (never Micro QR, which many phone readers ignore)."""
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def qr_svg(url: str, *, title: str) -> str:
    """An SVG element, to be inlined in HTML, that encodes `url`.

    Vector output prints sharp at any size; the width and height are physical (`PRINT_WIDTH_MM`)
    so the code has a sensible size even where no CSS applies, while `viewBox` lets the page
    scale it. The `<title>` and `role="img"` + `aria-label` give screen-reader users (and the
    RGAA 1.1 check) a text alternative; the caller should make `title` say what the code opens.
    `shape-rendering="crispEdges"` avoids the hairline seams some renderers draw between rows.

    There is no XML declaration and no namespace (HTML5 inline SVG needs neither); to write a
    standalone `.svg` file, use `qr_svg_document`. The output depends only on `url` and `title`
    (segno's choice of mask is deterministic), so pages and files can be compared and cached.
    """
    svg: str = _symbol(url).svg_inline(
        border=QUIET_ZONE,
        dark=DARK,
        light=LIGHT,
        title=title,
        svgclass="qr-code",
        lineclass=None,
        omitsize=True,
    )
    if not svg.startswith("<svg "):  # pragma: no cover - guards against a change in segno
        raise RuntimeError(f"unexpected SVG from segno: {svg[:40]!r}")
    label = html.escape(title, quote=True)
    attributes = (
        f'width="{PRINT_WIDTH_MM}mm" height="{PRINT_WIDTH_MM}mm" role="img" '
        f'aria-label="{label}" shape-rendering="crispEdges" '
    )
    return svg.replace("<svg ", f"<svg {attributes}", 1)


def qr_svg_document(url: str, *, title: str) -> str:
    """`qr_svg` as a standalone SVG file (with the SVG namespace), e.g. for `observatory qr`.

    Without the namespace, a `.svg` file opened on its own or in a desktop publishing tool is
    read as plain XML and shows nothing.
    """
    svg = qr_svg(url, title=title)
    return svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1) + "\n"


def qr_png(url: str, scale: int = 10) -> bytes:
    """A PNG of the QR code of `url`, for people who paste it into their own documents.

    `scale` is the size of a module in pixels: 10 gives a ~400 px image for a typical URL, which
    office software inserts at ~10 cm (96 dpi) and which stays sharp when printed at that size.
    Same error level, quiet zone and colours as `qr_svg`.
    """
    buffer = io.BytesIO()
    _symbol(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE, dark=DARK, light=LIGHT)
    return buffer.getvalue()


def poster_context(place_name: str, commune: str, url: str) -> dict[str, str]:
    """The strings of the printable poster (`survey/templates/poster.html`), in plain French.

    The wording is written for people who are not at ease with screens or with reading: short
    sentences, the reassurance (anonymous, under a minute) before the instruction, and a way to
    answer without a phone. `url_display` drops the `https://` prefix: it is what people type,
    and any browser adds it back, while the poster reads better from a distance without it.
    Values are plain text; the template escapes them (place names come from imported data).
    """
    url_display = url.removeprefix("https://")
    # Split before "/r/CODE" so the template can wrap a long address there and keep the code
    # whole: a code cut in two on a poster gets typed wrong.
    cut = url_display.rfind("/r/")
    url_start, url_end = (url_display, "") if cut < 0 else (url_display[:cut], url_display[cut:])
    return {
        "page_title": f"Affiche « Votre avis nous aide » – {place_name}, {commune}",
        "site_name": "Observatoire citoyen de la médiation numérique",
        "title": "Votre avis nous aide",
        "lead": "Donnez votre avis sur l'accompagnement que vous avez reçu",
        "reassurance": "C'est anonyme et cela prend moins d'une minute",
        "scan_instruction": "Scannez ce code avec l'appareil photo de votre téléphone",
        "type_instruction": "ou tapez cette adresse :",
        "url": url,
        "url_display": url_display,
        "url_start": url_start,
        "url_end": url_end,
        "place_name": place_name,
        "commune": commune,
        "alternative": (
            "Vous pouvez aussi demander une tablette ou un formulaire papier à l'équipe."
        ),
        "qr_title": f"Code QR qui ouvre le questionnaire d'avis : {url_display}",
        "print_label": "Imprimer cette affiche",
        "print_help": (
            "Utilisez la commande Imprimer de votre navigateur (Ctrl+P, ou Cmd+P sur Mac). "
            "Choisissez le format A4, en portrait, à l'échelle 100 %."
        ),
    }
