"""What every request goes through before and after its view: size and host limits, the
request's one database session, a privacy-preserving access log, and clear 4xx replies for
malformed input where a library would raise a 500.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, render_template, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.wrappers import Response

from observatory.config import Settings
from observatory.web.context import close_request_session
from observatory.web.problems import JsonBodyError, parse_json, problem

# The form's largest field is a 1,000-character comment; the kiosk's JSON is smaller still.
MAX_CONTENT_LENGTH = 64 * 1024
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
access_log = logging.getLogger("observatory.access")
log = logging.getLogger(__name__)


def route_template() -> str:
    """The route of the current request as declared (`/r/<code>`, `/kiosk/<token>`): never
    the path itself, which holds place codes and kiosk credentials."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<no route>"


def trusted_hosts(settings: Settings) -> list[str]:
    """The Host headers the server answers: the public URL's, and the loopback names for
    local use and tests."""
    host = urlsplit(settings.public_url).hostname or "localhost"
    return sorted({host, *LOCAL_HOSTS})


class ObservatoryFlask(Flask):
    """Flask whose unhandled-exception log names the route, not the path (a kiosk link's
    token would otherwise sit in the error log)."""

    def log_exception(
        self,
        exc_info: tuple[type[BaseException], BaseException, TracebackType]
        | tuple[None, None, None],
    ) -> None:
        self.logger.error(
            "Exception on %s [%s]", route_template(), request.method, exc_info=exc_info
        )


def install_hardening(app: Flask, settings: Settings) -> None:
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_CONTENT_LENGTH
    app.config["TRUSTED_HOSTS"] = trusted_hosts(settings)
    app.teardown_request(close_request_session)

    @app.after_request
    def log_request(response: Response) -> Response:
        # One line per request with the route template and the status only: no path, no query,
        # no address, no user agent, no body; the collector's timestamp then tells when *an*
        # answer came, never where.
        access_log.info("%s %s %s", request.method, route_template(), response.status_code)
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge) -> Any:
        if request.path.startswith("/api/"):
            return problem(413, "Body too large", f"at most {MAX_CONTENT_LENGTH} bytes")
        # Nothing of the body is read, so nothing is echoed back.
        return render_template("too_large.html"), 413

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> Any:
        if request.path.startswith("/api/") or "/_dash-" in request.path:
            return problem(400, "Bad request", error.description or "")
        return error

    @app.errorhandler(DependencyException)
    def unknown_dependency(_error: DependencyException) -> Any:
        # Dash raises this for any path under _dash-component-suites it does not serve.
        return problem(404, "Not found", "no such file")


def guard_dash(server: Flask, dash_app: Dash) -> None:
    """Refuse malformed callback requests with a 400 before Dash parses them (it raised
    KeyError or TypeError, hence 500s, on bodies its own renderer never sends)."""
    update_path = f"{dash_app.config.requests_pathname_prefix}_dash-update-component"

    @server.before_request
    def check_callback_request() -> Any:
        if request.path != update_path or request.method != "POST":
            return None
        try:
            body = parse_json(request.get_data(cache=True))
        except JsonBodyError as error:
            return problem(400, "Malformed callback request", str(error))
        reason = _callback_problem(body, dash_app)
        return problem(400, "Malformed callback request", reason) if reason else None


def _callback_problem(body: Any, dash_app: Dash) -> str:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if not isinstance(body.get("output"), str) or body["output"] not in dash_app.callback_map:
        return "unknown callback output"
    outputs = body.get("outputs")
    items = outputs if isinstance(outputs, list) else [outputs]
    if not all(isinstance(o, dict) and "id" in o and "property" in o for o in items):
        return "outputs must name an id and a property"
    for name in ("inputs", "state"):
        value = body.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict | list) for v in value):
            return f"{name} must be a list"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of strings"
    return ""


__all__ = [
    "MAX_CONTENT_LENGTH",
    "ObservatoryFlask",
    "guard_dash",
    "install_hardening",
    "route_template",
    "trusted_hosts",
]
