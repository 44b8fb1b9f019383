"""The one typed place where settings are read (environment variables prefixed OBSERVATORY_)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_database_url() -> str:
    # A file in the working directory: the embedded default needs no server at all.
    return f"sqlite:///{Path.cwd() / 'observatory.sqlite3'}"


class Settings(BaseSettings):
    """Every setting of the product; `docs/settings.md` documents each one (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="OBSERVATORY_", extra="ignore")

    database_url: str = Field(
        default_factory=_default_database_url,
        description="SQLAlchemy URL of the database: sqlite:///path (embedded) or "
        "postgresql+psycopg://user@host/db (production).",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL used as Celery broker. Unset: tasks run in an in-process worker.",
    )
    secret_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Key that signs tokens. Unset: a random key per process (tokens then do not "
        "survive a restart), which is fine for the demo and wrong for production.",
    )
    k_team: int = Field(
        default=5, ge=1, description="Smallest number of answers a team sees in its own cells."
    )
    k_public: int = Field(
        default=11,
        ge=1,
        description="Smallest number of answers behind any figure shown to anyone but the team "
        "(INSEE statistical-secrecy rule).",
    )
    n_place_score: int = Field(
        default=100,
        ge=1,
        description="Answers over rolling 12 months needed to publish the score of a single place.",
    )
    fold_debounce_seconds: float = Field(
        default=1.0,
        ge=0.0,
        le=60.0,
        description="Window during which new answers share one fold task (never one per answer).",
    )
    sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0.0,
        description="Period of the safety sweep that folds answers whose notification was lost.",
    )
    task_time_limit_seconds: int = Field(
        default=240,
        gt=0,
        description="Hard time limit of every task; must stay below the broker visibility timeout.",
    )
    broker_visibility_timeout_seconds: int = Field(
        default=300,
        gt=0,
        description="Seconds before Redis redelivers an unacknowledged task to another worker.",
    )
    min_fill_seconds: float = Field(
        default=2.0,
        ge=0.0,
        description="A form sent faster than this after it was shown is shown again to confirm "
        "(robots answer instantly; a person just presses Send again).",
    )
    form_token_max_age_seconds: int = Field(
        default=86_400,
        gt=0,
        description="How long a form stays valid after it was shown; older forms are shown "
        "again with the answers kept.",
    )
    rate_limit_client_per_hour: int = Field(
        default=60,
        gt=0,
        description="Answers accepted per hour from one (hashed) client address; generous, as "
        "a place's public Wi-Fi puts everyone behind one address.",
    )
    rate_limit_place_per_hour: int = Field(
        default=600, gt=0, description="Answers accepted per hour for one place."
    )
    burst_threshold: int = Field(
        default=5,
        gt=0,
        description="Identical answers at one place within 10 minutes beyond which the next "
        "ones are flagged and kept out of statistics until reviewed.",
    )
    kiosk_idle_seconds: int = Field(
        default=60,
        gt=0,
        description="Seconds without a touch after which a kiosk asks whether the person is "
        "still there (RGAA 13.1: they can ask for more time).",
    )
    kiosk_warning_seconds: int = Field(
        default=30,
        ge=20,  # WCAG 2.2.1 / RGAA 13.1: at least 20 s to ask for more time
        description="Seconds the kiosk waits for an answer to that question before it keeps "
        "what was answered and goes back to the start.",
    )
    kiosk_pause_seconds: int = Field(
        default=8,
        ge=0,
        description="Minimum interval between two answers on a kiosk (the thank-you screen).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8050",
        description="Public address of the site, printed on posters and QR codes made offline "
        "(pages served on the web use the address they were requested at).",
    )
    timezone: str = Field(
        default="Europe/Paris",
        description="Time zone that decides which day an answer belongs to.",
    )
    log_level: str = Field(default="INFO", description="Python logging level of the services.")

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        # HMAC-SHA256 keys shorter than the hash are weak (RFC 7518 §3.2).
        if len(value.get_secret_value()) < 32:
            raise ValueError("the secret key needs at least 32 characters")
        return value

    @field_validator("redis_url")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _time_limit_below_visibility(self) -> Settings:
        # A task still running when Redis redelivers it would run twice at once.
        if self.task_time_limit_seconds >= self.broker_visibility_timeout_seconds:
            raise ValueError(
                "task_time_limit_seconds must be below broker_visibility_timeout_seconds"
            )
        return self

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: tasks then run in-process."""
        return self.redis_url is None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment (tests build their own `Settings`)."""
    return Settings()
