"""What a service can end with: a user-facing error, a stop signal, and the exit codes of the conventions.

Exit codes (design.md, CLI output): 0 ok, 1 error, 2 usage, 3 partial (some units could not be assessed, or
a stop signal ended the run), 4 another run holds the lock. They live here, not in the CLI, because a run's
result carries its code (``zwgk nightly``) and a crawl hands one to Scrapy for a killed process.
"""

from __future__ import annotations

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL, EXIT_LOCKED = 0, 1, 2, 3, 4


class AppError(Exception):
    """A user-facing failure; the message is Chinese."""


class Interrupted(BaseException):
    """A stop signal (SIGINT / SIGTERM) ended a command early: what was stored stays, and the next run of
    the same command continues where this one stopped. The message is Chinese; the exit code is 3. A
    BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way swallows it."""
