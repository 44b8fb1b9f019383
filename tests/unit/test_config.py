"""Settings: every field documented in docs/settings.md, and unsafe combinations refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from observatory.config import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        name for name in Settings.model_fields if f"`OBSERVATORY_{name.upper()}`" not in text
    ]
    assert missing == [], f"document these settings in docs/settings.md: {missing}"


def test_documented_settings_exist() -> None:
    import re

    documented = set(re.findall(r"`OBSERVATORY_([A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))
    assert documented <= {name.upper() for name in Settings.model_fields}


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSERVATORY_K_PUBLIC", "20")
    monkeypatch.setenv("OBSERVATORY_REDIS_URL", "")
    settings = Settings()
    assert settings.k_public == 20
    assert settings.embedded


def test_task_time_limit_must_stay_below_visibility_timeout() -> None:
    with pytest.raises(ValidationError):
        Settings(task_time_limit_seconds=300, broker_visibility_timeout_seconds=300)


def test_thresholds_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        Settings(k_public=0)


def test_secret_key_must_be_long_enough_for_hmac_sha256() -> None:
    with pytest.raises(ValidationError, match="32 characters"):
        Settings(secret_key="short")


def test_kiosk_warning_leaves_at_least_20_seconds() -> None:
    with pytest.raises(ValidationError):
        Settings(kiosk_warning_seconds=10)
