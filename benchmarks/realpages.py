"""The real-page corpus (tests/fixtures/real): loading its labels and scoring extraction against them.

Each page is read the way the crawler reads it: ``crawler.extract.extract_page`` on the stored bytes, then
``crawler.understand.understand``; a text-only page (``.txt``: stored-page corpora give text, not HTML) is
first wrapped as minimal HTML — its first line as the title, every other line a paragraph — so the same
extractor reads it. The list side is ``crawler.cms.parse_list`` on the decoded page (the spider's reading:
entries and pager), the role the record's ``layout`` (``crawler.extract.layout``).

The corpus is split by site (a whole site is either tuned on or held back, so a site's quirks cannot leak
from one part into the other). The held-back sites are listed in ``held-back.txt``, chosen once per batch
of collected pages before any of them was looked at for tuning — about a third of the sites of every
template; a site not listed there is tuning material.

Used by ``benchmarks/accuracy.py --real``, ``benchmarks/extract_speed.py --real`` and the corpus tests.
"""

from __future__ import annotations

import functools
import hashlib
import html
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "real"

ROLES = ("list", "document", "both")
KINDS = ("disclosure_guide", "annual_report", "policy", "interpretation", "service_guide", "notice", "list", "other")
DATE_WHERE = ("meta", "table", "info_bar", "text", "list_page", "url", "none")
# The checks' kinds: a notice is "other" to them.
KIND_OF_LABEL = {"notice": "other"}


@dataclass
class Label:
    id: str
    file: str
    url: str
    site: str
    template: str
    role: str
    kind: str
    date: str | None = None
    date_where: str | None = None
    report_year: int | None = None
    doc_number: str | None = None
    elements: list[str] | None = None
    placeholders: list[str] | None = None
    entries: list[dict] | None = None
    total_pages: int | None = None
    interprets: str | None = None
    encoding: str | None = None
    complete: str | None = None
    title: str | None = None  # text pages: the headline as the text shows it
    raw: dict = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return CORPUS / self.file

    @property
    def is_html(self) -> bool:
        return self.file.endswith(".html")


HELD_BACK = CORPUS / "held-back.txt"


def assign_held_back(corpus: Path = CORPUS) -> list[str]:
    """Place the sites no earlier batch placed: per template, ordered by the sha256 of the host, every third
    one held back. Appends the batch to ``held-back.txt`` (held sites, then ``# assigned:`` lines naming
    every site placed) and returns the newly held sites. Run it once per batch, before tuning on it."""
    lines = HELD_BACK.read_text(encoding="utf-8").splitlines() if HELD_BACK.exists() else []
    placed = set()
    for line in lines:
        if line.startswith("# assigned:"):
            placed.update(line[len("# assigned:"):].split())
        elif line.split("#", 1)[0].strip():
            placed.add(line.split("#", 1)[0].strip())
    by_template: dict[str, set[str]] = defaultdict(set)
    for label in load_labels(corpus):
        if label.site.lower() not in placed:
            by_template[label.template].add(label.site.lower())
    held, new = [], set()
    for template, sites in sorted(by_template.items()):
        ordered = sorted(sites, key=lambda site: hashlib.sha256(site.encode("utf-8")).hexdigest())
        held += [f"{site}  # {template}" for n, site in enumerate(ordered) if n % 3 == 1]
        new.update(ordered)
    if new:
        lines.append(f"# batch: {len(held)} held of {len(new)} new sites")
        lines += held
        ordered = sorted(new)
        lines += ["# assigned: " + " ".join(ordered[i:i + 6]) for i in range(0, len(ordered), 6)]
        HELD_BACK.write_text("\n".join(lines) + "\n", encoding="utf-8")
        held_back_sites.cache_clear()
    return held


@functools.lru_cache(maxsize=1)
def held_back_sites() -> frozenset[str]:
    if not HELD_BACK.exists():
        return frozenset()
    lines = HELD_BACK.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("#", 1)[0].strip().lower() for line in lines if line.split("#", 1)[0].strip())


def split(site: str) -> str:
    """``held`` for the sites listed in ``held-back.txt``, else ``tune``."""
    return "held" if site.lower() in held_back_sites() else "tune"


def load_labels(corpus: Path = CORPUS) -> list[Label]:
    labels = []
    for path in sorted(corpus.glob("labels-*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            date = raw.get("date")
            labels.append(Label(
                id=raw["id"], file=raw["file"], url=raw["url"], site=raw["site"], template=raw.get("template", "other"),
                role=raw["role"], kind=raw["kind"], date=str(date) if date else None,
                date_where=raw.get("date_where"), report_year=raw.get("report_year"),
                doc_number=raw.get("doc_number"), elements=raw.get("elements"),
                placeholders=raw.get("placeholders"), entries=raw.get("entries"),
                total_pages=raw.get("total_pages"), interprets=raw.get("interprets"),
                encoding=raw.get("encoding"), complete=raw.get("complete"), title=raw.get("title"), raw=raw,
            ))
    return labels


def text_as_html(text: str, title: str | None = None) -> bytes:
    """A text-only page as the minimal HTML the extractor reads: each line a paragraph, and the title the
    label gives (the page's headline as the text shows it; else its first line) as the ``<title>``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = html.escape(title if title else (lines[0] if lines else ""))
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (f'<html><head><meta charset="utf-8"><title>{head}</title></head>'
            f"<body><div>{body}</div></body></html>").encode("utf-8")


def page_bytes(label: Label) -> tuple[bytes, dict[str, str]]:
    """The page's body as the crawler would receive it, and its headers."""
    data = label.path.read_bytes()
    if label.is_html:
        charset = f"; charset={label.encoding}" if label.encoding and label.encoding.lower() != "utf-8" else ""
        return data, {"content-type": "text/html" + charset}
    return text_as_html(data.decode("utf-8", "replace"), label.title), {"content-type": "text/html; charset=utf-8"}


@dataclass
class Reading:
    """What zwgk read on one page."""

    role: str
    kind: str
    date: str | None
    date_source: str | None
    report_year: int | None
    doc_number: str | None
    elements: set[str]
    entries: list[str]  # absolute URLs of the list entries found
    page_count: int | None
    has_next: bool
    record: object = None  # the understood PageRecord


def read(label: Label) -> Reading:
    from crawler import cms
    from crawler.extract import extract_page
    from crawler.extract.decoding import decode_html
    from crawler.understand import understand

    body, headers = page_bytes(label)
    record = understand(extract_page(label.url, headers, body))
    text, _encoding = decode_html(body, headers["content-type"])
    _name, listing = cms.parse_list(label.url, text)
    extras = record.extras
    elements = set()
    if "service_guide" in extras:
        elements = {name for name, e in extras["service_guide"]["elements"].items() if e["state"] == "present"}
    return Reading(
        role=record.layout, kind=record.kind, date=record.pub_date, date_source=record.pub_date_source,
        report_year=(extras.get("annual_report") or {}).get("year"),
        doc_number=(extras.get("policy") or {}).get("doc_number"),
        elements=elements, entries=[i.url for i in listing.items], page_count=listing.page_count,
        has_next=bool(listing.next_requests), record=record,
    )


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += bool(ok)
        self.total += 1

    def rate(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def f1(self) -> float | None:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None or r is not None else None)


FIELDS = ("role", "kind", "date", "report_year", "doc_number", "pager")


@dataclass
class Tallies:
    pages: int = 0
    fields: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    elements: PRF = field(default_factory=PRF)
    entries: PRF = field(default_factory=PRF)
    errors: list[str] = field(default_factory=list)


def _same_doc_number(a: str | None, b: str | None) -> bool:
    from crawler.understand import parse_doc_number

    if not a or not b:
        return not a and not b
    return (parse_doc_number(a) or a) == (parse_doc_number(b) or b)


def score(label: Label, reading: Reading, into: Tallies) -> None:
    into.pages += 1

    def check(name: str, ok: bool, detail: str) -> None:
        into.fields[name].add(ok)
        if not ok:
            into.errors.append(f"{label.id}: {name} {detail}")

    check("role", reading.role == label.role, f"{reading.role} ≠ {label.role}")
    want_kind = KIND_OF_LABEL.get(label.kind, label.kind)
    check("kind", reading.kind == want_kind, f"{reading.kind} ≠ {want_kind}")
    check("date", reading.date == label.date,
          f"{reading.date} ({reading.date_source}) ≠ {label.date} ({label.date_where})")
    if label.kind == "annual_report":
        check("report_year", reading.report_year == label.report_year, f"{reading.report_year} ≠ {label.report_year}")
    if label.kind == "policy" and label.doc_number:
        check("doc_number", _same_doc_number(reading.doc_number, label.doc_number),
              f"{reading.doc_number} ≠ {label.doc_number}")
    if label.kind == "service_guide" and label.elements is not None:
        want = set(label.elements)
        into.elements.tp += len(want & reading.elements)
        into.elements.fp += len(reading.elements - want)
        into.elements.fn += len(want - reading.elements)
        if want != reading.elements:
            into.errors.append(f"{label.id}: elements missed {sorted(want - reading.elements)} "
                               f"extra {sorted(reading.elements - want)}")
    if label.role in ("list", "both") and label.is_html:
        if label.entries is not None:
            want_urls = {urljoin(label.url, e["url"]) for e in label.entries}
            got = set(reading.entries)
            into.entries.tp += len(want_urls & got)
            into.entries.fn += len(want_urls - got)
            into.entries.fp += len(got - want_urls)
            if want_urls - got:
                into.errors.append(f"{label.id}: entries missed {len(want_urls - got)}/{len(want_urls)}")
        if label.total_pages and label.total_pages > 1:
            check("pager", reading.page_count == label.total_pages or reading.has_next,
                  f"pager {reading.page_count} ≠ {label.total_pages}")


@dataclass
class PairResult:
    interpretation: str  # label ids
    policy: str
    split: str
    expected_lag: int | None
    found: bool  # paired by the interpretation check's analysis
    lag: int | None
    method: str | None

    @property
    def exact(self) -> bool:
        return self.found and self.lag == self.expected_lag


def expected_lag(policy_date: str | None, interpretation_date: str | None) -> int | None:
    """Working days in (policy date, interpretation date] from the labels (0 when on or before)."""
    from checks.base import parse_date
    from checks.calendar import CalendarUnknown
    from zwgk.services.calendar import default_calendar

    pd, idate = parse_date(policy_date), parse_date(interpretation_date)
    if pd is None or idate is None:
        return None
    if idate <= pd:
        return 0
    try:
        return default_calendar().working_days_between(pd, idate)
    except CalendarUnknown:
        return None


def pairs(labels: list[Label], readings: dict[str, Reading]) -> list[PairResult]:
    """Every labelled policy↔interpretation pair, as the interpretation check pairs the site's pages."""
    from checks.interpretation import analyse
    from zwgk.services.calendar import default_calendar

    by_id = {label.id: label for label in labels}
    out = []
    for label in labels:
        policy = by_id.get(label.interprets or "")
        if label.kind != "interpretation" or policy is None or not policy.date:
            continue
        site = [x for x in labels if x.site == label.site]
        policies = [readings[x.id].record for x in site if readings[x.id].record.kind == "policy"]
        interpretations = [readings[x.id].record for x in site if readings[x.id].record.kind == "interpretation"]
        target, mine = readings[policy.id].record, readings[label.id].record
        found = next((pr for pr in analyse(policies, interpretations, int(policy.date[:4]), default_calendar())
                      if pr.policy is target and pr.interpretation is mine), None)
        out.append(PairResult(label.id, policy.id, split(label.site), expected_lag(policy.date, label.date),
                              found is not None, found.lag if found else None, found.method if found else None))
    return out


def evaluate(labels: list[Label]) -> tuple[dict[str, Tallies], list[PairResult]]:
    """Tallies by group (``all``, ``tune``, ``held``, ``html``, ``text``, ``site:<host>``, ``template:<t>``)
    and the policy↔interpretation pairs."""
    groups: dict[str, Tallies] = defaultdict(Tallies)
    readings = {}
    for label in labels:
        reading = readings[label.id] = read(label)
        for group in ("all", split(label.site), "html" if label.is_html else "text", f"site:{label.site}",
                      f"template:{label.template}"):
            score(label, reading, groups[group])
    return groups, pairs(labels, readings)


if __name__ == "__main__":
    if sys.argv[1:] == ["--assign"]:
        newly = assign_held_back()
        print(f"{len(newly)} new sites held back" + "".join(f"\n  {line}" for line in newly))
    else:
        print("usage: python benchmarks/realpages.py --assign   (place a new batch's sites, before tuning on it)")
