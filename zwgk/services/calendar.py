"""The working-day calendar the checks count with: chinesecalendar plus the override file, read here.

The checks are pure (``checks.calendar``); this module does their I/O. The override file is the one
shipped beside this module (``calendar_overrides.yaml``, package data), or the file
``ZWGK_CALENDAR_OVERRIDES`` names; it is read once per process (cached per path). Its format is described
in ``checks.calendar``; a malformed file raises ``CalendarDataError`` naming the file and the entry.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path

import yaml

from checks.calendar import CalendarDataError, WorkingCalendar, YearOverride, parse_overrides

OVERRIDES_ENV = "ZWGK_CALENDAR_OVERRIDES"


def bundled_overrides() -> Path:
    """The override file shipped with zwgk (a checkout and an installed package alike)."""
    return Path(str(resources.files(__package__) / "calendar_overrides.yaml"))


class _DatesAsStrings(yaml.SafeLoader):
    """Leaves dates as strings so that a bad date is reported with its entry, not as a YAML error."""


_DatesAsStrings.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_overrides(path: Path) -> dict[int, YearOverride]:
    """Read and validate an override file; a missing file means no overrides."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsStrings)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CalendarDataError(f"日历覆盖文件 {path} 无法解析：{exc}") from None
    return parse_overrides(doc, str(path))


@functools.lru_cache(maxsize=4)
def _calendar_for(path: str) -> WorkingCalendar:
    return WorkingCalendar(load_overrides(Path(path)))


def default_calendar() -> WorkingCalendar:
    """The calendar with the bundled override file (or the one ``ZWGK_CALENDAR_OVERRIDES`` names), cached."""
    return _calendar_for(os.environ.get(OVERRIDES_ENV) or str(bundled_overrides()))
