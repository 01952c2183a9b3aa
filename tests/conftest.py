import copy
import shutil
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

# Where the store makes its password hasher (``StoreBase.__init__``: ``PasswordHasher()``).
STORE_HASHER = "zwgk.store.base.PasswordHasher"


class CheapArgon2(PasswordHasher):
    """argon2id at its cheapest parameters, for the web tests: they test sign-in, sessions, throttling and
    roles, not the hash's strength, and the production parameters (64 MiB, 3 passes) cost a quarter of a
    second per sign-in on a loaded 2-CPU machine. The production parameters and the rehash on a change of
    them are tested in test_store against the real ``PasswordHasher``."""

    def __init__(self, time_cost=1, memory_cost=64, parallelism=1, *args, **kwargs):
        super().__init__(time_cost, memory_cost, parallelism, *args, **kwargs)


@pytest.fixture(scope="session")
def web_template(tmp_path_factory):
    """The web tests' review database (``browser.webdata.build_db``), written once per session: its five users
    cost five password hashes and the schema its migrations, and every web test starts from a copy."""
    from browser.webdata import build_db

    db = tmp_path_factory.mktemp("web-template") / "zwgk.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(STORE_HASHER, CheapArgon2)
        return db, build_db(db)


@pytest.fixture()
def web_db(web_template, tmp_path, monkeypatch):
    """A fresh copy of the review database in this test's folder: (path, what ``build_db`` returned). For the
    whole test the store hashes and verifies passwords with ``CheapArgon2``."""
    template, built = web_template
    db = tmp_path / "zwgk.db"
    # the store closed cleanly, so its WAL is checkpointed into the file; copy2 keeps the owner-only mode
    shutil.copy2(template, db)
    monkeypatch.setattr(STORE_HASHER, CheapArgon2)
    return db, copy.deepcopy(built)
