"""Sending: the SMTP URL read once, the message built with the standard library's `email`, one
connection per run (smtplib), reopened after a failure.

The URL holds a password: no error raised here repeats it.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from types import TracebackType
from typing import Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from observatory.digest.compose import Mail

Security = Literal["none", "starttls", "tls"]
DEFAULT_TIMEOUT = 30.0
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class MailConfigError(ValueError):
    """An SMTP URL that cannot be used (the message never quotes the URL)."""


class DeliveryError(RuntimeError):
    """One message the server did not take."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    username: str | None
    password: str | None = field(repr=False)  # never in a log line
    timeout: float = DEFAULT_TIMEOUT


def parse_smtp_url(url: str) -> SmtpConfig:
    """`smtp://[user:password@]host[:port][?starttls=1&timeout=30]` or `smtps://…` (TLS from the
    first byte). With a password and no `starttls` option, STARTTLS is assumed: a password never
    crosses the network in clear unless `starttls=0` says so."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise MailConfigError("OBSERVATORY_SMTP_URL must start with smtp:// or smtps://")
    try:
        port = parts.port
    except ValueError as error:
        raise MailConfigError("OBSERVATORY_SMTP_URL has an invalid port") from error
    if not parts.hostname:
        raise MailConfigError("OBSERVATORY_SMTP_URL names no host")
    options = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    unknown = set(options) - {"starttls", "timeout"}
    if unknown:
        raise MailConfigError(f"OBSERVATORY_SMTP_URL has unknown options: {sorted(unknown)}")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    security: Security
    if parts.scheme == "smtps":
        security = "tls"
    else:
        starttls = options.get("starttls", "1" if password else "0")
        if starttls not in _TRUE | _FALSE:
            raise MailConfigError("OBSERVATORY_SMTP_URL: starttls is 1 or 0")
        security = "starttls" if starttls in _TRUE else "none"
    try:
        timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError as error:
        raise MailConfigError("OBSERVATORY_SMTP_URL: timeout is a number of seconds") from error
    if not 0 < timeout <= 600:
        raise MailConfigError("OBSERVATORY_SMTP_URL: timeout is between 0 and 600 seconds")
    default_port = 465 if security == "tls" else 25
    return SmtpConfig(parts.hostname, port or default_port, security, username, password, timeout)


def build_message(
    mail: Mail, *, sender: str, to: str, unsubscribe_url: str, now: dt.datetime
) -> EmailMessage:
    """multipart/alternative, plain text first then HTML (clients show the last they can), with
    the headers that let a mail client offer "unsubscribe" itself (RFC 2369, RFC 8058)."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to it
    message.set_content(mail.text, subtype="plain", charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    return message


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; DeliveryError if it refuses it."""


class SmtpTransport:
    """One SMTP connection for a whole run, opened on the first message and again after a
    failure (a dropped connection must not lose the next team's digest)."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        config = self._config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if config.security == "tls":
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        try:
            smtp.ehlo()
            if config.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            # The connection is fine; this address is not (the next message may go).
            raise DeliveryError(f"address refused ({_codes(error.recipients)})") from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryError(f"{type(error).__name__}: {_short(error)}") from error

    def close(self) -> None:
        if self._smtp is None:
            return
        smtp, self._smtp = self._smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _codes(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(str(code) for code, _ in refused.values())


def _short(error: BaseException) -> str:
    # smtplib's errors hold the server's reply, never our password; keep them short anyway.
    return str(error).replace("\n", " ")[:200]
