"""Users: accounts with a role (admin, assessor, unit; a unit's account names its units), argon2 password
hashes, disabling. Every change appends its audit event."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any, Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from zwgk.store.base import MAX_USERNAME, StoreBase, StoreError, _dumps, clean_text

ROLES = ("admin", "assessor", "unit")


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made with ``hasher``'s parameters, verified for unknown users so that they cost what a real
    check costs: made once per process and parameters, not per store (a store lives for one request)."""
    return _dummy_hash_for(hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
                           hasher.salt_len, hasher.type)


@functools.cache
def _dummy_hash_for(time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int, kind) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism, hash_len, salt_len, type=kind).hash(uuid.uuid4().hex)


class UsersMixin(StoreBase):
    @staticmethod
    def _user_out(row: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if k != "password_hash"}
        out["units"] = json.loads(row["units"])
        out["disabled"] = bool(row["disabled"])
        return out

    def add_user(
        self,
        username: str,
        role: str,
        password: str,
        display_name: str | None = None,
        units: Iterable[str] = (),
        actor: str = "命令行",
    ) -> None:
        """Add a user; ``actor`` (who did it) goes into the audit log."""
        username = (username or "").strip()
        if not username or any(c.isspace() for c in username) or not username.isprintable():
            raise StoreError("用户名不能为空，也不能包含空白或控制字符")
        if len(username) > MAX_USERNAME:
            raise StoreError(f"用户名不能超过 {MAX_USERNAME} 个字符")
        display_name = clean_text(display_name, "显示名称", 100)
        if role not in ROLES:
            raise StoreError(f"未知的角色 {role!r}：应为 {' / '.join(ROLES)} 之一")
        if not password:
            raise StoreError("密码不能为空")
        unit_list = [str(u) for u in units]
        if role == "unit" and not unit_list:
            raise StoreError(f"单位用户 {username} 须指定所属单位")
        password_hash = self._hasher.hash(password)
        with self._write():
            if self._conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise StoreError(f"用户 {username} 已存在")
            self._insert(
                "users",
                {
                    "username": username,
                    "display_name": display_name,
                    "role": role,
                    "units": _dumps(unit_list),
                    "password_hash": password_hash,
                    "disabled": 0,
                    "created_at": self.now(),
                },
            )
            after = role + (f"（{'、'.join(unit_list)}）" if unit_list else "")
            self.record_event(actor, "user.add", target=username, after=after)

    def get_user(self, username: str) -> dict[str, Any] | None:
        """The user's row (without the password hash), or None."""
        row = self._row("SELECT * FROM users WHERE username = ?", (username,))
        return self._user_out(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        return [self._user_out(r) for r in self._rows("SELECT * FROM users ORDER BY username")]

    def require_active_user(self, username: str | None) -> dict[str, Any]:
        user = self.get_user(username) if username else None
        if user is None or user["disabled"]:
            raise StoreError(f"用户 {username} 不存在或已停用")
        return user

    def _require_assessor(self, username: str | None) -> dict[str, Any]:
        user = self.require_active_user(username)
        if user["role"] == "unit":
            raise StoreError(f"用户 {username} 是被考核单位的账号，无权作出考核决定")
        return user

    def set_password(self, username: str, password: str, actor: str | None = "命令行", ip: str | None = None) -> None:
        """Replace the user's password hash; ``actor`` None records no event (a transparent rehash)."""
        if not password:
            raise StoreError("密码不能为空")
        password_hash = self._hasher.hash(password)
        with self._write():
            cur = self._conn.execute("UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username))
            if cur.rowcount == 0:
                raise StoreError(f"用户 {username} 不存在")
            if actor is not None:
                self.record_event(actor, "user.password", target=username, ip=ip)

    def disable_user(self, username: str, actor: str = "命令行") -> None:
        with self._write():
            cur = self._conn.execute("UPDATE users SET disabled = 1 WHERE username = ?", (username,))
            if cur.rowcount == 0:
                raise StoreError(f"用户 {username} 不存在")
            self.record_event(actor, "user.disable", target=username, before="正常", after="已停用")

    def verify_password(self, username: str, password: str) -> bool:
        """True if the user exists, is active and the password matches."""
        row = self._row("SELECT password_hash, disabled FROM users WHERE username = ?", (username,))
        if row is None or row["disabled"]:
            # spend the same time as a real check, so the answer does not reveal who exists
            try:
                self._hasher.verify(_dummy_hash(self._hasher), password or "")
            except VerificationError:
                pass
            return False
        try:
            self._hasher.verify(row["password_hash"], password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if self._hasher.check_needs_rehash(row["password_hash"]):
            self.set_password(username, password, actor=None)
        return True
