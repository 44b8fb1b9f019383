"""The free-text scrubber: corpus-driven recall and false positives, cases per kind, properties.

The corpus (tests/data/scrub_corpus.jsonl) holds realistic comments, each with the exact
personal data it contains; texts without any must come back unchanged. docs/scrubbing.md
reports the figures this test measures and explains how to extend the corpus.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from observatory.responses.scrub import PLACEHOLDERS, find_pii, normalise, scrub
from observatory.responses.scrub.evaluation import CORPUS_KINDS, evaluate, load_corpus
from observatory.responses.scrub.text import fold

CORPUS = Path(__file__).resolve().parents[2] / "data" / "scrub_corpus.jsonl"
LANGUAGES = {"fr", "en", "ar", "es", "pt", "uk", "ru"}
MIN_RECALL = 0.95
MIN_LANGUAGE_RECALL = 0.9
MIN_PRECISION = 0.95
MAX_FALSE_POSITIVE_RATE = 0.05

ENTRIES = load_corpus(CORPUS)


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_well_formed() -> None:
    assert len(ENTRIES) >= 600
    clean = [e for e in ENTRIES if not e.pii]
    assert len(clean) >= 200
    kinds = Counter(kind for e in ENTRIES for kind, _ in e.pii)
    assert set(kinds) <= CORPUS_KINDS
    assert all(kinds[k] >= 20 for k in ("email", "phone", "nir", "card", "iban", "address"))
    languages = Counter(e.lang for e in ENTRIES)
    assert set(languages) <= LANGUAGES
    assert all(languages[lang] >= 10 for lang in ("en", "ar", "es", "pt", "uk"))
    for entry in ENTRIES:
        assert len(entry.text) <= 1000
        for kind, value in entry.pii:
            assert value and value in entry.text, (kind, value, entry.text)


def test_recall_per_kind_and_language_precision_and_false_positive_rate(
    record_property: Any,
) -> None:
    report = evaluate(ENTRIES)
    recall = report.recall()
    per_language = report.recall_per_language()
    rate = report.false_positive_rate
    lines = [f"{kind:8} {f:4}/{n:<4} recall {f / n:.3f}" for kind, (f, n) in recall.items()]
    lines += [f"{lang:8} {f:4}/{n:<4} recall {f / n:.3f}" for lang, (f, n) in per_language.items()]
    lines.append(f"clean texts changed: {len(report.changed)}/{report.clean} = {rate:.3f}")
    lines.append(f"precision {report.precision:.3f}")
    print("\n" + "\n".join(lines))
    for kind, (f, n) in recall.items():
        record_property(f"recall_{kind}", round(f / n, 4))
    for lang, (f, n) in per_language.items():
        record_property(f"recall_{lang}", round(f / n, 4))
    record_property("false_positive_rate", round(rate, 4))
    record_property("precision", round(report.precision, 4))
    misses = "\n".join(report.misses)
    assert all(f / n >= MIN_RECALL for f, n in recall.values()), misses
    assert all(f / n >= MIN_LANGUAGE_RECALL for f, n in per_language.values()), misses
    assert report.precision >= MIN_PRECISION
    assert rate <= MAX_FALSE_POSITIVE_RATE, report.changed


# --------------------------------------------------------------------------- cases per kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("écrire à jeanne.martin@example.fr svp", "écrire à [courriel] svp"),
        ("MAIL: JP.DURAND@EXAMPLE.COM", "MAIL: [courriel]"),
        ("mon mail jean at example.fr", "mon mail [courriel]"),
        ("c'est marie arobase example point fr", "c'est [courriel]"),
        ("écrire à paul @ example.org.", "écrire à [courriel]."),
    ],
)
def test_emails(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "number",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "01-23-45-67-89",
        "06/12/34/56/78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "+262 692 12 34 56",
        "+590 690 12 34 56",
        "+594 694 12 34 56",
        "+596 696 12 34 56",
        "0692 12 34 56",
        "06 12 34 5678",
        "06\u00a012\u00a034\u00a056\u00a078",
    ],
)
def test_phones(number: str) -> None:
    assert scrub(f"rappelez-moi au {number} merci") == "rappelez-moi au [téléphone] merci"


@pytest.mark.parametrize(
    "text",
    [
        "le numéro vert 0 800 123 456",
        "appelez le 0800 12 34 56",
        "le service client 09 69 32 15 15",
        "le 3939 ou le 3646",
        "rendez-vous le 12/03/2024 à 14h30",
        "le 06/05 à 10h",
    ],
)
def test_service_numbers_and_dates_are_kept(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    "nir",
    [
        "1 85 05 78 006 084 36",
        "185057800608436",
        "2 85 05 2A 004 012 33",
        "1 60 11 2B 033 108 47",
        "2850578006084",
        "1.85.05.78.006.084.36",
    ],
)
def test_social_security_numbers(nir: str) -> None:
    assert scrub(f"mon numéro de sécu {nir} svp") == "mon numéro de sécu [numéro] svp"


@pytest.mark.parametrize(
    "card",
    ["4970 1012 3456 7890", "4970101234567890", "4970-1012-3456-7890", "3782 822463 10005"],
)
def test_cards(card: str) -> None:
    assert scrub(f"ma carte {card} refusée") == "ma carte [numéro] refusée"


@pytest.mark.parametrize(
    "iban",
    [
        "FR76 3000 6000 0112 3456 7890 189",
        "FR7630006000011234567890189",
        "fr76 3000 6000 0112 3456 7890 189",
        "FR14 2004 1010 0505 0001 3M02 606",
        "FR76 30006 00001 12345678901 89",
        "30006 00001 12345678901 89",
    ],
)
def test_ibans(iban: str) -> None:
    assert scrub(f"mon IBAN {iban} MERCI") == "mon IBAN [iban] MERCI"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j'habite 12 rue des Lilas, 69003 Lyon merci", "j'habite [adresse] merci"),
        ("au 3 bis avenue Jean Jaurès depuis mai", "au [adresse] depuis mai"),
        ("12, rue de la paix appartement 34", "[adresse]"),
        ("lieu-dit La Garenne, pas de bus", "[adresse], pas de bus"),
        ("Résidence Les Tilleuls bât B, 2e étage", "[adresse], 2e étage"),
        ("33 rue du 8 Mai 1945 94200 Ivry sur Seine", "[adresse]"),
        ("j’habite rue des Prés", "j’habite [adresse]"),
    ],
)
def test_addresses(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "la rue est mal éclairée",
        "2 cours par semaine",
        "3 places de parking",
        "les 2 allées du parc",
        "la résidence seniors organise des ateliers",
        "place de la mairie, pas de parking",
    ],
)
def test_street_words_without_an_address_are_kept(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je m'appelle Jeanne Martin et j'ai 80 ans", "je m'appelle [nom] et j'ai 80 ans"),
        ("je m appelle marcel dupuis j'ai 84 ans", "je m appelle [nom] j'ai 84 ans"),
        ("Je m’appelle Yvette", "Je m’appelle [nom]"),
        ("mon nom est Haddad", "mon nom est [nom]"),
        ("moi c'est Dédé, merci", "moi c'est [nom], merci"),
        ("Mme Durand est gentille", "Mme [nom] est gentille"),
        ("M. N'Diaye m'a aidé", "M. [nom] m'a aidé"),
        ("Madame Le Goff", "Madame [nom]"),
        ("MONSIEUR DUPONT NE M'A PAS RAPPELE", "MONSIEUR [nom] NE M'A PAS RAPPELE"),
        ("Signé R. Garnier", "Signé [nom]"),
        ("Merci. Cordialement,\nJeanne Martin", "Merci. Cordialement,\n[nom]"),
        ("merci à Sophie et Karim", "merci à [nom] et [nom]"),
        ("grâce à Claire j'ai compris", "grâce à [nom] j'ai compris"),
        ("la conseillère Bouchra est super", "la conseillère [nom] est super"),
        ("Atelier parfait. Germaine B.", "Atelier parfait. [nom]"),
    ],
)
def test_names(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "M. le maire devrait venir",
        "Mme la directrice était absente",
        "Madame, Monsieur, merci",
        "la madame de l'accueil est gentille",
        "Monsieur le Maire",
        "Merci à toute l'équipe de la médiathèque Louise Michel",
        "l'arrêt Victor Hugo est loin",
        "Grâce à vous j'ai compris",
        "Juste un petit souci",
        "À Saint-Pierre il y a plus de créneaux",
        "Cordialement, une utilisatrice satisfaite",
        "moi c'est pareil",
        "Noël approche",
    ],
)
def test_titles_and_look_alikes_without_a_name_are_kept(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mon numéro allocataire 1234567 ne marche pas",
            "mon numéro allocataire [numéro] ne marche pas",
        ),
        ("n° de passeport 18AB12345", "n° de passeport [numéro]"),
        ("Mot de passe: Soleil2024", "Mot de passe: [secret]"),
        ("le mdp de ma boite c'est chouchou75 merci", "le mdp de ma boite c'est [secret] merci"),
        ("cerfa 15186*03", "cerfa 15186*03"),
        ("mon mot de passe est trop compliqué", "mon mot de passe est trop compliqué"),
    ],
)
def test_identifiers_and_secrets(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_find_pii_reports_kinds_and_offsets() -> None:
    text = "Mme Durand, 06 12 34 56 78, jeanne@example.fr"
    matches = find_pii(text)
    assert [(m.kind, text[m.start : m.end]) for m in matches] == [
        ("name", "Durand"),
        ("phone", "06 12 34 56 78"),
        ("email", "jeanne@example.fr"),
    ]


def test_overlapping_detections_are_merged() -> None:
    # A phone number glued to another one: one span, nothing left behind.
    assert scrub("06 12 34 56 78 07 98 76 54 32") == "[téléphone]"


def test_placeholders_are_readable_french() -> None:
    assert set(PLACEHOLDERS.values()) == {
        "[courriel]",
        "[téléphone]",
        "[numéro]",
        "[adresse]",
        "[nom]",
        "[iban]",
        "[secret]",
    }


def test_long_text_is_handled() -> None:
    filler = "L'atelier était très bien mais un peu court. "
    text = (filler * 22)[:900] + " Mme Durand 06 12 34 56 78"
    assert scrub(text).endswith("Mme [nom] [téléphone]")


# --------------------------------------------------------------------------- properties

# Text shaped like comments: French words, digits, punctuation, odd spaces and apostrophes.
WORDS = st.sampled_from(
    [
        "merci",
        "Madame",
        "M.",
        "rue",
        "avenue",
        "12",
        "06",
        "@",
        "bis",
        "Sophie",
        "je",
        "m'appelle",
        "m’appelle",
        "Cordialement",
        ",",
        ".",
        "\n",
        "\u00a0",
        "FR76",
        "0612345678",
        "de",
        "la",
        "Le",
        "Goff",
        "lieu-dit",
        "Résidence",
        "bât",
        "B",
        "2A",
        "75011",
        "Paris",
        "mdp",
        ":",
        "example.fr",
        "jean",
        "at",
        "arobase",
        "point",
        "+33",
        "(0)",
        "-",
        "1",
        "[nom]",
        "[téléphone]",
        "numéro",
        "allocataire",
        "ÉLODIE",
        "Jean-Pierre",
        "x",
    ]
)
COMMENTS = st.lists(WORDS, max_size=60).map(" ".join) | st.text(max_size=1000)


@settings(max_examples=400, deadline=None)
@given(COMMENTS)
@example("Mot de passe: Soleil2024")
@example("06 12 34 56 78 07 98 76 54 32 01")
def test_scrub_is_idempotent_and_never_raises(text: str) -> None:
    once = scrub(text)
    assert scrub(once) == once


@settings(max_examples=300, deadline=None)
@given(COMMENTS)
def test_output_length_is_bounded(text: str) -> None:
    # Every replaced span is at least 2 characters long and a placeholder at most 11.
    assert len(scrub(text)) <= max(3 * len(text.strip()), 0)


# Every trigger (titles, "je m'appelle", "signé", closers, street types, labels, known first
# names, "at"/"arobase") contains a Latin vowel once folded: text whose characters fold to no
# Latin vowel, digit or "@" cannot contain one, whatever else it holds (other scripts, symbols,
# odd spaces). Folding is the scrubber's own, so "Ē" or "Ⓐ" (which read as vowels) are excluded;
# a hand-written list of accented vowels once let "LĒĀ" (read "Léa") through.
def _cannot_trigger(character: str) -> bool:
    return not set(fold(character)) & set("aeiouy@0123456789")


NO_TRIGGER_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Nd", "Cs")).filter(_cannot_trigger),
    max_size=400,
)


@settings(max_examples=400, deadline=None)
@given(NO_TRIGGER_TEXT)
def test_text_without_digits_at_or_trigger_is_unchanged(text: str) -> None:
    # Unchanged once normalised (NFKC, no invisible characters): that is what is stored.
    assert scrub(text) == normalise(text).strip()


NAME_FREE_WORDS = st.sampled_from(
    [
        "atelier",
        "très",
        "bien",
        "mais",
        "trop",
        "court",
        "la",
        "salle",
        "est",
        "froide",
        "il",
        "faudrait",
        "plus",
        "de",
        "créneaux",
        "le",
        "samedi",
        "merci",
        "à",
        "l'équipe",
        "ordinateur",
        "lent",
        "imprimante",
        "en",
        "panne",
        "rue",
        "place",
        "France",
        "Services",
        "Pôle",
        "emploi",
        "CAF",
        "Madame",
        "Monsieur",
        "M.",
        "Mme",
        "maire",
        "directrice",
        "accueil",
        ",",
        ".",
        "!",
        "?",
        "\n",
        "impots.gouv.fr",
        "attente",
        "Windows",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(NAME_FREE_WORDS, max_size=40).map(" ".join))
def test_comments_without_personal_data_are_unchanged(text: str) -> None:
    # No digit, no @, no name: titles, street words and institutions alone change nothing.
    assert scrub(text) == text.strip()


def phone_numbers() -> st.SearchStrategy[str]:
    digits = st.text(alphabet="0123456789", min_size=8, max_size=8)
    sep = st.sampled_from(["", " ", ".", "-"])
    prefix = st.sampled_from(["01", "02", "03", "04", "05", "06", "07", "09"])

    def build(p: str, d: str, s: str) -> str:
        return p + s + s.join(d[i : i + 2] for i in range(0, 8, 2))

    national = st.builds(build, prefix, digits, sep)
    return national.filter(
        lambda n: not n.replace(" ", "").replace(".", "").replace("-", "").startswith("0969")
    )


@settings(max_examples=300, deadline=None)
@given(
    phone_numbers(),
    st.sampled_from(["Rappelez-moi au {} svp", "{}", "tel: {}.", "MON NUMERO {} MERCI"]),
)
def test_generated_phone_numbers_are_removed(number: str, template: str) -> None:
    text = template.format(number)
    output = scrub(text)
    assert number not in output and "[téléphone]" in output


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9._-]{0,15}[a-z0-9]@[a-z]{2,10}\.(fr|com|org|net)", fullmatch=True),
    st.sampled_from(["mon mail {} merci", "{}", "Écrivez à {}.", "({})"]),
)
def test_generated_emails_are_removed(address: str, template: str) -> None:
    output = scrub(template.format(address))
    assert address not in output and "[courriel]" in output


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=13, max_size=19),
    st.sampled_from(["", " "]),
)
def test_generated_long_numbers_are_removed(digits: str, sep: str) -> None:
    number = sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    output = scrub(f"ma carte {number} est bloquée")
    assert not any(c.isdigit() for c in output)
