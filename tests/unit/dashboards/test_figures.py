"""The funnel's figure as a mediator reads it: the answer counts on its axis written in full,
the team's own place named where there is room."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.figures import funnel_figure
from observatory.analysis.funnel import funnel, point


@given(st.integers(1, 5000), st.integers(1, 5000))
def test_the_count_axis_shows_round_numbers_written_in_full(a: int, b: int) -> None:
    least, most = sorted((a, b))
    places = [point({3: least}, 3, None), point({3: most, 0: 0}, 3, None)]
    places += [point({3: most, 1: 1}, 3, None), point({2: least}, 3, "Nous")]
    drawn = funnel(places, 7.0)
    if drawn is None:
        return
    axis = funnel_figure(drawn)["layout"]["xaxis"]
    sizes = [p.n for p in drawn.points]
    assert len(axis["tickvals"]) >= 1
    assert all(min(sizes) <= v <= max(sizes) for v in axis["tickvals"])
    # "1 000", "20", never "2" for twenty as Plotly's own log ticks wrote it
    assert axis["ticktext"] == [f"{v:,}".replace(",", "\u202f") for v in axis["tickvals"]]


def test_the_teams_place_is_named_on_the_side_with_room() -> None:
    others = [point({3: 10, 2: 5}, 3, None), point({2: 14, 1: 2}, 3, None)]
    busiest = funnel([*others, point({3: 12}, 3, None), point({3: 300, 1: 40}, 3, "Nous")], 7.0)
    quietest = funnel([*others, point({3: 300}, 3, None), point({3: 12, 1: 1}, 3, "Nous")], 7.0)
    assert busiest is not None and quietest is not None
    for drawn, side in ((busiest, "right"), (quietest, "left")):
        (label,) = funnel_figure(drawn)["layout"]["annotations"]
        assert label["text"] == "Nous" and label["xanchor"] == side
        own = next(p for p in drawn.points if p.name == "Nous")
        assert 10 ** label["x"] == pytest.approx(own.n)  # on the log axis, at its point
