"""HTML reports (jinja2): the per-unit self-check report and the assessor summary.

Both are single self-contained files (inline CSS and SVG, no scripts, no external assets), printable on
A4. Autoescaping is on: whatever a website or a check wrote is shown as text, never run.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Iterable, Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined

from rubrics.model import Rubric
from reports.context import SHANGHAI, UnitReport, local_time, pts, summarize

KIND_WORDS = {"township": "乡镇", "department": "市直及驻市单位"}
STATUS_CLASSES = {
    "proposed": "st-proposed",
    "needs_review": "st-review",
    "confirmed": "st-confirmed",
    "amended": "st-amended",
    "rejected": "st-rejected",
    "not_applicable": "st-na",
}


def tone(value: Decimal, points: Decimal) -> str:
    """A colour class for a score cell: full or nearly, some loss, heavy loss."""
    rate = value / points if points else Decimal(1)
    return "t-hi" if rate >= Decimal("0.95") else "t-mid" if rate >= Decimal("0.8") else "t-lo"


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pts"] = pts
    env.filters["when"] = local_time
    env.globals["status_class"] = STATUS_CLASSES.get
    env.globals["kind_words"] = KIND_WORDS
    env.globals["tone"] = tone
    return env


ENV = _env()


def now_text() -> str:
    return datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def render_unit_report(ctx: UnitReport, generated_at: str | None = None) -> str:
    """The per-unit self-check report: scores, every lost point with evidence and remedy, what could not be assessed."""
    return ENV.get_template("unit.html").render(r=ctx, generated_at=generated_at or now_text())


def render_summary(ctxs: Sequence[UnitReport], rubrics: Iterable[Rubric], generated_at: str | None = None) -> str:
    """The assessor summary: per rubric a ranking, a category chart, crawl health and open decisions."""
    sections = summarize(ctxs, rubrics)
    periods = sorted({c.period for c in ctxs})
    return ENV.get_template("summary.html").render(
        sections=sections,
        periods=periods,
        unit_count=len(ctxs),
        generated_at=generated_at or now_text(),
    )
