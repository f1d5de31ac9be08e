"""Helpers shared by the tests (``tests/`` is on ``sys.path``, so they are imported as ``support.<module>``).

- ``factories``: rows a test starts from (meetings with their sessions A and B, organizations, accounts).
- ``api``: calls to the JSON API (a registration body, registering).
- ``logins``: logging a test client in.
- ``pages``: the CSRF token of a form, and posting a form back with it.
- ``ics``: reading .ics files on the wire and with two parsers.
- ``console``, ``roundtables``, ``authorization``: what the tests of one feature share.
- ``browser`` (headless Chromium, a live server, logging in), ``smtp_server`` (a real SMTP server on loopback,
  ``free_port``), ``http_server`` (a real HTTP server on loopback that records webhook deliveries).

Fixtures stay in ``tests/conftest.py``; a database session is called ``db`` throughout.
"""
