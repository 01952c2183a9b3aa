"""The review web app (issue 5): ``zwgk.web.app.create_app``. No SQL here: its tables are defined in
``zwgk.store.web_schema`` and read and written through the store's methods (``zwgk.store.web``)."""
