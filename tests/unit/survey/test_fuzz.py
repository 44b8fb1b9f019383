"""Fuzzing the form's POST: never a server error, never a stored row for an invalid submission."""

from __future__ import annotations

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.questionnaires.definitions import builtin
from observatory.responses.models import Response
from observatory.responses.service import SubmissionError, validate_answers
from tests.conftest import fresh_form

QN = builtin()
FIELDS = [q.id for q in QN.questions] + ["nav", "step", "mode", "lang", "token", "idempotency_key"]
VALID = {q.id: [o.code for o in q.options] for q in QN.questions if q.options}
values = st.one_of(
    st.text(max_size=30),
    st.sampled_from([c for codes in VALID.values() for c in codes]),
    st.text(alphabet="\x00\ud7ff\u202e<>\"'&%;", max_size=5),
    st.just("x" * 1200),
)
forms = st.dictionaries(st.sampled_from(FIELDS), st.lists(values, max_size=3), max_size=8)


def count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def is_valid(form: dict[str, list[str]]) -> bool:
    try:
        validate_answers(QN, {q.id: form.get(q.id, []) for q in QN.questions})
    except SubmissionError:
        return False
    return True


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(form=forms, keep_token=st.booleans())
def test_fuzzed_posts_never_fail_and_never_store_invalid_answers(
    app: Flask,
    make_place_once: str,
    session_factory: sessionmaker[Session],
    form: dict[str, list[str]],
    keep_token: bool,
) -> None:
    client = app.test_client()
    code = make_place_once
    data: dict[str, list[str]] = dict(form)
    if keep_token:
        data.update({k: [v] for k, v in fresh_form(client, code).items()})
    before = count(session_factory)
    reply = client.post(f"/r/{code}", data=data)
    assert reply.status_code < 500, reply.status_code
    stored = count(session_factory) - before
    if stored:
        assert is_valid(data) and reply.status_code == 303
    if not is_valid(data):
        assert stored == 0


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.text(min_size=1, max_size=20).filter(
        lambda p: "/" not in p and "?" not in p and "#" not in p
    )
)
def test_fuzzed_place_codes_give_404_not_500(app: Flask, path: str) -> None:
    client = app.test_client()
    assert client.get(f"/r/{path}").status_code in (200, 404)
    assert client.post(f"/r/{path}", data={"satisfaction": "bien"}).status_code in (303, 400, 404)
