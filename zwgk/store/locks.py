"""One run at a time: an advisory lock file beside the database (exit code 4 when another run holds it)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class Locked(Exception):
    """Another run holds the lock; the message is Chinese."""


@contextmanager
def held(lock_path: Path, error: type[Locked], message: str) -> Iterator[None]:
    """Hold ``lock_path`` (non-blocking) for the ``with`` block; raise ``error(message)`` when it is taken.
    The holder's pid is written into the file for an operator to see."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise error(message) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
