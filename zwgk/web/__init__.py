"""The review web app (issue 5): ``zwgk.web.app.create_app``. Kept import-free: ``zwgk.store.migrations``
imports ``zwgk.store.web_schema`` while the store loads."""
