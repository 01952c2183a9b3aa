"""Content-addressed snapshot storage: the raw bytes of every response evidence may point to.

Bodies are keyed by the sha256 of their raw bytes, stored zlib-compressed under
``<root>/<aa>/<bb>/<sha256>.z``, written once (temp file + rename) and never overwritten, so a later
night's crawl can only add: what an assessor's decision points to stays exactly as the site showed it.
Folders are created owner-only (0700) and files 0600 (``mkstemp``): snapshots can hold what a unit's site
showed only to signed-in users.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from pathlib import Path


class BlobError(Exception):
    """A snapshot that cannot be read back; the message is Chinese."""


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class BlobStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._dirs: set[str] = set()  # "aabb" of the fan-out folders known to exist (saves a mkdir per put)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise BlobError(f"快照编号无效：{sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.z"

    def put(self, body: bytes) -> str:
        """Store ``body`` once; returns its sha256. Idempotent and safe against concurrent writers
        (threads or processes): the bytes go to a temporary file that is renamed into place."""
        digest = sha256_hex(body)
        folder = os.path.join(self.root, digest[:2], digest[2:4])
        target = os.path.join(folder, digest + ".z")
        if os.path.exists(target):
            return digest
        if digest[:4] not in self._dirs:
            self._make_dirs(folder)
            self._dirs.add(digest[:4])
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        except FileNotFoundError:  # the folder went away since we made it
            self._make_dirs(folder)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(zlib.compress(body, 6))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def _make_dirs(self, folder: str) -> None:
        """The root and the two fan-out levels, each 0700 when this call creates it."""
        parts = Path(folder).relative_to(self.root).parts
        for depth in range(len(parts) + 1):
            os.makedirs(self.root.joinpath(*parts[:depth]), mode=0o700, exist_ok=True)

    def get(self, sha256: str) -> bytes | None:
        """The stored bytes, verified against their hash; None when absent."""
        target = self.path(sha256)
        try:
            packed = target.read_bytes()
        except FileNotFoundError:
            return None
        try:
            body = zlib.decompress(packed)
        except zlib.error:
            raise BlobError(f"快照 {sha256[:12]} 已损坏，无法解压") from None
        if sha256_hex(body) != sha256:
            raise BlobError(f"快照 {sha256[:12]} 内容与编号不符（文件已损坏）")
        return body

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()
