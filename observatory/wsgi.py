"""WSGI entry point for gunicorn: `gunicorn 'observatory.wsgi:app'` (settings from the env)."""

import logging

from observatory.app import create_app, freeze_startup_objects
from observatory.config import get_settings

# The app's own access log (route templates only) goes to stderr with gunicorn's error log.
logging.basicConfig(
    level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
)
app = create_app()
freeze_startup_objects()
