"""QR codes and the printable poster: the printed code must open the right form, for years.

The SVG is checked by decoding it with a small, independent reader written below from
ISO/IEC 18004 (format information, masks, module placement, block interleaving, byte mode), not
by asking segno again: a bug in how we call segno or post-process its SVG would otherwise go
unnoticed until someone scans a poster that is already on a wall.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import segno
from flask import Blueprint, Flask, render_template
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.places.codes import ALPHABET
from observatory.places.qr import (
    PRINT_WIDTH_MM,
    QUIET_ZONE,
    form_url,
    poster_context,
    qr_png,
    qr_svg,
    qr_svg_document,
)

SURVEY = Path(__file__).resolve().parents[3] / "survey"
URL = "https://observatoire.example.fr/r/ABC234"
# Long enough for a version ≥ 7 symbol, whose version information blocks the reader must skip.
LONG_URL = "https://observatoire-mediation-numerique.example.gouv.fr/un/sous/chemin/r/ABCD2345"

# ---------------------------------------------------------------------------------------------
# A minimal QR code reader (versions 1-10, levels M and Q, byte mode, undamaged symbols).

# Centres of the alignment patterns per version (ISO/IEC 18004, annex E).
ALIGNMENT = {
    1: [],
    2: [6, 18],
    3: [6, 22],
    4: [6, 26],
    5: [6, 30],
    6: [6, 34],
    7: [6, 22, 38],
    8: [6, 24, 42],
    9: [6, 26, 46],
    10: [6, 28, 50],
}
# Error correction codewords per block and the (number of blocks, data codewords) groups (table 9).
BLOCKS: dict[tuple[str, int], tuple[int, list[tuple[int, int]]]] = {
    ("M", 1): (10, [(1, 16)]),
    ("M", 2): (16, [(1, 28)]),
    ("M", 3): (26, [(1, 44)]),
    ("M", 4): (18, [(2, 32)]),
    ("M", 5): (24, [(2, 43)]),
    ("M", 6): (16, [(4, 27)]),
    ("M", 7): (18, [(4, 31)]),
    ("M", 8): (22, [(2, 38), (2, 39)]),
    ("M", 9): (22, [(3, 36), (2, 37)]),
    ("M", 10): (26, [(4, 43), (1, 44)]),
    ("Q", 1): (13, [(1, 13)]),
    ("Q", 2): (22, [(1, 22)]),
    ("Q", 3): (18, [(2, 17)]),
    ("Q", 4): (26, [(2, 24)]),
    ("Q", 5): (18, [(2, 15), (2, 16)]),
    ("Q", 6): (24, [(4, 19)]),
    ("Q", 7): (18, [(2, 14), (4, 15)]),
    ("Q", 8): (22, [(4, 18), (2, 19)]),
    ("Q", 9): (20, [(4, 16), (4, 17)]),
    ("Q", 10): (24, [(6, 19), (2, 20)]),
}
LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
# Data masks, x = column, y = row: the module is inverted where the condition holds.
MASKS: list[Callable[[int, int], bool]] = [
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
]


def bch_format(data: int) -> int:
    """The 15 format bits (before the 0x5412 mask) for 5 data bits."""
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return data << 10 | rem


def decode(symbol: list[list[bool]]) -> tuple[str, str, int]:
    """(text, error level, version) of a QR code given as rows of modules, quiet zone removed."""
    size = len(symbol)
    version = (size - 17) // 4
    assert size == 17 + 4 * version and version in ALIGNMENT, f"unsupported size {size}"

    def dark(x: int, y: int) -> int:
        return int(symbol[y][x])

    # Format information, both copies.
    first = [(8, i) for i in range(6)] + [(8, 7), (8, 8), (7, 8)]
    first += [(14 - i, 8) for i in range(9, 15)]
    second = [(size - 1 - i, 8) for i in range(8)] + [(8, size - 15 + i) for i in range(8, 15)]
    copies = [sum(dark(x, y) << i for i, (x, y) in enumerate(cells)) for cells in (first, second)]
    assert copies[0] == copies[1], "the two copies of the format information differ"
    data = (copies[0] ^ 0x5412) >> 10
    assert bch_format(data) ^ 0x5412 == copies[0], "format information fails its BCH check"
    level, mask = LEVELS[data >> 3], MASKS[data & 0b111]
    assert dark(8, size - 8) == 1, "the dark module is missing"

    if version >= 7:
        cells = [(size - 11 + i % 3, i // 3) for i in range(18)]
        assert sum(dark(x, y) << i for i, (x, y) in enumerate(cells)) >> 12 == version
        assert sum(dark(y, x) << i for i, (x, y) in enumerate(cells)) >> 12 == version

    centres = ALIGNMENT[version]
    corners = {(6, 6), (6, centres[-1] if centres else 0), (centres[-1] if centres else 0, 6)}

    def is_function(x: int, y: int) -> bool:
        if x == 6 or y == 6:  # timing patterns
            return True
        if (x <= 8 and y <= 8) or (x >= size - 8 and y <= 8) or (x <= 8 and y >= size - 8):
            return True  # finders, separators, format information, dark module
        if version >= 7 and (
            (size - 11 <= x <= size - 9 and y <= 5) or (size - 11 <= y <= size - 9 and x <= 5)
        ):
            return True  # version information
        return any(
            abs(x - cx) <= 2 and abs(y - cy) <= 2
            for cx in centres
            for cy in centres
            if (cx, cy) not in corners
        )

    bits: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = (right + 1) & 2 == 0
        for vert in range(size):
            y = size - 1 - vert if upward else vert
            for x in (right, right - 1):
                if not is_function(x, y):
                    bits.append(dark(x, y) ^ int(mask(x, y)))
        right -= 2
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]

    ec_per_block, groups = BLOCKS[(level, version)]
    lengths = [n for count, n in groups for _ in range(count)]
    assert len(codewords) == sum(lengths) + ec_per_block * len(lengths)
    blocks: list[list[int]] = [[] for _ in lengths]
    position = 0
    for k in range(max(lengths)):
        for block, length in zip(blocks, lengths, strict=True):
            if k < length:
                block.append(codewords[position])
                position += 1
    stream = "".join(f"{c:08b}" for block in blocks for c in block)

    assert stream[:4] == "0100", f"not byte mode: {stream[:4]}"
    count_bits = 8 if version <= 9 else 16
    count = int(stream[4 : 4 + count_bits], 2)
    start = 4 + count_bits
    payload = bytes(int(stream[start + 8 * i : start + 8 * i + 8], 2) for i in range(count))
    assert stream[start + 8 * count : start + 8 * count + 4] in ("0000", "000", "00", "0", "")
    return payload.decode("utf-8"), level, version


# ---------------------------------------------------------------------------------------------
# Reading our SVG back into modules.

SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_modules(svg: str) -> list[list[bool]]:
    """The modules drawn by a segno SVG (quiet zone included), one row of booleans per line."""
    root = ET.fromstring(svg)
    _, _, width, height = (int(v) for v in root.attrib["viewBox"].split())
    assert width == height
    rows = [[False] * width for _ in range(height)]
    paths = [el for el in root.iter() if el.tag in ("path", f"{SVG_NS}path")]
    (dark_path,) = [p for p in paths if "stroke" in p.attrib]
    assert dark_path.attrib["stroke"] == "#161616"
    (background,) = [p for p in paths if "fill" in p.attrib]
    assert background.attrib["fill"].lower() in ("#fff", "#ffffff")
    assert background.attrib["d"] == f"M0 0h{width}v{height}h-{width}z"
    x = y = 0.0
    for move, dx, dy, length in re.findall(
        r"([Mm])(-?[\d.]+) (-?[\d.]+)h(-?[\d.]+)", dark_path.attrib["d"]
    ):
        x, y = (float(dx), float(dy)) if move == "M" else (x + float(dx), y + float(dy))
        for column in range(int(x), int(x + float(length))):
            rows[int(y)][column] = True
        x += float(length)
    return rows


def read_svg(svg: str) -> tuple[str, str, int]:
    """Decode an SVG from `qr_svg`, after checking its quiet zone is intact."""
    modules = svg_modules(svg)
    size = len(modules)
    border = [
        modules[y][x]
        for y in range(size)
        for x in range(size)
        if min(x, y) < QUIET_ZONE or max(x, y) >= size - QUIET_ZONE
    ]
    assert not any(border), "a dark module sits in the quiet zone"
    inner = [row[QUIET_ZONE : size - QUIET_ZONE] for row in modules[QUIET_ZONE : size - QUIET_ZONE]]
    return decode(inner)


# ---------------------------------------------------------------------------------------------
# form_url


def test_form_url_is_the_short_form_address() -> None:
    assert form_url("https://observatoire.example.fr", "ABC234") == URL
    assert form_url("https://observatoire.example.fr/", "ABC234") == URL
    assert form_url("https://example.fr/obs//", "ABC234") == "https://example.fr/obs/r/ABC234"


# ---------------------------------------------------------------------------------------------
# qr_svg


@pytest.mark.parametrize("error", ["m", "q"])
@pytest.mark.parametrize("version", range(2, 11))
def test_the_reader_agrees_with_segno_on_its_own_symbols(version: int, error: str) -> None:
    # Guards the reader itself: every version and level it supports; the cases cover all 8 masks.
    for mask in (version % 8, (version + 3) % 8):
        qr = segno.make(
            "http://x.fr/r/ABC234", error=error, version=version, mask=mask, boost_error=False
        )
        assert decode([[bool(m) for m in row] for row in qr.matrix]) == (
            "http://x.fr/r/ABC234",
            error.upper(),
            version,
        )


@pytest.mark.parametrize(
    "url",
    [
        URL,
        "http://localhost:8050/r/XYZ789",
        "https://observatoire.example.fr/r/ABCD2345",
        LONG_URL,
    ],
)
def test_svg_decodes_back_to_the_url_at_level_q(url: str) -> None:
    text, level, version = read_svg(qr_svg(url, title="Code QR"))
    assert text == url
    assert level == "Q"  # survives scratches and tape on a poster
    assert version == segno.make(url, error="q", boost_error=False).version


def test_long_urls_need_version_information() -> None:
    # Makes sure the parametrised case above really exercises a version ≥ 7 symbol.
    assert read_svg(qr_svg(LONG_URL, title="Code QR"))[2] >= 7


@settings(max_examples=25, deadline=None)
@given(
    st.text(alphabet=ALPHABET, min_size=6, max_size=8),
    st.sampled_from(["https://observatoire.example.fr", "https://avis.example.gouv.fr/"]),
)
def test_every_place_code_round_trips(code: str, base_url: str) -> None:
    url = form_url(base_url, code)
    assert read_svg(qr_svg(url, title="Code QR"))[0] == url


def test_svg_is_deterministic_and_depends_on_the_url() -> None:
    assert qr_svg(URL, title="Code QR") == qr_svg(URL, title="Code QR")
    other = URL.replace("ABC234", "ABC235")
    assert svg_modules(qr_svg(URL, title="t")) != svg_modules(qr_svg(other, title="t"))


def test_svg_is_inline_accessible_and_print_sized() -> None:
    title = poster_context("Médiathèque", "Poitiers", URL)["qr_title"]
    svg = qr_svg(URL, title=title)
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "xmlns" not in svg
    root = ET.fromstring(svg)
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == title
    assert root.find("title") is not None
    assert root.find("title").text == title  # type: ignore[union-attr]
    assert root.attrib["width"] == root.attrib["height"] == f"{PRINT_WIDTH_MM}mm"
    assert PRINT_WIDTH_MM >= 90  # at least 9 cm printed


def test_svg_escapes_the_title() -> None:
    svg = qr_svg(URL, title='Lieu "A" <script>alert(1)</script> & Cie')
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    assert root.attrib["aria-label"] == 'Lieu "A" <script>alert(1)</script> & Cie'
    assert root.find("title").text == 'Lieu "A" <script>alert(1)</script> & Cie'  # type: ignore[union-attr]


def test_no_url_other_than_the_encoded_one_is_in_the_svg() -> None:
    svg = qr_svg(URL, title=f"Code QR : {URL}")
    assert set(re.findall(r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+", svg, re.IGNORECASE)) == {URL}
    for reference in ("href", "<image", "<script", "url(", "@import", "<foreignObject"):
        assert reference not in svg
    bare = qr_svg(URL, title="Code QR")
    assert "://" not in bare


def test_svg_document_is_a_standalone_svg_file() -> None:
    document = qr_svg_document(URL, title="Code QR")
    assert document.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
    root = ET.fromstring(document)
    assert root.tag == f"{SVG_NS}svg"
    assert read_svg(document)[0] == URL


# ---------------------------------------------------------------------------------------------
# qr_png


def png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_is_a_png_of_the_same_symbol() -> None:
    data = qr_png(URL)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    modules = len(svg_modules(qr_svg(URL, title="t")))  # quiet zone included
    assert png_size(data) == (modules * 10, modules * 10)
    assert png_size(qr_png(URL, scale=4)) == (modules * 4, modules * 4)
    assert qr_png(URL) == qr_png(URL)


# ---------------------------------------------------------------------------------------------
# poster_context and the poster template


def test_poster_context_is_plain_french() -> None:
    context = poster_context("Médiathèque François-Mitterrand", "Poitiers", URL)
    assert context["title"] == "Votre avis nous aide"
    assert context["lead"] == "Donnez votre avis sur l'accompagnement que vous avez reçu"
    assert context["reassurance"] == "C'est anonyme et cela prend moins d'une minute"
    assert context["scan_instruction"] == "Scannez ce code avec l'appareil photo de votre téléphone"
    assert context["type_instruction"] == "ou tapez cette adresse :"
    assert context["alternative"] == (
        "Vous pouvez aussi demander une tablette ou un formulaire papier à l'équipe."
    )
    assert context["url"] == URL
    assert context["url_display"] == "observatoire.example.fr/r/ABC234"
    assert context["url_start"] + context["url_end"] == context["url_display"]
    assert context["url_end"] == "/r/ABC234"
    assert context["place_name"] == "Médiathèque François-Mitterrand"
    assert context["commune"] == "Poitiers"
    assert "Ctrl+P" in context["print_help"]


def test_poster_context_keeps_a_non_https_scheme() -> None:
    # Only https is implied by browsers; a local http address must be typed in full.
    context = poster_context("EPN", "Lens", "http://localhost:8050/r/XYZ789")
    assert context["url_display"] == "http://localhost:8050/r/XYZ789"


@pytest.fixture
def app() -> Flask:
    """A bare app with a blueprint named like the real one, serving the real templates/static."""
    flask_app = Flask(__name__)
    flask_app.register_blueprint(
        Blueprint(
            "survey",
            __name__,
            template_folder=str(SURVEY / "templates"),
            static_folder=str(SURVEY / "static"),
            static_url_path="/static/survey",
        )
    )
    return flask_app


def render_poster(app: Flask, place_name: str, commune: str = "Poitiers", url: str = URL) -> str:
    context = poster_context(place_name, commune, url)
    with app.test_request_context():
        return render_template("poster.html", qr=qr_svg(url, title=context["qr_title"]), **context)


def test_poster_renders_the_place_url_and_qr_code(app: Flask) -> None:
    page = render_poster(app, "Médiathèque François-Mitterrand")
    assert page.startswith("<!doctype html>")
    assert '<html lang="fr"' in page
    assert (
        "<title>Affiche « Votre avis nous aide » – Médiathèque François-Mitterrand, Poitiers"
        "</title>"
    ) in page
    assert f'href="{URL}"' in page
    assert 'observatoire.example.fr<wbr><span class="url-end">/r/ABC234</span>' in page
    assert "Médiathèque François-Mitterrand" in page and "Poitiers" in page
    assert "anonyme" in page
    assert "Scannez ce code" in page and "formulaire papier" in page
    assert page.count("<h1") == 1 and page.count("<main") == 1
    assert 'role="img"' in page and "<title>Code QR" in page  # the SVG, not escaped
    assert read_svg(page[page.index("<svg") : page.index("</svg>") + 6])[0] == URL
    assert 'href="/static/survey/poster.css"' in page
    assert "Imprimer cette affiche" in page and "Ctrl+P" in page


def test_poster_needs_no_script_and_no_third_party(app: Flask) -> None:
    page = render_poster(app, "EPN")
    assert "<script" not in page.lower()
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page)  # no inline event handler
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {URL}


def test_poster_escapes_the_place_name(app: Flask) -> None:
    page = render_poster(app, 'Espace <b>"Numérique"</b> & Cie', "Saint-Denis")
    assert "<b>" not in page
    assert "Espace &lt;b&gt;&#34;Numérique&#34;&lt;/b&gt; &amp; Cie" in page


def test_very_long_place_names_get_the_dense_layout(app: Flask) -> None:
    assert "sheet-dense" not in render_poster(app, "Médiathèque François-Mitterrand")
    assert "sheet-dense" in render_poster(app, "Maison France Services " * 5)


def test_poster_css_is_an_a4_page_without_the_button_in_print(app: Flask) -> None:
    css = (SURVEY / "static" / "poster.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s*{\s*size:\s*A4;\s*margin:\s*15mm;?\s*}", css)
    print_rules = css[css.index("@media print") :]
    assert re.search(r"\.tools\s*{\s*display:\s*none;?\s*}", print_rules)
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    with app.test_client() as client:
        response = client.get("/static/survey/poster.css")
        assert response.status_code == 200
        assert b"@page" in response.data
        response.close()
