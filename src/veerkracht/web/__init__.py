"""``veerkracht web``: FastAPI server with JSON API, accounts, uploads and shared views.

Import :func:`veerkracht.web.app.create_app`; this package module stays light.
"""
