"""Synthetic but realistic responses to a questionnaire (pure, seeded, vectorised)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from observatory.demo import wordbanks as wb
from observatory.questionnaires.definitions import Question, Questionnaire

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

CHANNELS: tuple[str, ...] = ("qr", "kiosk", "paper", "assisted")
LANGUAGES: tuple[str, ...] = ("en", "ar", "es", "pt", "uk")

# Relative volume by calendar month: August and the end-of-year holidays are quiet, the income
# tax declaration (mid-April to early June) fills the places.
SEASON = np.array([0.95, 1.0, 1.1, 1.5, 1.4, 1.1, 0.8, 0.45, 1.0, 1.05, 1.0, 0.9])
WEEKDAY = np.array([0.85, 1.0, 1.0, 1.0, 1.0, 0.45, 0.0])  # Monday … Sunday (closed)
GROWTH = 1.25  # volume at the end of the window relative to its start
# Target answer shares, best level first, and how closely each item follows the latent
# satisfaction of the respondent (1 = it is the latent satisfaction).
SHARES: dict[str, tuple[float, ...]] = {
    "satisfaction": (0.52, 0.29, 0.12, 0.07),
    "objectif": (0.68, 0.24, 0.08),
    "autonomie": (0.36, 0.46, 0.18),
    "accueil": (0.64, 0.28, 0.06, 0.02),
    "recommandation": (0.80, 0.14, 0.06),
    "age": (0.08, 0.20, 0.27, 0.25, 0.20),
    "premiere_visite": (0.35, 0.65),
}
LOADING: dict[str, float] = {
    "objectif": 0.75,
    "autonomie": 0.4,
    "accueil": 0.7,
    "recommandation": 0.75,
}
AUTONOMY_BY_AGE = (0.45, 0.3, 0.05, -0.2, -0.45)  # in the order of SHARES["age"]
SKIP: dict[str, float] = {"objectif": 0.05, "autonomie": 0.07, "motif": 0.09, "accueil": 0.05,
                          "recommandation": 0.06, "age": 0.2, "premiere_visite": 0.15}  # fmt: skip
SKIP_BY_CHANNEL = np.array([1.0, 0.9, 1.6, 0.4])  # qr, kiosk, paper, assisted (read aloud)
BREAKOFF_BY_CHANNEL = np.array([0.09, 0.06, 0.04, 0.01])
MOTIF_WEIGHT: dict[str, float] = {
    "demarches": 3.0, "outils_quotidien": 2.5, "insertion_pro": 0.8, "securite": 0.8,
    "parentalite": 0.4, "loisirs": 0.5, "comprendre": 0.6, "acces_materiel": 1.2,
    "achat_materiel": 0.3,
}  # fmt: skip
COMMENT_RATE = np.array([0.035, 0.06, 0.14, 0.2])  # by satisfaction level, best first
COMMENT_TONE = np.array(
    [[0.75, 0.25, 0.0], [0.3, 0.55, 0.15], [0.0, 0.35, 0.65], [0.0, 0.15, 0.85]]
)


@dataclass(frozen=True)
class SyntheticResponses:
    """Responses, their option answers and their free-text comments, joined on `row`."""

    responses: pd.DataFrame
    answers: pd.DataFrame
    comments: pd.DataFrame


def synthetic_responses(  # noqa: PLR0917 (the agreed public signature)
    places: pd.DataFrame,
    questionnaire: Questionnaire,
    n_responses: int,
    end_month: dt.date,
    months: int = 24,
    seed: int = 0,
) -> SyntheticResponses:
    """`n_responses` answers with the structure a dashboard must reveal, generated set-wise.

    Volume: lognormal place activity x season x weekday x slow growth, some places joining
    during the window. Answers: one latent satisfaction per response (place, département,
    busy-city, channel and season effects) that the ordinal items follow, item non-response and
    break-off by channel, motifs drawn from the services of the place. Rows are in day order.
    """
    rng = np.random.default_rng(seed)
    if n_responses and places.empty:
        raise ValueError("synthetic responses need at least one place")
    days, day_weight = _calendar(end_month, months)
    who = _respondents(places.reset_index(drop=True), int(n_responses), days, day_weight, rng)
    answers, reached_text = _answers(questionnaire, rng, who, places.reset_index(drop=True))
    responses = pd.DataFrame(
        {
            "row": np.arange(len(who.place)),
            "place_id": places["place_id"].to_numpy()[who.place],
            "day": days.astype(object)[who.day],
            "channel": np.array(CHANNELS)[who.channel],
            "language": who.language,
        }
    )
    level = _ordinal(who.latent, SHARES["satisfaction"])
    comments = _comments(questionnaire, rng, level, reached_text)
    return SyntheticResponses(responses=responses, answers=answers, comments=comments)


@dataclass(frozen=True)
class _Respondents:
    """Per-response arrays (positions into the places frame and the calendar), in day order."""

    place: IntArray
    day: IntArray
    channel: IntArray
    language: np.ndarray[Any, np.dtype[np.str_]]
    age: IntArray
    first_visit: BoolArray
    tax_season: BoolArray
    latent: FloatArray


def _respondents(
    places: pd.DataFrame,
    n: int,
    days: np.ndarray[Any, np.dtype[np.datetime64]],
    day_weight: FloatArray,
    rng: np.random.Generator,
) -> _Respondents:
    """Where and when each response happens, who gives it, and how satisfied they are."""
    n_places = len(places)
    pop = places["population"].fillna(0).to_numpy(dtype=float).clip(min=1.0)
    activity = rng.lognormal(0.0, 1.1, n_places) * pop**0.15
    cdf = np.cumsum(day_weight) / day_weight.sum()
    # A fifth of the places join during the window; a place's days follow the calendar weights.
    joins_late = rng.random(n_places) < 0.2
    start = np.where(joins_late, rng.integers(0, int(len(days) * 0.75) + 1, n_places), 0)
    before = np.where(start > 0, cdf[np.maximum(start - 1, 0)], 0.0)
    p_place = activity * (1.0 - before)
    place = rng.choice(n_places, size=n, p=p_place / p_place.sum()) if n else np.zeros(0, int)
    u = before[place] + rng.random(n) * (1.0 - before[place])
    day = np.minimum(np.searchsorted(cdf, u, side="left"), len(days) - 1)
    order = np.lexsort((place, day))
    place, day = place[order].astype(np.int64), day[order].astype(np.int64)
    month = days.astype("datetime64[M]").astype(np.int64)[day] % 12 + 1
    tax_season = (month == 4) | (month == 5)

    age = _draw(rng, n, SHARES["age"])
    senior = age >= 3
    logit = np.log([1.0, 0.9, 0.35, 0.25]) + rng.normal(0, 0.4, (n_places, 4))
    logit[:, 1] = np.where(rng.random(n_places) < 0.45, logit[:, 1], -np.inf)  # has a kiosk
    tilt = np.where(senior[:, None], [-0.5, 0.0, 0.6, 0.5], [0.3, 0.0, -0.3, -0.2])
    channel = np.argmax(logit[place] + tilt + rng.gumbel(size=(n, 4)), axis=1).astype(np.int64)
    foreign = rng.random(n) < 0.03 + 0.07 * (pop[place] >= 50_000) + 0.02 * ~senior
    other = np.array(LANGUAGES)[_draw(rng, n, (0.2, 0.3, 0.1, 0.15, 0.25))]
    language = np.where(foreign, other, "fr")

    busiest = np.quantile(activity, 0.9) if n_places else 0.0
    busy_city = (activity >= busiest) & (pop >= 20_000)
    place_effect = rng.normal(0, 0.35, n_places) - 0.3 * busy_city
    _, dep = np.unique(places["departement_code"].astype(str).to_numpy(), return_inverse=True)
    dep_effect = rng.normal(0, 0.2, int(dep.max()) + 1 if n_places else 0)
    channel_effect = np.array([-0.05, 0.05, 0.0, 0.15])  # read aloud by a mediator: kinder
    latent = (
        place_effect[place]
        + dep_effect[dep[place]]
        + channel_effect[channel]
        + 0.15 * day / max(len(days) - 1, 1)  # teams improve a little over two years
        - 0.12 * tax_season  # crowded weeks
        + rng.standard_normal(n)
    )
    latent = (latent - latent.mean()) / (latent.std() or 1.0) if n else latent
    first_visit = _draw(rng, n, SHARES["premiere_visite"]) == 0
    return _Respondents(place, day, channel, language, age, first_visit, tax_season, latent)


def _answers(
    questionnaire: Questionnaire, rng: np.random.Generator, who: _Respondents, places: pd.DataFrame
) -> tuple[pd.DataFrame, BoolArray]:
    """Option answers, one question at a time over all responses (a loop over ~9 questions).

    Also says which responses reached the free-text question (break-off stops everything after).
    """
    n, questions = len(who.latent), questionnaire.questions
    breaks = rng.random(n) < BREAKOFF_BY_CHANNEL[who.channel]
    stop = np.where(breaks, rng.integers(1, len(questions), n), len(questions))
    rows: list[IntArray] = []
    qids: list[str] = []
    codes: list[np.ndarray[Any, np.dtype[np.object_]]] = []
    reached_text: BoolArray | None = None
    for pos, q in enumerate(questions):
        reached = stop > pos
        if q.kind == "text":
            reached_text = reached if reached_text is None else reached_text
            continue
        skip = SKIP.get(q.id, 0.08) * SKIP_BY_CHANNEL[who.channel]
        answered = np.ones(n, dtype=bool) if pos == 0 else reached & (rng.random(n) >= skip)
        if q.kind == "multiple":
            q_rows, chosen = _motifs(q, rng, np.flatnonzero(answered), who, places)
        else:
            q_rows = np.flatnonzero(answered)
            chosen = _single(q, rng, who, headline=pos == 0)[q_rows]
        rows.append(q_rows)
        qids.append(q.id)
        codes.append(np.array([o.code for o in q.options], dtype=object)[chosen])
    all_rows = np.concatenate(rows)
    order = np.argsort(all_rows, kind="stable")
    question = np.repeat(np.array(qids, dtype=object), [len(r) for r in rows])
    frame = pd.DataFrame(
        {
            "row": all_rows[order],
            "question": question[order],
            "option": np.concatenate(codes)[order],
        }
    )
    return frame, reached_text if reached_text is not None else np.zeros(n, dtype=bool)


def _single(
    q: Question, rng: np.random.Generator, who: _Respondents, *, headline: bool
) -> IntArray:
    """Option index per response: ordinal items follow the latent satisfaction."""
    n, k = len(who.latent), len(q.options)
    shares = SHARES.get(q.id, ())
    if not q.scored:
        known = {"age": who.age, "premiere_visite": np.where(who.first_visit, 0, 1)}
        if q.id in known and len(shares) == k:
            return known[q.id].astype(np.int64)
        return rng.integers(0, k, n)
    if len(shares) != k:
        shares = tuple(np.full(k, 1.0 / k))
    y = who.latent
    if not headline:
        loading = LOADING.get(q.id, 0.6)
        y = loading * y + np.sqrt(1 - loading**2) * rng.standard_normal(n)
    if q.id == "autonomie":  # impact depends on who comes and whether it is a first visit
        y = y + np.array(AUTONOMY_BY_AGE)[who.age] - 0.35 * who.first_visit
    by_level = np.argsort([-(o.level or 0) for o in q.options], kind="stable")
    return by_level[_ordinal(y, shares)].astype(np.int64)


def _ordinal(y: FloatArray, shares: tuple[float, ...]) -> IntArray:
    """Category per value, 0 = best, cut at quantiles so the marginal shares are as targeted."""
    upper = 1.0 - np.cumsum(shares)[:-1] / sum(shares)
    cuts = np.quantile(y, upper[::-1]) if len(y) else np.zeros(len(upper))
    return (len(shares) - 1 - np.searchsorted(cuts, y, side="right")).astype(np.int64)


def _motifs(
    q: Question, rng: np.random.Generator, rows: IntArray, who: _Respondents, places: pd.DataFrame
) -> tuple[IntArray, IntArray]:
    """1-2 motifs among what the place offers (services matched to options by label)."""
    k = len(q.options)
    index_of = {_norm(o.label): j for j, o in enumerate(q.options)}
    services = places["services"].reset_index(drop=True).explode().dropna()
    option = services.map(lambda label: index_of.get(_norm(str(label)), -1)).to_numpy(
        dtype=np.int64
    )
    offered = np.zeros((len(places), k), dtype=bool)
    valid = option >= 0
    offered[services.index.to_numpy(dtype=np.int64)[valid], option[valid]] = True
    offered[~offered.any(axis=1)] = True
    weight = np.log([MOTIF_WEIGHT.get(o.code, 1.0) for o in q.options])
    keys = np.where(offered[who.place[rows]], weight, -np.inf) + rng.gumbel(size=(len(rows), k))
    demarches = [j for j, o in enumerate(q.options) if o.code == "demarches"]
    if demarches:  # tax season brings people in for their declaration
        keys[:, demarches[0]] += np.log(1.6) * who.tax_season[rows]
    top = np.argsort(-keys, axis=1)[:, :2]
    if k < 2:
        return rows, top[:, 0].astype(np.int64)
    second = np.isfinite(np.take_along_axis(keys, top[:, 1:2], axis=1)[:, 0]) & (
        rng.random(len(rows)) < 0.3
    )
    return np.concatenate([rows, rows[second]]), np.concatenate([top[:, 0], top[second, 1]]).astype(
        np.int64
    )


def _comments(
    questionnaire: Questionnaire, rng: np.random.Generator, level: IntArray, reached: BoolArray
) -> pd.DataFrame:
    """A few short comments, more often and more critical when satisfaction is low."""
    text_q = next((q for q in questionnaire.questions if q.kind == "text"), None)
    if text_q is None:
        return pd.DataFrame({"row": np.zeros(0, dtype=np.int64), "question": [], "text": []})
    rows = np.flatnonzero(reached & (rng.random(len(level)) < COMMENT_RATE[level]))
    tone = _draw_each(rng, COMMENT_TONE[level[rows]])
    banks = (wb.COMMENTS_PRAISE, wb.COMMENTS_SUGGESTION, wb.COMMENTS_COMPLAINT)
    sizes = np.array([len(b) for b in banks])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pick = offsets[tone] + (rng.random(len(rows)) * sizes[tone]).astype(np.int64)
    texts = np.array([t for bank in banks for t in bank], dtype=object)[pick]
    return pd.DataFrame({"row": rows, "question": text_q.id, "text": texts})


def _calendar(
    end_month: dt.date, months: int
) -> tuple[np.ndarray[Any, np.dtype[np.datetime64]], FloatArray]:
    """Opening days (no Sunday) of the window and their relative volume."""
    if months < 1:
        raise ValueError("months must be at least 1")
    end = end_month.year * 12 + end_month.month - 1 - 1970 * 12
    first = np.datetime64(end - months + 1, "M").astype("datetime64[D]")
    stop = np.datetime64(end + 1, "M").astype("datetime64[D]")
    days = np.arange(first, stop)
    month_start = days.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12
    day_of_month = (days - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    t = np.arange(len(days)) / max(len(days) - 1, 1)
    weight = SEASON[month] * WEEKDAY[weekday] * GROWTH**t
    weight = np.where((month == 11) & (day_of_month >= 22), 0.3 * weight, weight)
    years = range(int(str(days[0])[:4]), int(str(days[-1])[:4]) + 1)
    closed = np.array([d for y in years for d in _public_holidays(y)], dtype="datetime64[D]")
    weight = np.where(np.isin(days, closed), 0.03 * weight, weight)
    open_days = weight > 0
    return days[open_days], weight[open_days]


def _public_holidays(year: int) -> list[dt.date]:
    """French public holidays: most places are closed (a few France Services stay open)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 19 * m) // 433
    easter = dt.date(
        year,
        (h + m - 7 * n + 90) // 25,
        (h + m - 7 * n + 33 * ((h + m - 7 * n + 90) // 25) + 19) % 32,
    )
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [easter + dt.timedelta(days=offset) for offset in (1, 39, 50)]
    return [dt.date(year, mo, da) for mo, da in fixed] + movable


def _draw(rng: np.random.Generator, n: int, shares: tuple[float, ...]) -> IntArray:
    cdf = np.cumsum(shares) / sum(shares)
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(shares) - 1).astype(
        np.int64
    )


def _draw_each(rng: np.random.Generator, probabilities: FloatArray) -> IntArray:
    """One category per row of a (rows x categories) probability matrix."""
    cdf = np.cumsum(probabilities, axis=1)
    drawn: IntArray = (rng.random(len(probabilities))[:, None] > cdf).sum(axis=1)
    return np.minimum(drawn, int(probabilities.shape[1]) - 1).astype(np.int64)


def _norm(label: str) -> str:
    """Labels compared without accents or case: the schema itself spells one without accent."""
    return (
        unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold().strip()
    )
