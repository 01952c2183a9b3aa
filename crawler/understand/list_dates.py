"""The date a column's list shows for an entry, carried to the document when the document states none.

Many county templates print the date only on the list page (``标题 …… 2017-03-01``) and nothing on the
article. ``with_list_dates`` gives such a document the list's date with the source ``list_page``, so the
checks can place it in its period and an assessor sees where the date came from. A date the document
states itself always wins; two lists that disagree on an entry's date give it none (no guess).
"""

from __future__ import annotations

import dataclasses

from crawler.record import PageRecord


def with_list_dates(records: list[PageRecord]) -> list[PageRecord]:
    """``records`` with list-page dates filled in for documents that state no date of their own."""
    shown: dict[str, set[str]] = {}
    for record in records:
        for entry in record.entries:
            if entry.date:
                shown.setdefault(entry.url, set()).add(entry.date)
    out = []
    for record in records:
        dates = shown.get(record.url) or shown.get(record.final_url)
        if record.pub_date is None and dates and len(dates) == 1:
            record = dataclasses.replace(record, pub_date=next(iter(dates)), pub_date_source="list_page")
        out.append(record)
    return out
