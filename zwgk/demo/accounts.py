"""The demo's accounts: created by ``zwgk demo``, printed for the user, refused as real passwords."""

from __future__ import annotations

DEMO_USERS = [
    # (username, role, display name, units, password) — demo only, printed for the user
    ("admin", "admin", "系统管理员", (), "demo-admin-2017"),
    ("pinggu", "assessor", "考核人员（演示）", (), "demo-pinggu-2017"),
    ("xinshi", "unit", "新市镇（演示）", ("xinshi-town",), "demo-xinshi-2017"),
]
