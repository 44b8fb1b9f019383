"""The barometer's scores switch like the methodology says (issue 11, item 2): the bootstrap
below 30 answers, t from 30, the all-equal rule, from the counts of each level; and the public
sees them through the cell key method (perturbed level counts, docs/decisions/0018)."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from dashboards.queries import _score, national_overview
from observatory.aggregation.fold import fold_all_pending
from observatory.aggregation.stats import BOOTSTRAP_BELOW, score_0_10_from_levels
from observatory.config import Settings
from observatory.disclosure import Audience
from observatory.disclosure.figures import Rules
from observatory.disclosure.perturbation import MAX_NOISE, perturbation_table
from observatory.questionnaires.definitions import builtin
from tests.conftest import PlaceFactory, send_answers

HEADLINE = builtin().headline
LEVEL = {o.code: o.level for o in HEADLINE.options}
assert HEADLINE.max_level is not None
TOP: int = HEADLINE.max_level
SETTINGS = Settings(secret_key="x" * 40)
EXACT = Rules.for_audience(Audience.TEAM, SETTINGS)
PUBLIC = Rules.for_audience(Audience.PUBLIC, SETTINGS)


def options(counts: dict[str, int], key: int = 12345) -> dict[str, tuple[int, int]]:
    return {code: (count, key + i) for i, (code, count) in enumerate(counts.items())}


def by_level(counts: dict[str, int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for code, count in counts.items():
        level = LEVEL[code]
        assert level is not None
        out[level] = out.get(level, 0) + count
    return out


def test_a_small_score_is_bootstrapped_from_the_level_counts() -> None:
    counts = {"tres_bien": 8, "pas_bien": 2, "bien": 2}
    shown = _score(HEADLINE, options(counts), EXACT)
    assert shown.value == score_0_10_from_levels(by_level(counts), TOP)
    assert shown.n == 12


def test_t_from_30_answers_and_the_all_equal_rule() -> None:
    large = {"tres_bien": BOOTSTRAP_BELOW - 5, "bien": 5}
    assert _score(HEADLINE, options(large), EXACT).value == score_0_10_from_levels(
        by_level(large), TOP
    )
    same = _score(HEADLINE, options({"tres_bien": 11}), EXACT).value
    assert same is not None and same.value == 10.0 and same.high == 10.0 and same.low < 10.0
    # The public never sees a score from 11 identical answers (dominance rule).
    assert _score(HEADLINE, options({"tres_bien": 11}), PUBLIC).suppressed


def test_options_without_a_level_are_left_out_of_the_score() -> None:
    counts = {"tres_bien": 6, "bien": 6}
    odd = {**options(counts), "excellent": (1, 99)}  # another questionnaire version's option
    assert _score(HEADLINE, odd, EXACT).value == score_0_10_from_levels(by_level(counts), TOP)


def test_the_public_score_comes_from_perturbed_level_counts() -> None:
    counts = {"tres_bien": 60, "bien": 25, "pas_tres_bien": 10, "pas_bien": 5}
    table = perturbation_table()
    published = _score(HEADLINE, options(counts), PUBLIC)
    perturbed = {code: table.perturb(c, k) for code, (c, k) in options(counts).items()}
    assert published.value == score_0_10_from_levels(by_level(perturbed), TOP)
    assert abs(published.n - 100) <= 4 * MAX_NOISE


def test_national_overview_publishes_perturbed_figures_the_same_way_every_time(
    client: FlaskClient,
    make_place: PlaceFactory,
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    place = make_place()
    answers = {"tres_bien": 9, "bien": 4, "pas_bien": 3}
    for choice, count in answers.items():
        for _ in range(count):
            assert send_answers(client, place.code, {"satisfaction": choice}).status_code == 303
    fold_all_pending(session_factory, dt.date.today())
    with session_factory() as session:
        first = national_overview(session, HEADLINE, settings)
    with session_factory() as session:
        again = national_overview(session, HEADLINE, settings)
    assert first == again  # same cells, same published values: asking again teaches nothing
    if not first.answers.suppressed:
        assert abs(first.answers.n - 16) <= MAX_NOISE
