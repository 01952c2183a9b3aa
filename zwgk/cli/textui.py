"""Terminal text for Chinese output: display widths and aligned tables."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """Columns a string takes in a terminal: wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, columns: int, align: str = "<") -> str:
    gap = max(0, columns - width(text))
    return " " * gap + text if align == ">" else text + " " * gap


def table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A plain aligned table; ``align`` has one of < or > per column (default all left)."""
    align = align or "<" * len(headers)
    cols = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(pad(h, cols[i], align[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * c for c in cols))
    for row in rows:
        lines.append("  ".join(pad(cell, cols[i], align[i]) for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines)
