"""The fictional Jiangbin district used by ``seed_demo``: its union tree.

Every function is idempotent: rows are found by their code before being created.
"""

from datetime import date, timedelta

from django.utils import timezone

from .dates import add_months
from .models import Gender, OfficeTerm, Position, TermChange, Union
from .services import (
    person_find_or_create,
    position_add,
    term_close,
    term_open,
    union_create,
)
from .validators import resident_id_check_char
from .workflow import UNION_STEPS, Officer, term_change_advance, term_change_plan

DISTRICT = ("JB", "江滨区总工会", "Jiangbin District Federation of Trade Unions")

SUBDISTRICTS = [
    (
        "JB-S01",
        "滨江街道总工会",
        "Binjiang Sub-district",
        [
            ("滨江社区工会联合会", "Binjiang Community Union", "community"),
            (
                "江滨电子科技有限公司工会",
                "Jiangbin Electronics Co. Union",
                "enterprise",
            ),
            ("滨江第一小学工会", "Binjiang No. 1 Primary School Union", "enterprise"),
            ("东港物流集团工会", "Donggang Logistics Group Union", "enterprise"),
            ("望江社区工会", "Wangjiang Community Union", "community"),
        ],
    ),
    (
        "JB-S02",
        "东湖街道总工会",
        "Donghu Sub-district",
        [
            ("东湖社区工会", "Donghu Community Union", "community"),
            ("湖光纺织厂工会", "Huguang Textile Mill Union", "enterprise"),
            ("东湖医院工会", "Donghu Hospital Union", "enterprise"),
            ("新湖建设集团工会", "Xinhu Construction Group Union", "enterprise"),
            ("桃源社区工会", "Taoyuan Community Union", "community"),
            ("东湖公交公司工会", "Donghu Bus Company Union", "enterprise"),
        ],
    ),
    (
        "JB-S03",
        "西城街道总工会",
        "Xicheng Sub-district",
        [
            ("西城社区工会", "Xicheng Community Union", "community"),
            ("西城机械制造厂工会", "Xicheng Machinery Works Union", "enterprise"),
            ("金鼎商贸有限公司工会", "Jinding Trading Co. Union", "enterprise"),
            ("西城环卫所工会", "Xicheng Sanitation Station Union", "enterprise"),
            ("柳巷社区工会", "Liuxiang Community Union", "community"),
        ],
    ),
    (
        "JB-S04",
        "南湖街道总工会",
        "Nanhu Sub-district",
        [
            ("南湖社区工会", "Nanhu Community Union", "community"),
            ("南湖食品有限公司工会", "Nanhu Foods Co. Union", "enterprise"),
            ("南湖中学工会", "Nanhu Middle School Union", "enterprise"),
            ("瑞丰化工有限公司工会", "Ruifeng Chemicals Co. Union", "enterprise"),
            ("梅园社区工会", "Meiyuan Community Union", "community"),
        ],
    ),
    (
        "JB-S05",
        "北山街道总工会",
        "Beishan Sub-district",
        [
            ("北山社区工会", "Beishan Community Union", "community"),
            ("北山水泥厂工会", "Beishan Cement Plant Union", "enterprise"),
            ("青松物业公司工会", "Qingsong Property Services Union", "enterprise"),
            ("北山卫生院工会", "Beishan Health Centre Union", "enterprise"),
            ("松林社区工会", "Songlin Community Union", "community"),
            ("北山快递服务站工会", "Beishan Courier Station Union", "enterprise"),
        ],
    ),
    (
        "JB-S06",
        "新港街道总工会",
        "Xingang Sub-district",
        [
            ("新港社区工会", "Xingang Community Union", "community"),
            ("新港码头集团工会", "Xingang Port Group Union", "enterprise"),
            ("海韵酒店管理公司工会", "Haiyun Hotel Management Union", "enterprise"),
            ("新港汽车配件厂工会", "Xingang Auto Parts Union", "enterprise"),
            ("渔港社区工会", "Yugang Community Union", "community"),
        ],
    ),
    (
        "JB-S07",
        "城关街道总工会",
        "Chengguan Sub-district",
        [
            ("城关社区工会", "Chengguan Community Union", "community"),
            ("城关供电所工会", "Chengguan Power Supply Union", "enterprise"),
            ("华联超市工会", "Hualian Supermarket Union", "enterprise"),
            ("城关第二小学工会", "Chengguan No. 2 Primary School Union", "enterprise"),
            ("古楼社区工会", "Gulou Community Union", "community"),
        ],
    ),
    (
        "JB-S08",
        "高新街道总工会",
        "Gaoxin Sub-district",
        [
            ("高新社区工会", "Gaoxin Community Union", "community"),
            ("星河软件有限公司工会", "Xinghe Software Co. Union", "enterprise"),
            (
                "高新精密仪器公司工会",
                "Gaoxin Precision Instruments Union",
                "enterprise",
            ),
            ("创业园联合工会", "Start-up Park Joint Union", "enterprise"),
            ("云谷社区工会", "Yungu Community Union", "community"),
            ("高新新能源公司工会", "Gaoxin New Energy Co. Union", "enterprise"),
        ],
    ),
]


def _get_or_create(*, code, parent, name_zh, name_en, kind, member_count) -> Union:
    existing = Union.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return union_create(
        parent=parent,
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kind=kind,
        member_count=member_count,
    )


def seed_union_tree() -> dict[str, Union]:
    """Creates the district, 8 sub-district unions and 42 grassroots unions."""
    unions: dict[str, Union] = {}
    code, name_zh, name_en = DISTRICT
    district = _get_or_create(
        code=code,
        parent=None,
        name_zh=name_zh,
        name_en=name_en,
        kind=Union.Kind.DISTRICT,
        member_count=86000,
    )
    unions[code] = district
    for s_index, (s_code, s_zh, s_en, children) in enumerate(SUBDISTRICTS, start=1):
        sub = _get_or_create(
            code=s_code,
            parent=district,
            name_zh=s_zh,
            name_en=f"{s_en} Federation of Trade Unions",
            kind=Union.Kind.SUBDISTRICT,
            member_count=6000 + 700 * s_index,
        )
        unions[s_code] = sub
        for g_index, (g_zh, g_en, kind) in enumerate(children, start=1):
            g_code = f"{s_code}-G{g_index:02d}"
            unions[g_code] = _get_or_create(
                code=g_code,
                parent=sub,
                name_zh=g_zh,
                name_en=g_en,
                kind=kind,
                member_count=80 + 37 * ((s_index * 7 + g_index * 13) % 23),
            )
    return unions


# --- office terms, officers and changes of term ---------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = {
    Gender.MALE: [
        "建国",
        "志强",
        "文博",
        "晓东",
        "明辉",
        "立新",
        "国华",
        "俊杰",
        "振华",
        "海涛",
    ],
    Gender.FEMALE: [
        "秀英",
        "丽华",
        "海燕",
        "桂兰",
        "雪梅",
        "静",
        "春燕",
        "玉珍",
        "淑芳",
        "红梅",
    ],
}
OFFICER_ROLES = [
    (Position.Role.CHAIR, Gender.MALE),
    (Position.Role.VICE_CHAIR, Gender.FEMALE),
    (Position.Role.COMMITTEE_MEMBER, Gender.MALE),
    (Position.Role.COMMITTEE_MEMBER, Gender.FEMALE),
    (Position.Role.FUNDS_REVIEW_MEMBER, Gender.MALE),
    (Position.Role.WOMEN_COMMITTEE_MEMBER, Gender.FEMALE),
]
# Region code 99 belongs to no province, so these ID numbers are valid in form but
# can never be anyone's.
DEMO_REGION = "990101"

# Days from today to the planned end of the current term of particular unions; the
# others get an end well ahead. Exactly two are overdue.
OVERDUE = {"JB-S02-G02": -75, "JB-S05-G03": -20}
DUE = {
    "JB-S01-G01": 40,
    "JB-S03": 95,
    "JB-S04-G04": 130,
    "JB-S06-G02": 150,
    "JB-S08-G05": 170,
}
# One change of term in progress at each of three steps.
CHANGES = {
    "JB-S02-G02": TermChange.State.SUBMITTED,
    "JB-S05-G03": TermChange.State.APPROVED,
    "JB-S01-G01": TermChange.State.ELECTION_HELD,
}


def _demo_id(serial: int, birth: date) -> str:
    first17 = f"{DEMO_REGION}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def _name(union_index: int, offset: int, gender: str) -> str:
    # Different surnames for the officers of one union, a given name that fits.
    surname = SURNAMES[(union_index * 7 + offset * 3) % len(SURNAMES)]
    given = GIVEN[gender]
    return surname + given[(union_index * 3 + offset) % len(given)]


def _officers(union_index: int) -> list[Officer]:
    """Six officers; each (union_index, office) pair gets its own ID number."""
    officers = []
    for offset, (role, gender) in enumerate(OFFICER_ROLES):
        birth = date(
            1966 + offset * 3, 1 + union_index % 12, 1 + (union_index // 12) % 28
        )
        officers.append(
            Officer(
                name=_name(union_index, offset, gender),
                role=role,
                gender=gender,
                phone=f"139 {union_index % 10000:04d} {offset:04d}",
                id_number=_demo_id(union_index, birth),
            )
        )
    return officers


def _current_end(code: str, index: int, today: date, years: int = 5) -> date:
    if code in OVERDUE:
        return today + timedelta(days=OVERDUE[code])
    if code in DUE:
        return today + timedelta(days=DUE[code])
    # Well clear of the six-month window: from about 8 months to 4½ years ahead
    # (under 3 years for a 3-year term, whose start is then never in the future).
    return today + timedelta(days=240 + (index * 97) % (1400 if years == 5 else 800))


def _seed_terms(union: Union, index: int, today: date) -> None:
    years = 3 if union.is_grassroots and index % 3 == 0 else 5
    end = _current_end(union.code, index, today, years)
    start = add_months(end, -12 * years)
    history = 1 + index % 2  # closed terms before the current one
    starts = [add_months(start, -12 * years * k) for k in range(history, 0, -1)]
    ends = [*starts[1:], start]
    for number, (closed_start, closed_end) in enumerate(
        zip(starts, ends, strict=True), start=1
    ):
        term = term_open(
            union=union, start=closed_start, length_years=years, number=number
        )
        for officer in _officers(index * 3 + number)[:2]:
            person = person_find_or_create(
                union=union,
                name=officer.name,
                gender=officer.gender,
                phone=officer.phone,
                id_number=officer.id_number,
            )
            position_add(
                term=term, person=person, role=officer.role, start=closed_start
            )
        # The next term began the day this one's successor was elected.
        term_close(term=term, end=closed_end)
    number = history + 1
    term = term_open(union=union, start=start, length_years=years, number=number)
    for officer in _officers(index * 3 + number):
        person = person_find_or_create(
            union=union,
            name=officer.name,
            gender=officer.gender,
            phone=officer.phone,
            id_number=officer.id_number,
        )
        position_add(term=term, person=person, role=officer.role, start=start)


def _seed_change(
    union: Union, target: str, index: int, users: dict, today: date
) -> None:
    admin = users.get("admin")
    cadre = users.get("cadre_grass") if union.code == "JB-S02-G02" else admin
    steps = [
        TermChange.State.SUBMITTED,
        TermChange.State.APPROVED,
        TermChange.State.ELECTION_HELD,
    ]
    day = today - timedelta(days=60)
    change = term_change_plan(
        union=union,
        by=cadre,
        day=day,
        planned_election_date=today + timedelta(days=30),
        new_term_years=5,
        comment="拟于下月召开会员大会进行换届选举。",
    )
    comments = {
        TermChange.State.SUBMITTED: "已向上级工会报送换届请示。",
        TermChange.State.APPROVED: "同意按期换届，候选人名单已审核。",
        TermChange.State.ELECTION_HELD: "会员代表大会选举产生新一届委员会。",
    }
    for step in steps:
        day += timedelta(days=15)
        by = admin if step not in UNION_STEPS else cadre
        term_change_advance(
            change=change,
            step=step,
            by=by,
            day=min(day, today),
            comment=comments[step],
            officers=_officers(900 + index)
            if step == TermChange.State.ELECTION_HELD
            else None,
        )
        if step == target:
            break


def seed(context: dict) -> None:
    """Term history, officers and three changes of term under way (idempotent)."""
    unions: dict[str, Union] = context["unions"]
    users: dict = context.get("users", {})
    today = timezone.localdate()
    for index, (_code, union) in enumerate(sorted(unions.items()), start=1):
        if not union.terms.exists():
            _seed_terms(union, index, today)
    for index, (code, target) in enumerate(CHANGES.items(), start=1):
        union = unions.get(code)
        if union is None or union.term_changes.exists():
            continue
        _seed_change(union, target, index, users, today)
    context["terms_overdue"] = sorted(OVERDUE)


def demo_codes() -> list[str]:
    codes = [DISTRICT[0]]
    for s_code, _zh, _en, children in SUBDISTRICTS:
        codes.append(s_code)
        codes += [f"{s_code}-G{index:02d}" for index in range(1, len(children) + 1)]
    return codes


def tree_present(context: dict) -> bool:
    """Every union of the demo tree exists (one query); fills ``unions``."""
    codes = demo_codes()
    unions = {u.code: u for u in Union.objects.filter(code__in=codes)}
    if len(unions) != len(codes):
        return False
    context["unions"] = unions
    return True


def terms_present(context: dict) -> bool:
    """The terms are seeded (for every union at once, so the district's tell)."""
    if not OfficeTerm.objects.filter(union__code=DISTRICT[0]).exists():
        return False
    context["terms_overdue"] = sorted(OVERDUE)
    return True


def seed_tree(context: dict) -> None:
    """The first demo step: the union tree every other step hangs on."""
    context["unions"] = seed_union_tree()
