"""Every route of the app, Dash's included, driven with arbitrary paths, methods, headers and
bodies: never a 5xx, never a stored row for a submission that carries no valid form token.

Runs on SQLite and on PostgreSQL (the suite's `database_url` fixture), where NUL bytes and
lone surrogates used to reach the driver.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.places.kiosks import enrol_kiosk
from observatory.places.models import Place
from observatory.responses.models import Response

SECRET = "test-secret-key-0123456789abcdef-0123"
PARAM = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")
EXAMPLES_PER_ROUTE = 40
NASTY = ["\x00", "\ud800", "²", "١", "..", "%00", "../../etc/passwd", "x" * 300, "'\"<>&;", " ", ""]

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.text(alphabet="\x00\u202e\ud7ff\uffff٣²<>{}[]\"'&%;/\\", max_size=8),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


def _rules(app: Flask) -> list[tuple[str, list[str]]]:
    rules = []
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        rules.append((rule.rule, methods))
    return sorted(rules)


def _fill(rule: str, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values.get(m.group(1), "x"), rule)


@st.composite
def requests(
    draw: st.DrawFn, rule: str, methods: list[str], known: dict[str, str]
) -> dict[str, Any]:
    names = PARAM.findall(rule)
    values = {
        n: draw(
            st.one_of(st.just(known.get(n, "x")), texts.filter(lambda t: not set(t) & set("/?#")))
        )
        for n in names
    }
    path = _fill(rule, values)
    method = draw(st.sampled_from([*methods, "GET", "POST"]))
    kind = draw(st.sampled_from(["none", "form", "json", "raw"]))
    request: dict[str, Any] = {"path": path, "method": method}
    query = draw(
        st.dictionaries(
            st.sampled_from(["lang", "mode", "step", "merci", "v", "x"]), texts, max_size=3
        )
    )
    request["query_string"] = query
    if kind == "form":
        fields = ["satisfaction", "motif", "amelioration", "nav", "step", "mode", "token",
                  "idempotency_key", "place", "channel", "day", "csrf", "lang"]  # fmt: skip
        request["data"] = draw(st.dictionaries(st.sampled_from(fields), texts, max_size=8))
    elif kind == "json":
        request["data"] = json.dumps(draw(json_values))
        request["content_type"] = "application/json"
    elif kind == "raw":
        request["data"] = draw(st.binary(max_size=200))
        request["content_type"] = draw(
            st.sampled_from(["application/json", "text/plain", "multipart/form-data"])
        )
    if draw(st.booleans()):
        request["headers"] = {
            "Authorization": "Bearer " + draw(st.sampled_from([known["token"], "x"]))
        }
    return request


def test_no_route_answers_5xx_or_stores_without_a_token(
    app: Flask, client: FlaskClient, make_place, session_factory: sessionmaker[Session]
) -> None:
    place = make_place()
    with session_factory.begin() as session:
        _, token = enrol_kiosk(
            session, session.get(Place, place.id), "T", SECRET, dt.date(2026, 1, 1)
        )
    known = {"code": place.code, "token": token, "filename": "survey.css"}
    rules = _rules(app)

    def stored() -> int:
        with session_factory() as session:
            return int(session.scalar(select(func.count()).select_from(Response)) or 0)

    def explore(rule: str, methods: list[str]) -> None:
        @settings(
            max_examples=EXAMPLES_PER_ROUTE, suppress_health_check=list(HealthCheck), deadline=None
        )
        @given(requests(rule, methods, known))
        def drive(request: dict[str, Any]) -> None:
            before = stored()
            path = request.pop("path")
            try:
                reply = client.open(path, **request)
            except UnicodeEncodeError:
                return  # a path no HTTP client can send (a lone surrogate in the URL itself)
            assert reply.status_code < 500, (path, request, reply.status_code)
            auth = request.get("headers", {}).get("Authorization", "")
            if not (path == "/api/v1/responses" and auth.endswith(token)):
                # No form token and no session: nothing may be stored.
                assert stored() == before, (path, request)

        drive()

    for rule, methods in rules:  # each route explored on its own, so none is left out
        explore(rule, methods)
