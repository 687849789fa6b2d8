"""The organisation: the union tree (a city above its districts), users of every
role, people, office terms with their history, positions and changes of term."""

import datetime

from django.contrib.auth.hashers import make_password

from accounts.models import Notification, User
from bench.copy import CopyTable
from unions.dates import add_months, planned_end_for
from unions.models import (
    OfficeTerm,
    Person,
    Position,
    TermChange,
    TermChangeStep,
    Union,
)

from . import names
from .world import CODE_PREFIX, USER_PREFIX, UnionRow, World, unit

PERSONA_PASSWORD = "bench"  # noqa: S105 - a benchmark database's throwaway sign-in

# username: (where, roles, description)
PERSONAS = {
    "admin": ("root", {"is_union_admin": True}, "administrator of the root union"),
    "leader": ("root", {"is_leader": True}, "leader of the root union: reads all"),
    "reviewer": ("root", {"is_reviewer": True}, "reviewer of the root union"),
    "district": (
        "district",
        {"is_cadre": True, "is_reviewer": True},
        "cadre and reviewer of the first district",
    ),
    "sub": (
        "subdistrict",
        {"is_cadre": True, "is_reviewer": True},
        "cadre and reviewer of the first sub-district union",
    ),
    "cadre": ("grassroots", {"is_cadre": True}, "cadre of the first grassroots union"),
}


def build_tree(world: World) -> None:
    """Lays out the tree in memory with ids and materialised paths."""
    scale = world.scale
    count = scale.unions
    next_id = world.take_ids(Union, count)
    rows: list[UnionRow] = []

    def add(code, kind, parent, district, subdistrict=None, number=0):
        nonlocal next_id
        path = f"{parent.path if parent else '/'}{next_id}/"
        row = UnionRow(
            id=next_id,
            code=code,
            kind=kind,
            parent_id=parent.id if parent else None,
            path=path,
            depth=path.count("/") - 2,
            district=district,
            subdistrict=subdistrict,
            number=number,
        )
        next_id += 1
        rows.append(row)
        return row

    city = add(CODE_PREFIX, "city", None, 0) if scale.with_city else None
    world.root = city
    # Breadth first by level keeps each level's ids contiguous and the paths sorted.
    for d in range(scale.districts):
        code = f"{CODE_PREFIX}-D{d + 1:02d}"
        district = add(code, "district", city, d, number=d)
        world.districts.append(district)
        if world.root is None:
            world.root = district
    for district in world.districts:
        for s in range(scale.subdistricts_per_district):
            sub = add(
                f"{district.code}-S{s + 1:02d}",
                "subdistrict",
                district,
                district.district,
                s,
                number=s,
            )
            world.subdistricts.append(sub)
    for sub in world.subdistricts:
        for g in range(scale.grassroots_per_subdistrict):
            kind = "community" if g % 5 == 4 else "enterprise"
            world.grassroots.append(
                add(
                    f"{sub.code}-G{g + 1:03d}",
                    kind,
                    sub,
                    sub.district,
                    sub.subdistrict,
                    number=g,
                )
            )
    world.unions = rows


def _union_names(row: UnionRow) -> tuple[str, str]:
    d_zh, d_en = names.DISTRICTS[row.district % len(names.DISTRICTS)]
    if row.kind == "city":
        return "江城市总工会", "Jiangcheng City Federation of Trade Unions"
    if row.kind == "district":
        return f"{d_zh}区总工会", f"{d_en} District Federation of Trade Unions"
    s_zh, s_en = names.STREETS[row.subdistrict % len(names.STREETS)]
    if row.kind == "subdistrict":
        return (
            f"{d_zh}区{s_zh}街道总工会",
            f"{d_en} {s_en} Sub-district Federation of Trade Unions",
        )
    number = row.number + 1
    if row.kind == "community":
        c_zh, c_en = names.COMMUNITIES[row.number % len(names.COMMUNITIES)]
        return f"{s_zh}第{number}{c_zh}", f"{s_en} No. {number} {c_en}"
    e_zh, e_en = names.ENTERPRISES[row.number % len(names.ENTERPRISES)]
    return (
        f"{d_zh}{s_zh}第{number}{e_zh}工会",
        f"{d_en} {s_en} No. {number} {e_en} Union",
    )


def seed_unions(world: World) -> int:
    table = CopyTable(
        Union,
        ["id", "name_zh", "name_en", "code", "kind", "parent", "path", "depth"]
        + ["member_count", "is_active", "created_at", "updated_at"],
        now=world.now,
    )
    stamp = world.at(world.today.replace(year=world.years[0], month=1, day=2))

    def lines():
        for row in world.unions:
            name_zh, name_en = _union_names(row)
            if row.is_grassroots:
                members = 30 + int(unit(row.id, 1) * 900)
            elif row.kind == "subdistrict":
                members = 5000 + int(unit(row.id, 1) * 9000)
            else:
                members = 80000 + int(unit(row.id, 1) * 90000)
            parent = row.parent_id if row.parent_id else "\\N"
            # A few grassroots unions have closed: the lists must skip them.
            active = "f" if row.is_grassroots and unit(row.id, 2) < 0.01 else "t"
            yield (
                f"{row.id}\t{name_zh}\t{name_en}\t{row.code}\t{row.kind}\t{parent}\t"
                f"{row.path}\t{row.depth}\t{members}\t{active}\t{stamp}\t{stamp}"
            )

    return table.load(lines())


def seed_users(world: World) -> int:
    """The personas (password ``bench``) and one cadre per union below the root."""
    anchor = {
        "root": world.root,
        "district": world.districts[0],
        "subdistrict": world.subdistricts[0],
        "grassroots": world.grassroots[0],
    }
    units = [row for row in world.unions if row is not world.root]
    first = world.take_ids(User, len(PERSONAS) + len(units))
    password = make_password(PERSONA_PASSWORD)
    table = CopyTable(
        User,
        ["id", "password", "username", "first_name", "last_name", "email"]
        + ["union", "is_cadre", "is_reviewer", "is_leader", "is_union_admin"]
        + ["date_joined", "is_active"],
        now=world.now,
    )
    joined = world.at(datetime.date(world.years[0], 1, 2))

    def flag(value):
        return "t" if value else "f"

    def lines():
        user_id = first
        for key, (where, roles, _description) in PERSONAS.items():
            username = f"{USER_PREFIX}{key}"
            world.personas[key] = user_id
            yield (
                f"{user_id}\t{password}\t{username}\tBench\t{key.title()}\t"
                f"{username}@bench.invalid\t{anchor[where].id}\t"
                f"{flag(roles.get('is_cadre'))}\t{flag(roles.get('is_reviewer'))}\t"
                f"{flag(roles.get('is_leader'))}\t{flag(roles.get('is_union_admin'))}\t"
                f"{joined}\tt"
            )
            user_id += 1
        for row in units:
            world.unit_user[row.id] = user_id
            reviews = "f" if row.is_grassroots else "t"
            yield (
                f"{user_id}\t!\t{USER_PREFIX}u{row.id}\t{names.person_name(row.id)}\t\t"
                f"u{row.id}@bench.invalid\t{row.id}\tt\t{reviews}\tf\tf\t{joined}\tt"
            )
            user_id += 1
        world.unit_user[world.root.id] = world.personas["admin"]

    return table.load(lines())


def seed_people_and_terms(world: World) -> dict[str, int]:
    """Six people per union; a closed previous term and a current one, each with
    five officers; a change of term under way for most unions that are due."""
    scale = world.scale
    today = world.today
    unions = world.unions
    per = scale.people_per_union
    person_first = world.take_ids(Person, len(unions) * per)
    term_first = world.take_ids(OfficeTerm, len(unions) * 2)
    position_first = world.take_ids(Position, len(unions) * 10)
    stamp = world.at(today - datetime.timedelta(days=400))

    people = CopyTable(
        Person,
        ["id", "union", "name", "gender", "birth_date", "phone"]
        + ["created_at", "updated_at"],
        now=world.now,
    )

    def person_lines():
        for index, row in enumerate(unions):
            ids = []
            for j in range(per):
                person_id = person_first + index * per + j
                ids.append(person_id)
                born = datetime.date(1962 + int(unit(person_id, 3) * 34), 1 + j, 10 + j)
                gender = "female" if unit(person_id, 4) < 0.45 else "male"
                phone = f"13{int(unit(person_id, 5) * 1e9):09d}"
                yield (
                    f"{person_id}\t{row.id}\t{names.person_name(person_id)}\t{gender}\t"
                    f"{born.isoformat()}\t{phone}\t{stamp}\t{stamp}"
                )
            world.persons_of[row.id] = ids

    counts = {"people": people.load(person_lines())}

    # Terms: planned end chosen first so that the status mix is known: 4 % overdue,
    # 8 % due within six months, the rest current; a few run for three years.
    plans = []
    for index, row in enumerate(unions):
        draw = unit(row.id, 6)
        years = 3 if unit(row.id, 7) < 0.1 else 5
        if draw < 0.04:
            planned_end = today - datetime.timedelta(
                days=20 + int(unit(row.id, 8) * 400)
            )
        elif draw < 0.12:
            planned_end = today + datetime.timedelta(days=int(unit(row.id, 8) * 180))
        else:
            planned_end = today + datetime.timedelta(
                days=181 + int(unit(row.id, 8) * (365 * years - 200))
            )
        start = add_months(planned_end, -12 * years)
        previous_start = add_months(start, -12 * years)
        number = 2 + int(unit(row.id, 9) * 6)
        plans.append((index, row, years, start, planned_end, previous_start, number))

    terms = CopyTable(
        OfficeTerm,
        ["id", "union", "number", "start", "length_years", "planned_end"]
        + ["actual_end", "closed", "created_at", "updated_at"],
        now=world.now,
    )

    def term_lines():
        for index, row, years, start, planned_end, previous_start, number in plans:
            closed_end = start - datetime.timedelta(days=1)
            yield (
                f"{term_first + 2 * index}\t{row.id}\t{number - 1}\t"
                f"{previous_start.isoformat()}\t{years}\t"
                f"{planned_end_for(previous_start, years).isoformat()}\t"
                f"{closed_end.isoformat()}\tt\t{stamp}\t{stamp}"
            )
            yield (
                f"{term_first + 2 * index + 1}\t{row.id}\t{number}\t{start.isoformat()}\t"
                f"{years}\t{planned_end.isoformat()}\t\\N\tf\t{stamp}\t{stamp}"
            )

    counts["terms"] = terms.load(term_lines())

    roles = ["chair", "vice_chair", "committee_member", "committee_member"]
    roles.append("women_committee_member")
    positions = CopyTable(
        Position,
        ["id", "person", "union", "term", "role", "start", "end", "is_current"]
        + ["created_at", "updated_at"],
        now=world.now,
    )

    def position_lines():
        for index, row, _years, start, _planned_end, previous_start, _n in plans:
            people_ids = world.persons_of[row.id]
            closed_end = (start - datetime.timedelta(days=1)).isoformat()
            for slot, (term_offset, began, end, current) in enumerate(
                (
                    (0, previous_start.isoformat(), closed_end, "f"),
                    (1, start.isoformat(), "\\N", "t"),
                )
            ):
                term_id = term_first + 2 * index + term_offset
                for j, role in enumerate(roles):
                    person = people_ids[(j + slot) % len(people_ids)]
                    position_id = position_first + index * 10 + slot * 5 + j
                    yield (
                        f"{position_id}\t{person}\t{row.id}\t{term_id}\t{role}\t"
                        f"{began}\t{end}\t{current}\t{stamp}\t{stamp}"
                    )

    counts["positions"] = positions.load(position_lines())

    # Changes of term: three quarters of the unions that are due or overdue.
    changing = [
        plan
        for plan in plans
        if plan[4] <= add_months(today, 6) and unit(plan[1].id, 10) < 0.75
    ]
    change_first = world.take_ids(TermChange, len(changing))
    step_first = world.take_ids(TermChangeStep, len(changing) * 3)
    states = ["planned", "submitted", "approved"]
    changes = CopyTable(
        TermChange,
        ["id", "union", "old_term", "state", "planned_election_date"]
        + ["new_term_years", "created_by", "created_at", "updated_at"],
        now=world.now,
    )
    steps = CopyTable(
        TermChangeStep,
        ["id", "change", "step", "date", "comment", "by", "created_at"],
        now=world.now,
    )
    step_rows = []

    def change_lines():
        for n, (index, row, years, _s, planned_end, _p, _num) in enumerate(changing):
            change_id = change_first + n
            reached = int(unit(row.id, 11) * 3)
            election = max(planned_end, today + datetime.timedelta(days=30))
            by = world.unit_user[row.id]
            opened = today - datetime.timedelta(days=90)
            for k in range(reached + 1):
                day = opened + datetime.timedelta(days=20 * k)
                step_rows.append(
                    f"{step_first + 3 * n + k}\t{change_id}\t{states[k]}\t"
                    f"{day.isoformat()}\t\t{by}\t{world.at(day)}"
                )
            yield (
                f"{change_id}\t{row.id}\t{term_first + 2 * index + 1}\t{states[reached]}\t"
                f"{election.isoformat()}\t{years}\t{by}\t{world.at(opened)}\t"
                f"{world.at(opened)}"
            )

    counts["term_changes"] = changes.load(change_lines())
    counts["term_change_steps"] = steps.load(step_rows)
    return counts


def seed_notifications(world: World) -> int:
    """Thirty notifications per persona, ten of them unread (the bell counts them)."""
    table = CopyTable(
        Notification,
        ["id", "recipient", "title", "body", "url", "created_at", "read_at"],
        now=world.now,
    )
    first = world.take_ids(Notification, 30 * len(world.personas))

    def lines():
        n = first
        for user_id in world.personas.values():
            for k in range(30):
                day = world.today - datetime.timedelta(days=k)
                read = "\\N" if k < 10 else world.at(day, 18)
                yield (
                    f"{n}\t{user_id}\t进度报告待审核 {k + 1}\t\t/progress/review/\t"
                    f"{world.at(day)}\t{read}"
                )
                n += 1

    return table.load(lines())
