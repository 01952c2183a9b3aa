"""整改建议: the "how to fix it" text shown next to each lost point (``remedies.yaml``).

Keys are rule ids; ``*`` in place of the rubric id matches that rule in every rubric. An exact key wins
over a wildcard. Manual rules (nothing on a website shows them) get the file's ``fallback`` text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

import yaml

from rubrics.model import Automation, Rubric

SCHEMA = "zwgk-remedies/1"
CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")
KEY = re.compile(r"^(\*|[a-z0-9][a-z0-9-]*)\.([0-9]+\.[0-9]+\.[a-z])$")


class RemediesError(ValueError):
    """A remedies file that cannot be used; the message is Chinese and names the file and key."""


@dataclass(frozen=True)
class Remedies:
    exact: dict[str, str]  # full rule id → text
    wildcard: dict[str, str]  # "2.2.a" (rule id without the rubric id) → text
    fallback: str

    def lookup(self, rule_id: str) -> str | None:
        """The specific text for a rule, or None when only the fallback applies."""
        if rule_id in self.exact:
            return self.exact[rule_id]
        _, _, local = rule_id.partition(".")
        return self.wildcard.get(local)

    def for_rule(self, rule_id: str) -> str:
        return self.lookup(rule_id) or self.fallback


def _text(value: object, file: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RemediesError(f"{file}：{where} 应为非空文本")
    # folded YAML lines join with a space; Chinese text has none next to Chinese characters
    return CJK_SPACE.sub("", " ".join(value.split()))


def parse_remedies(data: object, file: str) -> Remedies:
    if not isinstance(data, dict):
        raise RemediesError(f"{file}：顶层应为映射")
    if data.get("schema") != SCHEMA:
        raise RemediesError(f"{file}：schema 应为 {SCHEMA}，实际为 {data.get('schema')!r}")
    fallback = _text(data.get("fallback"), file, "fallback")
    entries = data.get("remedies")
    if not isinstance(entries, dict) or not entries:
        raise RemediesError(f"{file}：remedies 应为非空映射（规则编号 → 整改建议）")
    exact: dict[str, str] = {}
    wildcard: dict[str, str] = {}
    for key, value in entries.items():
        match = KEY.match(str(key))
        if not match:
            raise RemediesError(f"{file}：键 {key!r} 不是规则编号（如 township-2017.2.2.a 或 *.2.2.a）")
        text = _text(value, file, f"remedies.{key}")
        if match.group(1) == "*":
            wildcard[match.group(2)] = text
        else:
            exact[str(key)] = text
    return Remedies(exact=exact, wildcard=wildcard, fallback=fallback)


def default_path() -> Path:
    return Path(str(resources.files("reports") / "remedies.yaml"))


def load_remedies(path: str | Path | None = None) -> Remedies:
    """Read and validate a remedies file (default: the bundled ``reports/remedies.yaml``)."""
    file = Path(path) if path else default_path()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RemediesError(f"{file}：YAML 格式错误：{exc}") from None
    return parse_remedies(data, str(file))


def coverage_problems(remedies: Remedies, rubrics: Iterable[Rubric]) -> list[str]:
    """What is wrong between a remedies file and the rubrics it serves, in Chinese (empty: nothing).

    Every key must name at least one rule; every rule of an auto or partial indicator needs a text.
    """
    rubrics = list(rubrics)
    problems = []
    for key in remedies.exact:
        if not any(r.has_id(key) for r in rubrics):
            problems.append(f"整改建议的键 {key} 不是任何考核细则中的规则")
    for local in remedies.wildcard:
        if not any(r.has_id(f"{r.id}.{local}") for r in rubrics):
            problems.append(f"整改建议的键 *.{local} 在所有考核细则中都没有对应的规则")
    for rubric in rubrics:
        for ind in rubric.indicators:
            if ind.automation is Automation.MANUAL:
                continue
            for rule in ind.rules:
                if remedies.lookup(rule.id) is None:
                    problems.append(f"规则 {rule.id}（{ind.name}）可自动或辅助检查，但没有整改建议")
    return problems
