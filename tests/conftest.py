import copy
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def web_template(tmp_path_factory):
    """The web tests' review database (``browser.webdata.build_db``), written once per session: its five users
    cost five argon2 hashes, and every web test starts from a copy."""
    from browser.webdata import build_db

    db = tmp_path_factory.mktemp("web-template") / "zwgk.db"
    return db, build_db(db)


@pytest.fixture()
def web_db(web_template, tmp_path):
    """A fresh copy of the review database in this test's folder: (path, what ``build_db`` returned)."""
    template, built = web_template
    db = tmp_path / "zwgk.db"
    # the store closed cleanly, so its WAL is checkpointed into the file; copy2 keeps the owner-only mode
    shutil.copy2(template, db)
    return db, copy.deepcopy(built)
