"""WSGI entry point for gunicorn: `gunicorn 'observatory.wsgi:app'` (settings from the env)."""

from observatory.app import create_app

app = create_app()
