"""Keywords of open comments: stems, stop words, placeholders, and "shown only above k"."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
import pytest
import snowballstemmer
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.keywords import (
    COLUMNS,
    Keyword,
    extract_keywords,
    stop_words,
    team_keywords,
)
from observatory.places.models import Place, TeamPlace
from observatory.responses.models import FLAG_BURST, Response
from observatory.responses.scrub import PLACEHOLDERS
from tests.conftest import PlaceFactory
from tests.unit.aggregation.test_fold import answer

STEMMER = snowballstemmer.stemmer("french")


def comments(*texts: str, group: object = "équipe 1 / 2026-01") -> pd.DataFrame:
    return pd.DataFrame({"group": [group] * len(texts), "text": list(texts)})


def found(frame: pd.DataFrame, min_comments: int, top: int = 15) -> dict[str, int]:
    """word → comments, for tests about a single group."""
    result = extract_keywords(frame, min_comments, top)
    return dict(zip(result["word"], result["comments"], strict=True))


def test_singular_and_plural_share_one_stem_and_the_most_used_spelling() -> None:
    frame = comments(
        "Les horaires sont trop courts",
        "Des horaires plus larges",
        "Un horaire le samedi",
    )
    result = extract_keywords(frame, min_comments=3)
    assert result.to_dict("records") == [
        {"group": "équipe 1 / 2026-01", "stem": "horair", "word": "horaires", "comments": 3}
    ]


def test_spelling_ties_are_broken_alphabetically() -> None:
    frame = comments("horaires", "horaire", "Horaire", "HORAIRES")
    assert found(frame, 4) == {"horaire": 4}


def test_stop_words_placeholders_digits_and_short_words_are_dropped() -> None:
    frame = comments(
        "Rien, très bien, merci [nom] au 3ème étage à 18h",
        "Très bien merci, [téléphone] ou [courriel] ok",
        "Merci, tout était très bien [numéro] [adresse] étage",
    )
    assert found(frame, 1) == {"étage": 2}


def test_a_placeholder_is_dropped_but_the_same_word_written_by_someone_is_kept() -> None:
    frame = comments("[téléphone] [nom]", "le téléphone sonne", "mon téléphone")
    assert found(frame, 1) == {"téléphone": 2, "sonne": 1}


def test_every_placeholder_of_the_scrubber_is_dropped() -> None:
    frame = comments(*[" ".join(sorted(set(PLACEHOLDERS.values())))] * 5)
    assert extract_keywords(frame, 1).empty


def test_a_word_in_four_of_ten_comments_is_hidden_at_k5_and_shown_at_k4() -> None:
    frame = comments(*(["L'imprimante ne marche pas"] * 4 + ["Trop d'attente"] * 6))
    assert found(frame, 5) == {"attente": 6}
    assert found(frame, 4) == {"attente": 6, "imprimante": 4, "marche": 4}


def test_a_word_repeated_in_one_comment_counts_once() -> None:
    frame = comments(
        "attente attente attente attente attente",
        *["Le wifi ne marchait pas"] * 4,
    )
    assert found(frame, 1)["attente"] == 1
    assert "attente" not in found(frame, 2)


def test_a_group_with_fewer_than_k_comments_yields_nothing() -> None:
    k = 5
    frame = comments(*["Les horaires sont trop courts"] * (k - 1))
    assert extract_keywords(frame, k).empty
    assert found(comments(*["Les horaires sont trop courts"] * k), k) == {
        "horaires": k,
        "courts": k,
    }


def test_a_group_reaches_k_with_comments_that_have_no_keyword() -> None:
    """The group threshold counts comments, not comments with keywords."""
    frame = comments("horaires", "horaires", "merci", "[nom]", "")
    assert found(frame, 2) == {"horaires": 2}


def test_output_is_sorted_and_does_not_depend_on_input_order() -> None:
    rows = [
        ("b", "attente horaires"),
        ("a", "wifi attente"),
        ("b", "attente imprimante"),
        ("a", "wifi imprimante"),
        ("b", "horaires imprimante"),
        ("a", "wifi attente"),
    ]
    frame = pd.DataFrame(rows, columns=["group", "text"])
    result = extract_keywords(frame, 2)
    assert list(result.columns) == COLUMNS
    assert list(result.itertuples(index=False, name=None)) == [
        ("a", "wif", "wifi", 3),
        ("a", "attent", "attente", 2),
        ("b", "attent", "attente", 2),
        ("b", "horair", "horaires", 2),
        ("b", "imprim", "imprimante", 2),
    ]
    for seed in range(5):
        shuffled = frame.sample(frac=1, random_state=seed)
        pd.testing.assert_frame_equal(extract_keywords(shuffled, 2), result)


def test_tuple_groups_and_top() -> None:
    frame = pd.concat(
        [
            comments("attente horaires wifi", "attente horaires", "attente", group=(2, "2026-01")),
            comments("wifi", "wifi", group=(1, "2026-02")),
        ]
    )
    result = extract_keywords(frame, 2, top=1)
    assert list(result.itertuples(index=False, name=None)) == [
        ((1, "2026-02"), "wif", "wifi", 2),
        ((2, "2026-01"), "attent", "attente", 3),
    ]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u02bc"])
def test_apostrophes_split_elided_articles(apostrophe: str) -> None:
    frame = comments(
        *[f"L{apostrophe}accueil et l{apostrophe}attente d{apostrophe}aujourd'hui"] * 2
    )
    assert found(frame, 2) == {"accueil": 2, "attente": 2}


def test_accented_words_stay_whole_whatever_their_unicode_form() -> None:
    composed = "Le débit de la médiathèque"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert found(comments(composed, decomposed), 2) == {"débit": 2, "médiathèque": 2}


def test_hyphenated_words_stay_whole() -> None:
    frame = comments("Pouvoir prendre rendez-vous", "Un rendez-vous trop tard, peut-être")
    assert found(frame, 2) == {"rendez-vous": 2}


def test_empty_input_and_missing_texts() -> None:
    empty = extract_keywords(pd.DataFrame({"group": [], "text": []}), 5)
    assert empty.empty and list(empty.columns) == COLUMNS
    frame = pd.DataFrame({"group": [1, 1], "text": [None, "horaires"]})
    assert found(frame, 1) == {"horaires": 1}


def test_invalid_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="min_comments"):
        extract_keywords(comments("horaires"), 0)


def test_stop_words_are_lower_case_and_keep_content_words() -> None:
    words = stop_words()
    assert {"très", "bien", "merci", "rien", "tout", "était", "avec"} <= words
    assert not {"attente", "horaires", "imprimante", "accueil", "rendez-vous"} & words
    assert all(w == w.lower() and w.strip() == w for w in words)


# --- Property: counts are exact and nothing below the threshold comes out --------------------

# Each fragment with the words it contributes once tokenised (lower case, stop words,
# placeholders, digits and short words removed): an oracle independent of the regexes.
FRAGMENTS: dict[str, tuple[str, ...]] = {
    "horaires": ("horaires",),
    "Horaire": ("horaire",),
    "l'attente": ("attente",),
    "d\u2019attente": ("attente",),
    "attendre": ("attendre",),
    "imprimantes": ("imprimantes",),
    "L'IMPRIMANTE": ("imprimante",),
    "écran": ("écran",),
    "rendez-vous": ("rendez-vous",),
    "wifi": ("wifi",),
    "téléphone": ("téléphone",),
    "très": (),
    "bien": (),
    "merci": (),
    "le": (),
    "ok": (),
    "18h": (),
    "2ème": (),
    "[nom]": (),
    "[téléphone]": (),
    "[numéro]": (),
}
GROUPS = ("équipe 1 / 2026-01", "équipe 1 / 2026-02", "équipe 2 / 2026-01")

comment_strategy = st.tuples(
    st.sampled_from(GROUPS),
    st.lists(st.sampled_from(sorted(FRAGMENTS)), max_size=8),
    st.sampled_from([" ", ", ", ". ", " ! "]),
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(comment_strategy, max_size=40),
    min_comments=st.integers(min_value=1, max_value=6),
)
def test_every_keyword_rests_on_at_least_min_comments_and_counts_them_exactly(
    rows: list[tuple[str, list[str], str]], min_comments: int
) -> None:
    frame = pd.DataFrame(
        [(group, sep.join(fragments)) for group, fragments, sep in rows],
        columns=["group", "text"],
    )
    sizes: dict[str, int] = {}
    truth: dict[tuple[str, str], int] = {}
    spellings: dict[str, set[str]] = {}
    for group, fragments, _ in rows:
        sizes[group] = sizes.get(group, 0) + 1
        words = {w for f in fragments for w in FRAGMENTS[f]}
        for stem in {STEMMER.stemWord(w) for w in words}:
            truth[group, stem] = truth.get((group, stem), 0) + 1
        for w in words:
            spellings.setdefault(STEMMER.stemWord(w), set()).add(w)

    result = extract_keywords(frame, min_comments, top=1000)

    for row in result.itertuples(index=False):
        assert sizes[row.group] >= min_comments
        assert row.comments >= min_comments
        assert row.comments == truth[row.group, row.stem]
        assert row.word in spellings[row.stem]
    expected = {
        key for key, n in truth.items() if n >= min_comments and sizes[key[0]] >= min_comments
    }
    assert set(zip(result["group"], result["stem"], strict=True)) == expected
    order = sorted(result.itertuples(index=False, name=None), key=lambda r: (r[0], -r[3], r[2]))
    assert list(result.itertuples(index=False, name=None)) == order


# --- On the database --------------------------------------------------------------------------


def team_of(factory: sessionmaker[Session], place: Place) -> int:
    with factory() as session:
        team = session.scalar(select(TeamPlace.team_id).where(TeamPlace.place_id == place.id))
    assert team is not None
    return team


def test_team_keywords_reads_only_the_teams_unflagged_comments_of_the_period(
    session: Session, session_factory: sessionmaker[Session], make_place: PlaceFactory
) -> None:
    ours, theirs = make_place(), make_place()
    january, february = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    for day in (january, dt.date(2026, 1, 15), dt.date(2026, 1, 31)):
        answer(session_factory, ours, day=day, amelioration=["Les horaires sont trop courts"])
    answer(session_factory, ours, day=february, amelioration=["Les horaires, encore"])
    answer(session_factory, ours, day=dt.date(2025, 12, 31), amelioration=["horaires"])
    answer(session_factory, ours, day=january, amelioration=["horaires"])
    with session_factory.begin() as s:
        last = s.scalar(select(func.max(Response.seq)))
        s.execute(update(Response).where(Response.seq == last).values(flags=FLAG_BURST))
    for _ in range(3):
        answer(session_factory, theirs, day=january, amelioration=["Les horaires"])
    answer(session_factory, ours, day=january)  # no comment at all

    team = team_of(session_factory, ours)
    assert team_keywords(session, team, january, february, k=3) == [
        Keyword(word="courts", stem="court", comments=3),
        Keyword(word="horaires", stem="horair", comments=3),
    ]
    # Three comments in the period: below k = 4 the team sees no keyword at all.
    assert team_keywords(session, team, january, february, k=4) == []
    assert team_keywords(session, team, january, february, k=3, top=1) == [
        Keyword(word="courts", stem="court", comments=3)
    ]
