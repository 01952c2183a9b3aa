"""Where a command's data lives: its database and crawl evidence, the units registry copied into it, and a
fresh output folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from zwgk import paths
from zwgk.registry.units import crawl_settings_for, load_host_policies, load_units
from zwgk.services.errors import AppError
from zwgk.store import Store
from zwgk.store.blobs import BlobStore
from zwgk.store.crawl import CrawlStore


def fresh_output_dir(out: Path, marker: str, label: str) -> None:
    """Make ``out`` an empty folder for a command's output: a missing or empty folder is used, an earlier
    output of the same command (it holds ``marker``) is replaced, anything else is refused so that nobody's
    files are overwritten. ``label`` names the output in the message, e.g. 演示 or 自查."""
    if out.exists() and not out.is_dir():
        raise AppError(f"{out} 已存在且不是目录，请换一个 --out")
    if out.is_dir() and any(out.iterdir()):
        if not (out / marker).is_file():
            raise AppError(f"目录 {out} 不是{label}目录，也不是空目录；为免覆盖其中的文件，请换一个 --out")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / marker).write_text(f"zwgk {label} output: the command deletes and rewrites this folder.\n", encoding="utf-8")


def open_store(db: str | Path | None) -> Store:
    return Store.open(Path(db) if db else paths.default_db_path())


def crawl_store(store: Store) -> CrawlStore:
    """The crawl evidence of a database: snapshots live in ``blobs/`` beside the database file."""
    return CrawlStore(store, BlobStore(Path(store.database_file()).parent / "blobs"))


def sync_units(store: Store, units_path: str | Path | None) -> int:
    """Copy the units registry into the store. An explicit path must exist; the default may be absent."""
    path = Path(units_path) if units_path else paths.default_units_path()
    if not units_path and not path.exists():
        return 0
    units = load_units(path)
    store.upsert_units([u.to_dict() for u in units])
    return len(units)


def host_settings(units_path: str | Path | None) -> dict:
    """Crawl settings for the registry's per-host politeness (``hosts:`` in units.yaml), if any."""
    path = Path(units_path) if units_path else paths.default_units_path()
    if not units_path and not path.exists():
        return {}
    return crawl_settings_for(load_host_policies(path))


def unit_or_fail(store: Store, unit_id: str) -> dict:
    unit = store.get_unit(unit_id)
    if unit is None:
        known = "、".join(u["id"] for u in store.list_units()) or "（无；请用 --units 指定单位名录）"
        raise AppError(f"单位 {unit_id} 不在单位名录中。已登记的单位：{known}")
    return unit
