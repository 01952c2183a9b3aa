"""Where zwgk keeps things (design.md, Conventions: "Where things live")."""

from __future__ import annotations

import os
from pathlib import Path


def zwgk_home() -> Path:
    """``$ZWGK_HOME``, default ``./var``: the database and the snapshot blobs."""
    return Path(os.environ.get("ZWGK_HOME") or "var")


def default_db_path() -> Path:
    return zwgk_home() / "zwgk.db"


def default_units_path() -> Path:
    return zwgk_home() / "units.yaml"

