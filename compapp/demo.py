"""The demo data set: contests of 2023–2025 at every tier, people sent by Diqing, Longling, Yuxi.

Loading is idempotent: every record is found by its natural key before it is created, so a
second run changes nothing.
"""

from __future__ import annotations

from datetime import date

from compapp.auth.models import User
from compapp.contests.models import Coach, Competitor, Contest, Entry, Event
from compapp.contests.services import (
    CoachData,
    ContestData,
    EntryData,
    MemberData,
    add_event,
    check_contest,
    check_entry,
    confirm_placement,
    get_or_create_body,
    placement_view,
    save_contest,
)
from compapp.core.idnumber import make_id_number
from compapp.extensions import db
from compapp.payees.services import bank_account_of, save_payee
from compapp.policy.categories import CATEGORIES
from compapp.promotion.services import evaluate_contest_promotions, promotion_categories
from compapp.rewards.entries import save_and_price_entry

DEMO_PASSWORD = "compapp-demo"

HRSS_YN = "云南省人力资源和社会保障厅"
HRSS_CN = "人力资源和社会保障部"
HRSS_DQ = "迪庆州人力资源和社会保障局"
HRSS_DL = "大理州人力资源和社会保障局"
# The organising jurisdiction of a prefecture-tier contest follows its body (POLICY.md §3).
BODY_PREFECTURE = {HRSS_DQ: "533400", HRSS_DL: "532900"}

# username, display name, role, scope kind, scope value
ACCOUNTS = (
    ("admin", "系统管理员", "admin", None, None),
    # A second administrator: policy versions and calendar years need another one to decide.
    ("admin2", "复核管理员", "admin", None, None),
    ("organiser1", "李组织（省人社厅）", "organiser", "body", HRSS_YN),
    ("organiser2", "王复核（省人社厅）", "organiser", "body", HRSS_YN),
    ("organiser_dq", "扎西（迪庆州人社局）", "organiser", "body", HRSS_DQ),
    ("coach1", "和教练", "coach", "coach", "和建华"),
    ("coach2", "杨教练", "coach", "coach", "杨丽萍"),
    ("finance_yn", "省财政厅 赵会计", "finance", "jurisdiction", "530000"),
    ("finance_dq", "迪庆州财政局 卓玛", "finance", "jurisdiction", "533400"),
    ("finance_deqin", "德钦县财政局 格桑", "finance", "jurisdiction", "533422"),
    ("finance_ll", "龙陵县财政局 段会计", "finance", "jurisdiction", "530523"),
    ("finance_yx", "玉溪市财政局 李会计", "finance", "jurisdiction", "530400"),
    ("winner1", "此里农布", "winner", "competitor", "53342219980312001"),
)

# id number (17 digits; check digit added), name, employer, employee, grade, home county
PEOPLE = (
    ("53342219980312001", "此里农布", "德钦县梅里雪山旅游公司", True, "senior"),
    ("53342219990705002", "鲁茸卓玛", "德钦县职业高级中学", False, "intermediate"),
    ("53340120000118003", "扎西顿珠", "香格里拉市建筑工程公司", True, "senior"),
    ("53340119970923004", "和丽华", "香格里拉市民族服饰厂", True, "technician"),
    ("53342320010430005", "余金花", "维西县农业技术推广站", False, "junior"),
    ("53342319960211006", "李春荣", "维西县电力公司", True, "none"),
    ("53052319950614007", "段永明", "龙陵县黄龙玉雕刻厂", True, "senior"),
    ("53052319980829008", "杨晓东", "龙陵县职业技术学校", False, "intermediate"),
    ("53052320000303009", "赵国庆", "龙陵县汽车修理厂", True, "intermediate"),
    ("53040219970101010", "张玉兰", "玉溪红塔集团", True, "senior"),
    ("53040319941212011", "王建国", "江川区数控机械厂", True, "technician"),
    ("53042319990606012", "普文华", "通海县农业合作社", False, "junior"),
    ("53342219970808013", "斯那品初", "德钦县人民医院", True, "senior"),
    ("53340119981111014", "阿布", "香格里拉市酒店", True, "intermediate"),
    ("53342320000520015", "蜂春梅", "维西县茶厂", True, "senior"),
    ("53052319960716016", "寸明亮", "龙陵县水电站", True, "technician"),
    # Competitors from prefectures with no local policy in compapp (POLICY.md §4.6).
    ("53010219950301017", "李明轩", "昆明市五华区机电公司", True, "senior"),
    ("53030219970415018", "陈晓峰", "曲靖市麒麟区汽车维修厂", True, "intermediate"),
    ("53060219960820019", "杨海波", "昭通市昭阳区建筑公司", True, "senior"),
    ("53290119980102020", "段丽娟", "大理市白族扎染坊", True, "intermediate"),
    ("53230119950606021", "普志刚", "楚雄市电力公司", True, "technician"),
    ("53250319990909022", "马文斌", "蒙自市职业技术学校", False, "junior"),
    ("53280119971111023", "岩温", "景洪市橡胶加工厂", True, "senior"),
    ("53293119940214024", "赵金福", "剑川县木雕厂", True, "senior"),
    ("53310319960318025", "线小云", "芒市珠宝公司", True, "intermediate"),
)

# name, ID number (17 digits; check digit added). Coaches are told apart by ID number.
COACHES = (
    ("和建华", "53340119780215021"),
    ("杨丽萍", "53342219820607022"),
    ("木文军", "53342319751130023"),
    ("李志强", "53040219800909024"),
    ("周红梅", "53052319850312025"),
)
COACH_NUMBERS = dict(COACHES)

# Fictitious bank details in a valid form (debit-card numbers of 19 digits), by sending area.
BANKS = {
    "5334": ("中国农业银行", "迪庆分行营业部", "622848"),
    "5305": ("中国建设银行", "龙陵县支行", "621700"),
    "5304": ("云南红塔银行", "玉溪分行", "623062"),
}

# contest name, category, body, location, starts, ends, award, events
# event: occupation, format, result kind, entries
# entry: county, [person ids], [(coach, role, share)], rank, tie, result, status
CONTESTS = (
    (
        "第47届世界技能大赛",
        "worldskills",
        HRSS_CN,
        "法国里昂",
        date(2024, 9, 10),
        date(2024, 9, 15),
        date(2024, 9, 15),
        (
            (
                "砌筑",
                "individual",
                "medals",
                (
                    (
                        "533422",
                        ["53342219980312001"],
                        [("和建华", "coach", 60), ("木文军", "translator", 40)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                ),
            ),
            (
                "精细木工",
                "individual",
                "medals",
                (
                    (
                        "530402",
                        ["53040219970101010"],
                        [("李志强", "coach", None)],
                        9,
                        False,
                        "excellence",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "第二届全国技能大赛",
        "national_skills_competition",
        HRSS_CN,
        "天津",
        date(2023, 9, 16),
        date(2023, 9, 19),
        date(2023, 9, 20),
        (
            (
                "电工",
                "individual",
                "medals",
                (
                    (
                        "533422",
                        ["53342219970808013"],
                        [("和建华", "coach", None)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                    (
                        "530523",
                        ["53052319950614007"],
                        [("杨丽萍", "coach", None)],
                        2,
                        False,
                        "silver",
                        "confirmed",
                    ),
                ),
            ),
            (
                "移动机器人",
                "pair",
                "medals",
                (
                    (
                        "530403",
                        ["53040319941212011", "53042319990606012"],
                        [("周红梅", "coach", None)],
                        3,
                        False,
                        "bronze",
                        "confirmed",
                    ),
                    (
                        "533401",
                        ["53340120000118003", "53340119981111014"],
                        [("和建华", "coach", None)],
                        8,
                        False,
                        "excellence",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "2024年全国行业职业技能竞赛（电力行业）",
        "national_class1",
        HRSS_CN,
        "北京",
        date(2024, 10, 20),
        date(2024, 10, 24),
        date(2024, 10, 25),
        (
            (
                "变电设备检修工",
                "individual",
                "medals",
                (
                    (
                        "533423",
                        ["53342319960211006"],
                        [("木文军", "coach", None)],
                        2,
                        False,
                        "silver",
                        "entered",
                    ),
                    (
                        "530523",
                        ["53052319960716016"],
                        [("杨丽萍", "coach", None)],
                        3,
                        False,
                        "bronze",
                        "entered",
                    ),
                ),
            ),
        ),
    ),
    (
        "第二届全国乡村振兴职业技能大赛",
        "national_class1",
        HRSS_CN,
        "江苏徐州",
        date(2025, 5, 10),
        date(2025, 5, 13),
        date(2025, 5, 15),
        (
            (
                "农机修理工",
                "individual",
                "prizes",
                (
                    (
                        "530523",
                        ["53052320000303009"],
                        [("杨丽萍", "coach", None)],
                        1,
                        False,
                        "prize_1",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "2025年全国二类职业技能竞赛（茶艺）",
        "national_class2",
        HRSS_CN,
        "福建福州",
        date(2025, 6, 1),
        date(2025, 6, 3),
        date(2025, 6, 3),
        (
            (
                "茶艺师",
                "individual",
                "rank_only",
                (("533423", ["53342320000520015"], [], 5, False, None, "confirmed"),),
            ),
        ),
    ),
    (
        "云南省第二届职业技能大赛",
        "provincial_comprehensive",
        HRSS_YN,
        "昆明",
        date(2024, 7, 8),
        date(2024, 7, 11),
        date(2024, 7, 12),
        (
            (
                "焊工",
                "individual",
                "medals",
                (
                    (
                        "533401",
                        ["53340120000118003"],
                        [("和建华", "coach", None)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                    (
                        "530523",
                        ["53052319980829008"],
                        [("杨丽萍", "coach", None)],
                        2,
                        False,
                        "silver",
                        "confirmed",
                    ),
                    (
                        "530402",
                        ["53040219970101010"],
                        [("周红梅", "coach", None)],
                        3,
                        False,
                        "bronze",
                        "entered",
                    ),
                ),
            ),
            (
                "民族服饰制作",
                "trio",
                "medals",
                (
                    (
                        "533401",
                        ["53340119970923004", "53342219990705002", "53342320010430005"],
                        [("木文军", "coach", 50), ("和建华", "expert", 50)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "2025年云南省“技能云南”乡村工匠职业技能竞赛",
        "provincial_class1",
        HRSS_YN,
        "大理",
        date(2025, 8, 18),
        date(2025, 8, 20),
        date(2025, 8, 22),
        (
            (
                "中式烹调师",
                "pair",
                "prizes",
                (
                    (
                        "533422",
                        ["53342219980312001", "53342219990705002"],
                        [("和建华", "coach", None)],
                        2,
                        False,
                        "prize_1",
                        "confirmed",
                    ),
                    (
                        "533401",
                        ["53340119981111014", "53340120000118003"],
                        [("木文军", "coach", None)],
                        3,
                        False,
                        "prize_2",
                        "confirmed",
                    ),
                    (
                        "530523",
                        ["53052319950614007", "53052320000303009"],
                        [("杨丽萍", "coach", None)],
                        1,
                        False,
                        "prize_1",
                        "confirmed",
                    ),
                    (
                        "533423",
                        ["53342320000520015", "53342319960211006"],
                        [("木文军", "coach", None)],
                        9,
                        False,
                        None,
                        "confirmed",
                    ),
                ),
            ),
            (
                "茶叶加工工",
                "individual",
                "prizes",
                (
                    (
                        "533422",
                        ["53342219970808013"],
                        [("和建华", "coach", None)],
                        3,
                        False,
                        "prize_3",
                        "confirmed",
                    ),
                    (
                        "533401",
                        ["53340119970923004"],
                        [("木文军", "coach", None)],
                        4,
                        False,
                        None,
                        "confirmed",
                    ),
                    (
                        "533423",
                        ["53342320010430005"],
                        [("木文军", "coach", None)],
                        11,
                        False,
                        None,
                        "confirmed",
                    ),
                ),
            ),
            (
                "民族刺绣",
                "trio",
                "prizes",
                (
                    (
                        "533423",
                        ["53342320000520015", "53342320010430005", "53342319960211006"],
                        [("木文军", "coach", None)],
                        1,
                        False,
                        "prize_1",
                        "entered",
                    ),
                ),
            ),
        ),
    ),
    (
        "2023年云南省二类职业技能竞赛（电子商务）",
        "provincial_class2",
        HRSS_YN,
        "昆明",
        date(2023, 11, 2),
        date(2023, 11, 3),
        date(2023, 11, 3),
        (
            (
                "电子商务师",
                "individual",
                "rank_only",
                (
                    (
                        "533422",
                        ["53342219990705002"],
                        [("和建华", "coach", None)],
                        2,
                        False,
                        None,
                        "confirmed",
                    ),
                    ("533401", ["53340119981111014"], [], 12, False, None, "confirmed"),
                ),
            ),
        ),
    ),
    (
        "迪庆州第一届职业技能大赛",
        "prefecture_comprehensive",
        HRSS_DQ,
        "香格里拉",
        date(2023, 6, 5),
        date(2023, 6, 7),
        date(2023, 6, 8),
        (
            (
                "藏餐烹饪",
                "individual",
                "medals",
                (
                    (
                        "533422",
                        ["53342219980312001"],
                        [("和建华", "coach", None)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                    (
                        "533423",
                        ["53342319960211006"],
                        [("木文军", "coach", None)],
                        2,
                        False,
                        "silver",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "2024年迪庆州一类职业技能竞赛（民族手工艺）",
        "prefecture_class1",
        HRSS_DQ,
        "香格里拉",
        date(2024, 5, 20),
        date(2024, 5, 21),
        date(2024, 5, 22),
        (
            (
                "唐卡绘制",
                "individual",
                "prizes",
                (
                    (
                        "533401",
                        ["53340119981111014"],
                        [("木文军", "coach", None)],
                        1,
                        False,
                        "prize_1",
                        "confirmed",
                    ),
                    (
                        "533422",
                        ["53342219990705002"],
                        [("和建华", "coach", None)],
                        3,
                        False,
                        "prize_2",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "2025年迪庆州二类职业技能竞赛（民宿服务）",
        "prefecture_class2",
        HRSS_DQ,
        "德钦",
        date(2025, 4, 9),
        date(2025, 4, 10),
        date(2025, 4, 10),
        (
            (
                "民宿管家",
                "individual",
                "rank_only",
                (
                    (
                        "533422",
                        ["53342219970808013"],
                        [("和建华", "coach", None)],
                        1,
                        False,
                        None,
                        "entered",
                    ),
                ),
            ),
        ),
    ),
    (
        "云南省第三届职业技能大赛",
        "provincial_comprehensive",
        HRSS_YN,
        "昆明",
        date(2025, 10, 20),
        date(2025, 10, 24),
        date(2025, 10, 25),
        (
            (
                "工业机器人系统运维",
                "individual",
                "medals",
                (
                    (
                        "530102",
                        ["53010219950301017"],
                        [("李志强", "coach", None)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                    (
                        "532301",
                        ["53230119950606021"],
                        [("周红梅", "coach", None)],
                        2,
                        False,
                        "silver",
                        "confirmed",
                    ),
                    (
                        "530302",
                        ["53030219970415018"],
                        [("李志强", "coach", None)],
                        3,
                        False,
                        "bronze",
                        "confirmed",
                    ),
                    (
                        "533401",
                        ["53340120000118003"],
                        [("木文军", "coach", None)],
                        4,
                        False,
                        "excellence",
                        "confirmed",
                    ),
                    ("530602", ["53060219960820019"], [], 9, False, None, "confirmed"),
                ),
            ),
            (
                "民族服饰制作",
                "pair",
                "prizes",
                (
                    (
                        "532901",
                        ["53290119980102020", "53293119940214024"],
                        [("周红梅", "coach", None)],
                        1,
                        False,
                        "prize_1",
                        "confirmed",
                    ),
                    (
                        "532801",
                        ["53280119971111023", "53310319960318025"],
                        [],
                        2,
                        False,
                        "prize_2",
                        "confirmed",
                    ),
                    (
                        "532503",
                        ["53250319990909022", "53042319990606012"],
                        [],
                        3,
                        False,
                        "prize_3",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "2025年大理州一类职业技能竞赛（木雕）",
        "prefecture_class1",
        HRSS_DL,
        "大理",
        date(2025, 8, 12),
        date(2025, 8, 13),
        date(2025, 8, 14),
        (
            (
                "木雕工",
                "individual",
                "medals",
                (
                    (
                        "532931",
                        ["53293119940214024"],
                        [("周红梅", "coach", None)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                    (
                        "533422",
                        ["53342219970808013"],
                        [("和建华", "coach", None)],
                        2,
                        False,
                        "silver",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
    (
        "2025年迪庆州一类职业技能竞赛（藏香制作）",
        "prefecture_class1",
        HRSS_DQ,
        "香格里拉",
        date(2025, 7, 1),
        date(2025, 7, 2),
        date(2025, 7, 3),
        (
            (
                "藏香制作",
                "individual",
                "medals",
                (
                    (
                        "530102",
                        ["53010219950301017"],
                        [("李志强", "coach", None)],
                        1,
                        False,
                        "gold",
                        "confirmed",
                    ),
                    (
                        "533423",
                        ["53342320000520015"],
                        [("木文军", "coach", None)],
                        2,
                        False,
                        "silver",
                        "confirmed",
                    ),
                ),
            ),
        ),
    ),
)


def _one(model, **key):
    return db.session.scalar(db.select(model).filter_by(**key))


def load_demo() -> dict[str, int]:
    """Load the demo data set; return how many records of each kind were created.

    Contests, events and results go through the services a person's pages use (checked,
    saved, priced, and confirmed by a second person), so the demo holds nothing a user could
    not have entered.
    """
    created = {"accounts": 0, "contests": 0, "competitors": 0, "entries": 0}
    bodies = {name: get_or_create_body(name) for name in (HRSS_YN, HRSS_CN, HRSS_DQ, HRSS_DL)}
    people = _demo_people(created)
    coaches = {}
    for name, first17 in COACHES:
        number = make_id_number(first17)
        coaches[name] = _one(Coach, id_number=number) or Coach(name=name, id_number=number)
        db.session.add(coaches[name])
    db.session.flush()
    load_demo_bank_details(list(people.values()) + list(coaches.values()))
    users = _demo_users(created, bodies, coaches, people)
    db.session.flush()
    for name, category, body, place, starts, ends, award, events in CONTESTS:
        if _one(Contest, name=name) is not None:
            continue
        contest = _demo_contest(name, category, body, (place, starts, ends, award))
        created["contests"] += 1
        entered_by = users["organiser_dq" if body == HRSS_DQ else "organiser1"]
        confirmer = users["admin" if body in BODY_PREFECTURE else "organiser2"]
        for occupation, fmt, kind, entries in events:
            event = add_event(contest, occupation, fmt, kind)
            for row in entries:
                _demo_entry(event, row, people, coaches, (entered_by, confirmer))
                created["entries"] += 1
    db.session.flush()
    created["promotion_cases"] = load_demo_promotions()
    return created


def _demo_people(created: dict[str, int]) -> dict[str, Competitor]:
    """The demo competitors by the first 17 digits of their ID numbers (added if missing)."""
    people = {}
    for first17, name, employer, employee, grade in PEOPLE:
        number = make_id_number(first17)
        person = _one(Competitor, id_number=number)
        if person is None:
            person = Competitor(
                id_number=number,
                name=name,
                employer=employer,
                is_employee=employee,
                grade_code=grade,
                home_county_code=first17[:6],
            )
            db.session.add(person)
            created["competitors"] += 1
        people[first17] = person
    return people


def _demo_users(created: dict[str, int], bodies, coaches, people) -> dict[str, User]:
    """The demo accounts by user name (added if missing), each with its scope."""
    users = {}
    for username, display, role, scope, value in ACCOUNTS:
        user = _one(User, username=username)
        if user is None:
            user = User(username=username, display_name=display, role=role)
            user.set_password(DEMO_PASSWORD)
            if scope == "body":
                user.organising_body_id = bodies[value].id
            elif scope == "coach":
                user.coach_id = coaches[value].id
            elif scope == "jurisdiction":
                user.jurisdiction_code = value
            elif scope == "competitor":
                user.competitor_id = people[value].id
            db.session.add(user)
            created["accounts"] += 1
        users[username] = user
    return users


def _demo_contest(name: str, category: str, body: str, when: tuple) -> Contest:
    """Add one demo contest; ``when`` is (place, starts, ends, award date)."""
    place, starts, ends, award = when
    notes = None
    if body == HRSS_CN:
        # Yunnan's bureau records the awards of contests it sends competitors to.
        notes = f"主办：{HRSS_CN}；云南省参赛组织与奖励核发：{HRSS_YN}"
        body = HRSS_YN
    tier = CATEGORIES[category].tier
    data = ContestData(
        name=name,
        category=category,
        organising_body=body,
        starts_on=starts,
        ends_on=ends,
        award_on=award,
        location=place,
        notes=notes,
        organiser=BODY_PREFECTURE[body] if tier == "prefecture" else "530000",
    )
    _refuse_problems(name, check_contest(data))
    return save_contest(data)


def _demo_entry(event: Event, row: tuple, people, coaches, by: tuple) -> Entry:
    """Add one demo entry with its result, priced; ``by`` is (who entered it, who confirms)."""
    county, members, coach_rows, rank, tie, result, status = row
    entered_by, confirmer = by
    data = EntryData(
        sending_county=county,
        members=[_member(people[first17]) for first17 in members],
        coaches=[
            CoachData(name=name, role=role, share_percent=share, id_number=coaches[name].id_number)
            for name, role, share in coach_rows
        ],
        rank=rank,
        is_tie=tie,
        result=result,
    )
    _refuse_problems(event.occupation, check_entry(event, data, see_all=True))
    entry = save_and_price_entry(event, data, entered_by.id, event.version)
    if status == "confirmed":
        confirm_placement(entry.placement, confirmer, placement_view(entry.placement))
    return entry


def _member(person: Competitor) -> MemberData:
    return MemberData(
        id_number=person.id_number,
        name=person.name,
        employer=person.employer,
        is_employee=person.is_employee,
        grade=person.grade_code,
        home_county=person.home_county_code,
    )


def _refuse_problems(what: str, problems) -> None:
    """The demo data set is checked as a person's entry is: a problem is a mistake in it."""
    if problems:
        raise ValueError(f"demo data {what}: {problems}")


def demo_bank_details(person) -> tuple[str, str, str]:
    """Fictitious, valid-looking bank details for a demo person, derived from their ID number."""
    bank, branch, prefix = BANKS.get(person.id_number[:4], BANKS["5334"])
    digits = "".join(ch for ch in person.id_number if ch.isdigit())
    return bank, branch, (prefix + digits[-13:]).ljust(19, "0")


def load_demo_bank_details(people) -> None:
    """Give every demo competitor and coach bank details (through the payee service)."""

    for person in people:
        if person.id_number and bank_account_of(person) is None:
            save_payee(person, *demo_bank_details(person), None)


def load_demo_promotions() -> int:
    """Evaluate promotion eligibility for the demo contests that have promotion rules.

    Idempotent: an evaluation rewrites only undecided cases and writes nothing unchanged.
    """

    contests = db.session.scalars(
        db.select(Contest).where(Contest.category.in_(promotion_categories()))
    ).all()
    return sum(evaluate_contest_promotions(contest).created for contest in contests)
