"""The ``zwgk`` command as a user runs it: help, rubric commands, scoring and review, exit codes."""

import json
import re
from pathlib import Path

import click
import pytest

from sample import build_sample_db
from zwgk.cli import cli, main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def all_commands(group=cli, path=("zwgk",)):
    yield path, group
    if isinstance(group, click.Group):
        for name, cmd in group.commands.items():
            yield from all_commands(cmd, path + (name,))


def test_every_command_has_chinese_help_with_an_example(capsys):
    for path, cmd in all_commands():
        code, out, err = run(capsys, *path[1:], "--help")
        assert code == 0, path
        assert "用法：" in out and "Usage:" not in out, path
        assert "示例" in out, f"{' '.join(path)} 的帮助缺少示例"
        assert "显示本帮助并退出" in out, path
        assert re.search(r"[\u4e00-\u9fff]", cmd.help or ""), path


def test_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, cmd in all_commands():
        if isinstance(cmd, click.Group):
            continue
        assert " ".join(path) in readme, f"README 未提到 {' '.join(path)}"


def test_usage_errors_exit_2_in_chinese(capsys):
    code, out, err = run(capsys, "score", "--period", "2017")
    assert code == 2 and "缺少参数 --unit" in err and out == ""
    code, _, err = run(capsys, "rubric", "nosuch")
    assert code == 2 and "没有这个命令" in err
    code, _, err = run(capsys, "score", "--unit", "x", "--period", "2017", "--bogus")
    assert code == 2 and "没有选项 --bogus" in err


def test_rubric_list_and_show(capsys):
    code, out, _ = run(capsys, "rubric", "list", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema_version"] == 1
    assert {r["id"] for r in doc["rubrics"]} == {"township-2017", "department-2017"}
    assert all(r["total"] == 100 for r in doc["rubrics"])

    code, out, _ = run(capsys, "rubric", "show", "township-2017")
    assert code == 0
    assert out.startswith("2017年乡镇政务公开政务服务工作考核细则")
    assert "  2.5 指标名称：主动公开" in out
    assert "未编制办事指南的扣2分" in out and out.rstrip().endswith("报市政务公开办认定。")

    code, out, _ = run(capsys, "rubric", "show", "department-2017", "--json")
    rubric = json.loads(out)["rubric"]
    assert [c["points"] for c in rubric["categories"]] == [10, 35, 50, 5]
    guide = rubric["categories"][1]["indicators"][1]
    assert guide["rules"][0] == {
        "id": "department-2017.2.2.a", "text": "未公开指南的扣1.5分", "kind": "fixed", "points": 1.5, "unit": None,
        "items": [], "excludes": ["department-2017.2.2.b"], "human_only": False, "note": guide["rules"][0]["note"],
        "checks": ["guide.exists"],
    }
    assert rubric["periods"] == {"from": 2017, "until": None} and rubric["applied_label"] == "按2017年细则评估"

    code, _, err = run(capsys, "rubric", "show", "nosuch-2017")
    assert code == 1 and "没有编号为 nosuch-2017 的考核细则" in err


def test_rubric_validate_good_and_bad_files(capsys, tmp_path):
    code, out, _ = run(capsys, "rubric", "validate", str(ROOT / "rubrics" / "township-2017.yaml"))
    assert code == 0 and "有效" in out

    text = (ROOT / "rubrics" / "township-2017.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "township-2018.yaml"
    bad.write_text(text.replace("    points: 15\n", "    points: 14\n", 1), encoding="utf-8")
    code, out, err = run(capsys, "rubric", "validate", str(bad))
    assert code == 1 and "Traceback" not in err
    assert "township-2018.yaml" in err and "categories[0].points" in err and "合计 15" in err

    code, out, _ = run(capsys, "rubric", "validate", str(bad), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["valid"] is False and doc["field"] == "categories[0].points"

    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: zwgk-rubric/1\nid: [unclosed\n", encoding="utf-8")
    code, _, err = run(capsys, "rubric", "validate", str(broken))
    assert code == 1 and "broken.yaml" in err and "YAML 格式错误" in err

    code, _, err = run(capsys, "rubric", "validate", str(tmp_path / "missing.yaml"))
    assert code == 1 and "无法读取文件" in err


@pytest.fixture
def demo_db(tmp_path):
    """A database with open proposals, manual entries and a 认定 (tests/sample.py; no crawl)."""
    return build_sample_db(tmp_path / "sample")["db"]


def open_items(capsys, db, unit):
    code, out, _ = run(capsys, "review", "list", "--db", db, "--unit", unit, "--period", "2017", "--json")
    assert code == 0
    return json.loads(out)["items"]


def final_scores(capsys, db, unit):
    code, out, _ = run(capsys, "score", "--db", db, "--unit", unit, "--period", "2017", "--json")
    assert code == 0
    sheet = json.loads(out)["score_sheet"]
    return sheet["final_confirmed"], sheet["final_provisional"]


def test_review_workflow_changes_the_score(capsys, demo_db):
    before = final_scores(capsys, demo_db, "xinshi-town")
    assert before == (98, 89.5)
    items = {i["rule_id"]: i for i in open_items(capsys, demo_db, "xinshi-town")}
    report = items["township-2017.2.2.c"]["fingerprint"][:8]
    categories = items["township-2017.2.5.a"]["fingerprint"][:8]
    elements = items["township-2017.3.3.b"]["fingerprint"][:8]

    code, out, _ = run(capsys, "review", "confirm", report, "--db", demo_db, "--by", "pinggu")
    assert code == 0 and "已记录决定" in out
    assert final_scores(capsys, demo_db, "xinshi-town") == (97, 89.5)

    code, _, err = run(capsys, "review", "reject", categories, "--db", demo_db, "--by", "pinggu")
    assert code == 2 and "缺少参数 --reason" in err
    code, _, _ = run(capsys, "review", "reject", categories, "--db", demo_db, "--by", "pinggu", "--reason", "栏目已公开")
    assert code == 0
    assert final_scores(capsys, demo_db, "xinshi-town") == (97, 95.5)

    code, _, _ = run(capsys, "review", "amend", elements, "--db", demo_db, "--by", "pinggu", "--count", "1", "--reason", "两项在附件中")
    assert code == 0
    assert final_scores(capsys, demo_db, "xinshi-town") == (96.5, 96.5)

    code, _, _ = run(capsys, "review", "reopen", categories, "--db", demo_db, "--by", "pinggu", "--reason", "再核")
    assert final_scores(capsys, demo_db, "xinshi-town") == (96.5, 90.5)

    code, _, _ = run(capsys, "review", "na", categories, "--db", demo_db, "--by", "pinggu", "--reason", "已认定")
    assert final_scores(capsys, demo_db, "xinshi-town") == (96.5, 96.5)

    code, out, _ = run(capsys, "review", "log", "--db", demo_db, "--unit", "xinshi-town", "--json")
    log = json.loads(out)["decisions"]
    assert [d["action"] for d in log] == ["not_applicable", "reopen", "amend", "reject", "confirm"]
    assert all(d["by"] == "pinggu" for d in log)


def test_decisions_need_a_real_assessor(capsys, demo_db):
    fp = open_items(capsys, demo_db, "xinshi-town")[0]["fingerprint"][:8]
    code, _, err = run(capsys, "review", "confirm", fp, "--db", demo_db, "--by", "nobody")
    assert code == 1 and "nobody" in err
    code, _, err = run(capsys, "review", "confirm", fp, "--db", demo_db, "--by", "xinshi")
    assert code == 1 and "无权" in err
    code, _, err = run(capsys, "review", "confirm", "ffffffffff", "--db", demo_db, "--by", "pinggu")
    assert code == 1 and "错误：" in err


def test_manual_entries_and_not_applicable(capsys, demo_db):
    code, out, _ = run(capsys, "manual", "add", "--db", demo_db, "--unit", "baishui-town", "--period", "2017",
                       "--rule", "township-2017.1.3.a", "--by", "pinggu", "--reason", "未列入财政预算")
    assert code == 0 and "已录入" in out
    assert final_scores(capsys, demo_db, "baishui-town") == (98, 95)

    code, _, err = run(capsys, "manual", "add", "--db", demo_db, "--unit", "baishui-town", "--period", "2017",
                       "--rule", "department-2017.1.3.a", "--by", "pinggu", "--reason", "x")
    assert code == 1 and "不在考核细则 township-2017 中" in err

    code, _, _ = run(capsys, "manual", "add", "--db", demo_db, "--unit", "baishui-town", "--period", "2017",
                     "--rule", "township-2017.penalty.a", "--count", "1", "--by", "pinggu", "--reason", "省级通报批评")
    assert final_scores(capsys, demo_db, "baishui-town") == (96, 93)

    code, out, _ = run(capsys, "na", "add", "--db", demo_db, "--unit", "baishui-town", "--period", "2017",
                       "--target", "township-2017.1.3", "--by", "pinggu", "--reason", "经费由县统一保障")
    assert code == 0 and "已认定不适用" in out
    assert final_scores(capsys, demo_db, "baishui-town") == (98, 95)
    code, out, _ = run(capsys, "score", "--db", demo_db, "--unit", "baishui-town", "--period", "2017")
    assert "本指标不适用（已认定，pinggu）：经费由县统一保障" in out

    code, _, _ = run(capsys, "na", "revoke", "--db", demo_db, "--unit", "baishui-town", "--period", "2017",
                     "--target", "township-2017.1.3", "--by", "pinggu", "--reason", "认定有误")
    assert final_scores(capsys, demo_db, "baishui-town") == (96, 93)

    code, _, err = run(capsys, "na", "add", "--db", demo_db, "--unit", "baishui-town", "--period", "2017",
                       "--target", "township-2017.bonus", "--by", "pinggu", "--reason", "x")
    assert code == 1 and "不是考核细则" in err


def test_score_for_unknown_unit_or_period(capsys, demo_db):
    code, _, err = run(capsys, "score", "--db", demo_db, "--unit", "nosuch", "--period", "2017")
    assert code == 1 and "单位 nosuch 不在单位名录中" in err and "xinshi-town" in err
    code, _, err = run(capsys, "score", "--db", demo_db, "--unit", "xinshi-town", "--period", "2016")
    assert code == 1 and "没有适用于乡镇（township）2016 年度的考核细则" in err
    # a later year without a rubric of its own: the newest in force, and the sheet says so
    code, out, _ = run(capsys, "score", "--db", demo_db, "--unit", "xinshi-town", "--period", "2026")
    assert code == 0 and "按2017年细则评估" in out
    code, _, err = run(capsys, "score", "--db", demo_db, "--unit", "xinshi-town", "--period", "2017",
                       "--rubric", "department-2017")
    assert code == 1 and "用于市直单位" in err


def test_score_text_explains_lost_points(capsys, demo_db):
    code, out, _ = run(capsys, "score", "--db", demo_db, "--unit", "edu-bureau", "--period", "2017")
    assert code == 0
    assert "汨水县教育局（edu-bureau）2017 年度得分" in out
    assert "扣2分（已确认）：未配备专（兼）职工作人员的扣2分" in out
    assert "拟扣1分（拟扣分，待确认）：政策解读不及时的扣1分" in out


def test_users(capsys, tmp_path, monkeypatch):
    db = str(tmp_path / "u.db")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("correct horse\n"))
    code, out, _ = run(capsys, "user", "add", "zhangsan", "--role", "assessor", "--name", "张三", "--password-stdin", "--db", db)
    assert code == 0 and "已添加用户 zhangsan" in out
    code, out, _ = run(capsys, "user", "list", "--db", db, "--json")
    users = json.loads(out)["users"]
    assert [(u["username"], u["role"]) for u in users] == [("zhangsan", "assessor")]
    assert "password" not in json.dumps(users)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("another horse\n"))
    code, _, err = run(capsys, "user", "add", "zhangsan", "--role", "assessor", "--password-stdin", "--db", db)
    assert code == 1 and "zhangsan" in err
    # the password policy: length, not the user name, not a demo password
    for weak, why in (("pw", "至少 12 个字符"), ("lisi-is-my-name", "不能包含用户名"), ("demo-pinggu-2017", "演示密码")):
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO(weak + "\n"))
        code, _, err = run(capsys, "user", "add", "lisi", "--role", "assessor", "--password-stdin", "--db", db)
        assert code == 1 and why in err, weak
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("short\n"))
    code, _, err = run(capsys, "user", "passwd", "zhangsan", "--password-stdin", "--db", db)
    assert code == 1 and "至少 12 个字符" in err
    code, _, err = run(capsys, "user", "add", "lisi", "--role", "boss", "--password-stdin", "--db", db)
    assert code == 2


def test_units_registry_errors_name_the_unit_and_field(capsys, tmp_path):
    bad = tmp_path / "units.yaml"
    bad.write_text("units:\n  - {id: a-town, name: 甲镇, kind: township}\n  - {id: b-town, name: 乙镇, kind: village}\n", encoding="utf-8")
    code, _, err = run(capsys, "units", "list", "--db", str(tmp_path / "x.db"), "--units", str(bad))
    assert code == 1 and "单位 b-town 的字段 kind" in err and "village" in err
    code, out, _ = run(capsys, "units", "list", "--db", str(tmp_path / "x.db"), "--units", str(bad))
    # nothing half-imported: the good first unit was not stored either
    code, out, _ = run(capsys, "units", "list", "--db", str(tmp_path / "x.db"), "--json")
    assert json.loads(out)["units"] == []


def test_json_goes_to_stdout_and_progress_to_stderr(capsys, demo_db):
    code, out, err = run(capsys, "check", "--db", demo_db, "--period", "2017", "--json")
    assert code == 3  # the sample units were never crawled: exit code 3 (partial)
    doc = json.loads(out)  # exactly one JSON document
    assert doc["schema_version"] == 1 and len(doc["units"]) == 4
    # no crawl, so nothing new is judged: the findings already recorded stand
    assert all(u["crawl_status"] == "failed" and u["kept_previous"] for u in doc["units"])
    assert "新市镇人民政府：本次抓取失败（尚未抓取该单位网站），沿用上次检查结果" in err


def test_demo_refuses_to_overwrite_a_foreign_folder(capsys, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("x")
    code, _, err = run(capsys, "demo", "--out", str(tmp_path / "mine"))
    assert code == 1 and "不是演示目录" in err
    assert (tmp_path / "mine" / "thesis.docx").exists()


@pytest.mark.slow
def test_installed_command_runs_in_a_subprocess(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "zwgk", "rubric", "list"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "township-2017" in done.stdout
    done = subprocess.run([sys.executable, "-m", "zwgk", "score"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and "用法错误" in done.stderr


def test_every_command_but_serve_has_json_output():
    for path, cmd in all_commands():
        if isinstance(cmd, click.Group) or path[-1] == "serve":
            continue
        assert any(p.name == "as_json" for p in cmd.params), f"{' '.join(path)} 缺少 --json"


def test_review_and_manual_commands_print_one_json_document(capsys, demo_db):
    fp = open_items(capsys, demo_db, "xinshi-town")[0]["fingerprint"][:8]
    code, out, _ = run(capsys, "review", "confirm", fp, "--db", demo_db, "--by", "pinggu", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["action"] == "confirm" and doc["fingerprint"].startswith(fp)
    code, out, _ = run(capsys, "na", "add", "--db", demo_db, "--unit", "xinshi-town", "--period", "2017",
                       "--target", "township-2017.3.12", "--by", "pinggu", "--reason", "无此职责", "--json")
    assert code == 0 and json.loads(out)["target_id"] == "township-2017.3.12"
