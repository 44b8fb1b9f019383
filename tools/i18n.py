"""Message catalogues of the form: extract French source strings, update the .po files.

python tools/i18n.py extract  # messages.pot from templates, code and questionnaires
python tools/i18n.py update   # create or merge survey/translations/<lang>.po
python tools/i18n.py check    # exit 1 if the .pot is out of date or a translation is missing
python tools/i18n.py fill F   # add translations from a JSON file {msgid: {lang: text}}
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "survey" / "translations"
POT = TRANSLATIONS / "messages.pot"
QUESTIONNAIRES = ROOT / "observatory" / "questionnaires" / "data"
TARGETS = ("en", "ar", "es", "pt", "uk")
METHODS = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
KEYWORDS = {"_": None, "N_": None, "gettext": None}


def build_catalog() -> Catalog:
    """Every string a citizen can read, with where it comes from."""
    catalog = Catalog(project="observatoire", locale=None, charset="utf-8")
    for package in ("survey", "dashboards"):
        folder = ROOT / package
        for filename, lineno, message, comments, _context in extract_from_dir(
            str(folder), METHODS, OPTIONS, KEYWORDS, comment_tags=("Translators:",)
        ):
            where = [(f"{package}/{filename}", lineno)]
            catalog.add(message, locations=where, auto_comments=comments)
    for path in sorted(QUESTIONNAIRES.glob("v*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        where = f"observatory/questionnaires/data/{path.name}"
        catalog.add(data["title"], locations=[(where, 0)])
        for question in data["questions"]:
            for text in (question["label"], question.get("hint")):
                if text:
                    catalog.add(text, locations=[(where, 0)], auto_comments=[question["id"]])
            for option in question.get("options", ()):
                catalog.add(option["label"], locations=[(where, 0)], auto_comments=[question["id"]])
    return catalog


def _pot_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, omit_header=True, sort_output=True, width=100)
    return out.getvalue()


def extract() -> None:
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(_pot_bytes(build_catalog()))


def update() -> None:
    template = read_po(POT.open("rb"))
    for code in TARGETS:
        path = TRANSLATIONS / f"{code}.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=code)
        else:
            catalog = Catalog(locale=code, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        out = io.BytesIO()
        write_po(out, catalog, omit_header=False, sort_output=True, width=100, ignore_obsolete=True)
        path.write_bytes(out.getvalue())


def fill(path: Path) -> None:
    """Add translations (given as {msgid: {lang: text}}) where a catalogue has none yet."""
    given: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    for code in TARGETS:
        po = TRANSLATIONS / f"{code}.po"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        for message in catalog:
            if message.id in given and not message.string and code in given[message.id]:
                message.string = given[message.id][code]
                message.flags.discard("fuzzy")
        out = io.BytesIO()
        write_po(out, catalog, omit_header=False, sort_output=True, width=100, ignore_obsolete=True)
        po.write_bytes(out.getvalue())


def problems() -> list[str]:
    """Why the catalogues are not ready (empty when they are)."""
    found = []
    if not POT.exists() or POT.read_bytes() != _pot_bytes(build_catalog()):
        found.append("messages.pot is out of date: run `python tools/i18n.py extract update`")
    wanted = {m.id for m in build_catalog() if m.id}
    for code in TARGETS:
        path = TRANSLATIONS / f"{code}.po"
        if not path.exists():
            found.append(f"{code}.po is missing")
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        done = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        missing = sorted(str(m) for m in wanted - done)
        if missing:
            found.append(f"{code}.po lacks {len(missing)} translations, e.g. {missing[:3]}")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["fill"] and len(argv) == 2:
        fill(Path(argv[1]))
        return 0
    for command in argv or ["check"]:
        if command == "extract":
            extract()
        elif command == "update":
            update()
        elif command == "check":
            issues = problems()
            for issue in issues:
                print(issue)
            return 1 if issues else 0
        else:
            print(__doc__)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
