"""Where a team's places stand: a funnel of the département's places, never a ranking."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.analysis.funnel import MIN_PLACES, funnel, point


def test_too_few_places_draw_no_funnel() -> None:
    places = [point({3: 10, 1: 5}, 3, "Nous")] + [point({2: 12}, 3, None)] * (MIN_PLACES - 2)
    assert funnel(places, 7.0) is None
    assert funnel([point({2: 12, 1: 3}, 3, None)] * 5, 7.0) is None  # nothing of the team's own


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(1, 30)),
        min_size=MIN_PLACES,
        max_size=12,
    ),
    st.floats(3.0, 9.0),
)
def test_the_estimate_lies_between_the_place_and_the_departement(
    counts: list[tuple[int, int, int, int]], target: float
) -> None:
    points = [
        point({0: a, 1: b, 2: c, 3: d}, 3, "Nous" if i == 0 else None)
        for i, (a, b, c, d) in enumerate(counts)
    ]
    found = funnel(points, target)
    if found is None:
        return
    (own,) = found.own
    low, high = sorted((own.score, target))
    assert low - 1e-9 <= own.estimate <= high + 1e-9
    for lower, upper in ((lo, up) for _, lo, up in found.limits[0.95]):
        assert lower <= target <= upper
