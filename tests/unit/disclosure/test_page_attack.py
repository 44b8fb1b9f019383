"""The audit's period attack against the real barometer page: with one month held back, the
all-time total, the 12-month score's n and every shown month used to give the hidden month
back (and score × n its answers). Linear programming over everything the page publishes now
leaves the hidden month a range of at least the protection level."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
from scipy.optimize import linprog
from sqlalchemy.orm import Session, sessionmaker

from dashboards.queries import national_overview
from observatory.aggregation.fold import fold_all_pending
from observatory.config import Settings
from observatory.disclosure.perturbation import MAX_NOISE
from observatory.questionnaires.definitions import builtin
from observatory.responses.service import store_response, validate_answers
from tests.conftest import PlaceFactory

QN = builtin()
PROTECTION = 3  # docs/decisions/0018
LEVELS = 4  # the headline question's levels: the 12-month n sums four perturbed counts


def months_ago(today: dt.date, k: int) -> dt.date:
    month = today.replace(day=1)
    for _ in range(k):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def answer(factory: sessionmaker[Session], place: object, choice: str, day: dt.date) -> None:
    with factory.begin() as session:
        store_response(
            session,
            place=place,  # type: ignore[arg-type]
            questionnaire=QN,
            submission=validate_answers(QN, {"satisfaction": [choice]}),
            channel="qr",
            language="fr",
            idempotency_key=uuid.uuid4().hex,
            day=day,
        )


def test_the_barometer_never_gives_a_hidden_month_back(
    session_factory: sessionmaker[Session], make_place: PlaceFactory, settings: Settings
) -> None:
    today = dt.date.today()
    place = make_place()
    history = {1: ("tres_bien", 40), 2: ("bien", 30), 3: ("pas_bien", 4), 4: ("bien", 25)}
    for back, (choice, count) in history.items():
        for _ in range(count):
            answer(session_factory, place, choice, months_ago(today, back) + dt.timedelta(days=3))
    fold_all_pending(session_factory, today)
    with session_factory() as session:
        page = national_overview(session, QN.headline, settings)
    months = [p for p in page.months if p.month >= months_ago(today, 4)]
    assert len(months) == 4
    hidden = [i for i, p in enumerate(months) if p.answers.suppressed]
    assert hidden, "a month of 4 answers is held back"
    # The attacker's bounds on each month's true count, from what the page shows.
    bounds = [
        (0, settings.k_public - 1 + MAX_NOISE)
        if p.answers.suppressed
        else (max(1, p.answers.n - MAX_NOISE), p.answers.n + MAX_NOISE)
        for p in months
    ]
    rows, upper = [], []
    everything = np.ones(len(months))
    if not page.answers.suppressed:  # the all-time total (the same four months)
        rows += [everything, -everything]
        upper += [page.answers.n + MAX_NOISE, -(page.answers.n - MAX_NOISE)]
    if not page.score_12_months.suppressed:  # the 12-month n: four perturbed level counts
        slack = LEVELS * MAX_NOISE
        rows += [everything, -everything]
        upper += [page.score_12_months.n + slack, -(page.score_12_months.n - slack)]
    for i in hidden:
        objective = np.zeros(len(months))
        objective[i] = 1
        low = linprog(objective, A_ub=rows or None, b_ub=upper or None, bounds=bounds)
        high = linprog(-objective, A_ub=rows or None, b_ub=upper or None, bounds=bounds)
        assert low.status == 0 and high.status == 0
        assert low.fun <= 4 <= -high.fun
        assert -high.fun - low.fun >= PROTECTION
