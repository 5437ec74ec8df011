"""English all the way (issue 19 §7) for what compapp keeps as records: the policy data's own
sentences carry an English twin, and an award computation's steps (its trace) are stored as
msgid and values, so English pages read them in English; Chinese pages read them as before."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from flask_babel import refresh

from compapp.policy.english import TRANSLATED_KEYS, english_twin, twin_key
from compapp.policy.loader import load_policy_text
from compapp.policy.strict_toml import PolicyFileError

DATA = Path(__file__).resolve().parent.parent / "compapp" / "policy" / "data"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _sentences(value, found):
    if isinstance(value, dict):
        for key in TRANSLATED_KEYS:
            if isinstance(value.get(key), str) and HAN.search(value[key]):
                found.append((key, value[key], value.get(twin_key(key))))
        for inner in value.values():
            _sentences(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _sentences(inner, found)


@pytest.mark.parametrize("path", sorted(DATA.rglob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_policy_sentence_has_its_english_twin(path):
    """A note, notice, notice text or date note a person reads has ``<key>_en`` beside it."""
    found: list = []
    _sentences(tomllib.loads(path.read_text(encoding="utf-8")), found)
    assert [(key, zh[:30]) for key, zh, en in found if not en] == []


def _yn_text() -> str:
    return (DATA / "awards" / "yn-2021-28.toml").read_text(encoding="utf-8")


def test_the_strict_loader_reads_an_english_twin_and_refuses_an_empty_one():
    text = re.sub(
        r'note = "省级奖励适用于云南省各县（市、区）选派的选手。"\nnote_en = "[^"]*"\n',
        'note = "一条新的说明。"\nnote_en = "A new note."\n',
        _yn_text(),
        count=1,
    )
    assert "一条新的说明。" in text
    load_policy_text(text, "yn-2021-28.toml")
    assert english_twin("一条新的说明。") == "A new note."
    with pytest.raises(PolicyFileError, match="note_en"):
        load_policy_text(text.replace('"A new note."', '"  "'), "yn-2021-28.toml")


def test_a_twin_is_allowed_only_beside_a_sentence_a_person_reads():
    text = _yn_text().replace('id = "yn-2021-28"\n', 'id = "yn-2021-28"\nissuer_en = "Yunnan"\n', 1)
    with pytest.raises(PolicyFileError, match="issuer_en"):
        load_policy_text(text, "yn-2021-28.toml")


def test_a_stored_notice_reads_in_english_on_an_english_page(app):
    """Award computations store the policy's Chinese notice; English pages show its twin."""
    from compapp.english import shown

    notice = (
        "迪庆方案第(6)项只对金、银、铜牌和一、二、三等奖追加州、县奖励，未列优胜奖："
        "优胜奖不追加州、县奖励。"
    )
    with app.test_request_context("/?lang=en"):
        refresh()
        assert shown(notice).startswith("Item (6) of 迪庆方案 tops up only gold")
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert shown(notice) == notice


def test_a_computation_step_is_stored_as_msgid_and_values():
    from compapp.rewards.rules import AwardResult, _step

    out = AwardResult()
    _step(out, "主办：%(name)s %(code)s", name="云南省", code="530000")
    assert out.trace == [["主办：%(name)s %(code)s", {"name": "云南省", "code": "530000"}]]


@pytest.mark.parametrize(
    ("step", "zh", "en"),
    [
        (
            ["主办：%(name)s %(code)s", {"name": "云南省", "code": "530000"}],
            "主办：云南省 530000",
            "Organised by 云南省 530000",
        ),
        (
            [
                "选手：%(line)s",
                {"line": "省级标准：全省综合性职业技能大赛金牌每人 ¥30,000，云南省承担"},
            ],
            "选手：省级标准：全省综合性职业技能大赛金牌每人 ¥30,000，云南省承担",
            "Competitor: Provincial standard: Province-wide comprehensive skills competition, "
            "Gold, ¥30,000 each, paid by 云南省",
        ),
        (
            [
                "%(policy)s 在 %(on)s 不在施行期（%(periods)s）。",
                {"policy": "yn-2017-40", "on": "2025-10-25", "periods": "2017-07-01 至 2020-12-31"},
            ],
            "yn-2017-40 在 2025-10-25 不在施行期（2017-07-01 至 2020-12-31）。",
            "yn-2017-40 is not in force on 2025-10-25 (in force 2017-07-01 to 2020-12-31).",
        ),
    ],
)
def test_a_recorded_step_reads_in_the_page_language(app, step, zh, en):
    from compapp.english import recorded

    with app.test_request_context("/?lang=en"):
        refresh()
        assert recorded(step) == en
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert recorded(step) == zh


def test_an_old_step_stored_as_text_is_shown_as_written_and_marked_chinese(app):
    """Traces stored before steps were msgid and values keep their Chinese text; an English
    page marks it lang="zh-CN" (a screen reader reads it in Chinese)."""
    old = "主办：云南省 530000"
    with app.test_request_context("/?lang=en"):
        refresh()
        html = app.jinja_env.from_string("{{ t|recorded }}").render(t=old)
        assert html == '<span lang="zh-CN">主办：云南省 530000</span>'
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert app.jinja_env.from_string("{{ t|recorded }}").render(t=old) == old


@pytest.mark.parametrize(
    ("count", "english"),
    [
        (1, "1 objection to a notice awaiting investigation"),
        (2, "2 objections to a notice awaiting investigation"),
    ],
)
def test_a_task_count_reads_singular_or_plural_in_english(app, count, english):
    """Issue 19: "1 objections" reads "1 objection"; Chinese has one form."""
    from compapp.notifications.services import Task
    from compapp.notifications.views import task_text

    task = Task(key="objections", count=count, endpoint="notifications.todo")
    with app.test_request_context("/?lang=en"):
        refresh()
        assert task_text(task) == english
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert task_text(task) == f"{count} 条公示异议等待调查处理"


def test_an_audit_summary_is_stored_as_msgid_and_values_and_read_in_the_page_language(app, db):
    """Issue 19 §7: the audit log reads in English on English pages; the Chinese text is kept
    too (the record as written), and an entry written before reads as written."""
    from compapp.audit.models import AuditEntry
    from compapp.audit.services import record_change, says, summary_text

    entry = record_change(
        "download_certificate",
        "certificate",
        1,
        says(
            "下载%(kind)s %(serial)s（%(holder)s）", kind="获奖证书", serial="X1", holder="此里农布"
        ),
    )
    old = AuditEntry(action="x", target_type="y", summary="旧的记录")
    db.session.add(old)
    db.session.flush()
    assert entry.summary == "下载获奖证书 X1（此里农布）"
    with app.test_request_context("/?lang=en"):
        refresh()
        assert summary_text(entry) == "Downloaded Award certificate X1 (此里农布)"
        assert summary_text(old) == "旧的记录"
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert summary_text(entry) == "下载获奖证书 X1（此里农布）"
    db.session.rollback()


def test_the_import_template_explains_itself_in_english_and_keeps_its_chinese_keys(app):
    """The template's instructions, notes and prompts read in the page's language; its column
    headers and drop-down values stay the Chinese the importer reads back."""
    import io

    from openpyxl import load_workbook

    from compapp.imports import layout, template

    with app.test_request_context("/?lang=en"):
        refresh()
        from flask_babel import gettext

        data = template.build_template(
            "测试赛",
            "Province-wide comprehensive skills competition",
            "2025-10-25",
            ["金牌"],
            ["德钦县（迪庆藏族自治州）"],
            say=gettext,
        )
    book = load_workbook(io.BytesIO(data))
    lines = [row[0] for row in book.worksheets[0].iter_rows(values_only=True) if row[0]]
    assert lines[0] == "How to fill in this file"
    assert lines[1].startswith("Contest: 测试赛 (Province-wide")
    unquoted = [re.sub(r"“[^”]*”", "", line) for line in lines[2:]]
    assert [line for line in unquoted if HAN.search(line.replace("金牌", ""))] == []
    sheet = book[layout.SHEET]
    assert [c.value for c in sheet[1]][: len(layout.HEADERS)] == list(layout.HEADERS)


def _summary_is_said(call, function) -> bool:
    """Is the summary a says(…) (or a choice of them), or a name bound to one / typed Said?"""
    import ast

    arg = call.args[3] if len(call.args) > 3 else None
    arg = arg or next((k.value for k in call.keywords if k.arg == "summary"), None)
    if arg is None:
        return True

    def said(node) -> bool:
        if isinstance(node, ast.Call):
            return getattr(node.func, "id", None) == "says"
        if isinstance(node, ast.IfExp):
            return said(node.body) and said(node.orelse)
        if isinstance(node, ast.Name) and function is not None:
            typed = any(
                a.arg == node.id
                and a.annotation is not None
                and "Said" in ast.unparse(a.annotation)
                for a in function.args.args
            )
            bound = [
                n.value
                for n in ast.walk(function)
                if isinstance(n, ast.Assign)
                and any(getattr(t, "id", None) == node.id for t in n.targets)
            ]
            return typed or (bool(bound) and all(said(v) for v in bound))
        return False

    return said(arg)


def test_every_audit_record_is_written_as_msgid_and_values():
    """Issue 19 §7: an audit summary written as plain Chinese shows Chinese on English pages.
    Every record_change in compapp passes ``says(N_(…), …)`` (or a name bound to one)."""
    import ast

    root = Path(__file__).resolve().parent.parent / "compapp"
    plain = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for function in functions:
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None))
                    in ("record_change", "_change_case")  # a promotion case's changes
                    and not _summary_is_said(node, function)
                ):
                    plain.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert not sorted(set(plain)), "audit summaries written as plain text"


def test_records_of_what_people_do_read_in_english(app, db, demo):
    """Registering a contest, confirming a result on review, recording a payment and a
    working-day calendar: each record reads in English on an English page (names kept)."""
    from tests.helpers import signed_in

    admin = signed_in(app, "admin")
    response = admin.post(
        "/contests/new",
        data={
            "name": "英文记录测试赛",
            "category": "provincial_class1",
            "organising_body": "云南省人力资源和社会保障厅",
            "organiser": "530000",
            "starts_on": "2026-06-10",
            "ends_on": "2026-06-12",
            "award_on": "2026-06-12",
        },
    )
    assert response.status_code == 302
    admin.get(response.location)  # the page that shows the flash message
    refresh()  # the test's application context is the requests' too: forget its language
    page = admin.get("/audit/?lang=en").get_data(as_text=True)
    assert "Contest registered: 英文记录测试赛" in page
    assert "登记赛事" not in page
    refresh()
    page = admin.get("/audit/?lang=zh").get_data(as_text=True)
    assert "登记赛事 英文记录测试赛" in page


def _action_codes() -> set[str]:
    """Every action code compapp writes: record_change's first argument, and the promotion
    decisions' (which pass theirs through _change_case)."""
    import ast

    position = {"record_change": 0, "_change_case": 2, "_decide_case": 4, "_title_decision": 4}
    codes: set[str] = set()

    def literals(node) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return literals(node.body) + literals(node.orelse)
        return []

    root = Path(__file__).resolve().parent.parent / "compapp"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in position and len(node.args) > position[name]:
                    codes.update(literals(node.args[position[name]]))
    return codes


def test_every_action_and_record_kind_in_the_audit_log_has_a_name():
    from compapp.audit.actions import ACTION_NAMES

    codes = _action_codes()
    assert len(codes) > 50
    assert sorted(codes - set(ACTION_NAMES)) == []
    assert sorted(set(ACTION_NAMES) - codes) == []  # no name for an action nothing writes


def test_the_audit_log_names_actions_and_records_in_the_page_language(app, db, demo):
    """The log shows "Register contest" and "Contest #N", not create_contest / contest N;
    the filter offers the names and keeps the codes."""
    from tests.helpers import signed_in

    admin = signed_in(app, "admin")
    new = {
        "name": "审计名称测试赛",
        "category": "provincial_class1",
        "organising_body": "云南省人力资源和社会保障厅",
        "organiser": "530000",
        "starts_on": "2026-06-10",
        "ends_on": "2026-06-12",
        "award_on": "2026-06-12",
    }
    admin.get(admin.post("/contests/new", data=new).location)
    refresh()
    page = admin.get("/audit/?action=create_contest&lang=en").get_data(as_text=True)
    assert '<option value="create_contest" selected>Register contest</option>' in page
    assert re.search(
        r'<td title="create_contest">Register contest</td><td class="nowrap">Contest #\d+</td>',
        page,
    )
    refresh()
    page = admin.get("/audit/?action=create_contest&lang=zh").get_data(as_text=True)
    assert re.search(
        r'<td title="create_contest">登记赛事</td><td class="nowrap">赛事 #\d+</td>', page
    )
    assert "<summary>查看变更</summary>" in page
