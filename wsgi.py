"""WSGI entry point: ``gunicorn wsgi:app`` in production, ``flask --app wsgi run`` on a laptop."""

from meetings import create_app

app = create_app()
