"""The review web app (issue 5): ``zwgk.web.app.create_app``. Kept import-free: ``zwgk.migrations``
imports ``zwgk.web.schema`` while the store loads."""
