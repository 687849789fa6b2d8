"""Key work as projects: a plan per district and year, its items handed to every
unit, monthly progress reports, milestones; carrier campaigns and their events."""

import datetime
from decimal import Decimal

from bench.copy import CopyTable, through_table
from planning import rules
from planning.models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    KeyWorkProject,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)
from unions.dates import add_months

from . import names
from .world import World, month_bounds, quarter_bounds, unit

DUE_DAYS = 5
RECENT = datetime.timedelta(days=35)


def _items_for(row, scale) -> list[int]:
    """Which of the plan's items a unit runs: three in different quarters for a
    grassroots union, two for a sub-district union."""
    if row.is_grassroots:
        count, seed = scale.projects_per_grassroots, row.number
    else:
        count, seed = scale.projects_per_subdistrict, row.number * 2
    picked = []
    for j in range(count):
        quarter = (seed + j * (2 if not row.is_grassroots else 1)) % 4
        index = (seed // 4 + j) % 3
        picked.append(3 * quarter + index)
    return picked


def seed_planning(world: World) -> dict[str, int]:
    scale = world.scale
    today = world.today
    counts = {}
    years = world.years
    districts = world.districts
    plan_first = world.take_ids(WorkPlan, len(districts) * len(years))
    item_count = len(names.PLAN_ITEMS)
    item_first = world.take_ids(PlanItem, len(districts) * len(years) * item_count)

    def plan_id(d: int, y: int) -> int:
        return plan_first + d * len(years) + y

    def item_id(d: int, y: int, k: int) -> int:
        return item_first + (d * len(years) + y) * item_count + k

    def item_due(year: int, k: int) -> datetime.date:
        return quarter_bounds(year, k // 3 + 1)[1]

    plans = CopyTable(
        WorkPlan,
        ["id", "owner", "year", "title", "status", "reporting_frequency"]
        + ["report_due_days", "published_at", "closed_at", "created_at", "updated_at"],
        now=world.now,
    )

    def plan_lines():
        for d, district in enumerate(districts):
            district_name = names.DISTRICTS[d % len(names.DISTRICTS)][0]
            for y, year in enumerate(years):
                published = world.at(datetime.date(year, 1, 10))
                closed = year < today.year
                status = "closed" if closed else "published"
                closed_at = (
                    world.at(datetime.date(year + 1, 1, 20)) if closed else "\\N"
                )
                yield (
                    f"{plan_id(d, y)}\t{district.id}\t{year}\t"
                    f"{year}年{district_name}区总工会重点工作计划\t{status}\tmonthly\t"
                    f"{DUE_DAYS}\t{published}\t{closed_at}\t{published}\t{published}"
                )

    counts["work_plans"] = plans.load(plan_lines())

    items = CopyTable(
        PlanItem,
        ["id", "plan", "category", "title", "target_value", "target_unit", "weight"]
        + ["due_date", "order"],
        now=world.now,
    )

    def item_lines():
        for d in range(len(districts)):
            for y, year in enumerate(years):
                for k, (category, title, unit_name, target) in enumerate(
                    names.PLAN_ITEMS
                ):
                    weight = "2" if k % 4 == 0 else "1"
                    yield (
                        f"{item_id(d, y, k)}\t{plan_id(d, y)}\t{category}\t{title}\t"
                        f"{target}\t{unit_name}\t{weight}\t{item_due(year, k).isoformat()}\t{k}"
                    )

    counts["plan_items"] = items.load(item_lines())

    # Projects: every sub-district and grassroots union, every year.
    owners = world.subdistricts + world.grassroots
    slots = [(row, _items_for(row, scale)) for row in owners]
    per_year = sum(len(picked) for _row, picked in slots)
    project_first = world.take_ids(KeyWorkProject, per_year * len(years))
    project_specs = []
    pid = project_first
    for y, year in enumerate(years):
        for row, picked in slots:
            for k in picked:
                project_specs.append((pid, row, y, year, k))
                pid += 1

    def months_of(year: int, k: int) -> list[tuple[datetime.date, datetime.date]]:
        due = item_due(year, k)
        start = add_months(due.replace(day=1), -(scale.reports_per_project - 1))
        out = []
        for m in range(scale.reports_per_project):
            first = add_months(start, m)
            out.append(month_bounds(first.year, first.month))
        return out

    month_cache: dict = {}

    def months_cached(year, k):
        key = (year, k)
        if key not in month_cache:
            month_cache[key] = months_of(year, k)
        return month_cache[key]

    months_total = scale.reports_per_project

    def progress(pace: float, m: int, target: int) -> tuple[str, str, bool]:
        """Cumulative achieved value and percent after month ``m``, as COPY text,
        and whether the target is reached."""
        share = pace * (m + 1) / months_total
        if share >= 1.0:
            return f"{target:.2f}", "100.0", True
        return f"{target * share:.2f}", f"{share * 100:.1f}", False

    def report_status(project_id: int, m: int, deadline, period_start) -> str | None:
        """None: no report (the month has not begun, or it was never started)."""
        if period_start > today:
            return None
        draw = unit(project_id, 21, m)
        if deadline + RECENT < today:
            if draw < 0.85:
                return "approved"
            if draw < 0.93:
                return "approved_late"
            if draw < 0.96:
                return "returned"
            return "draft"
        if deadline < today:
            if draw < 0.35:
                return "approved"
            if draw < 0.75:
                return "submitted"
            if draw < 0.82:
                return "returned"
            return "draft"
        # The month is under way or just ended: some units have begun.
        return "draft" if draw < 0.4 else None

    # Project rows need each project's latest approved report: simulate first.
    projects = CopyTable(
        KeyWorkProject,
        ["id", "plan", "item", "owner", "title", "category", "responsible_person"]
        + ["responsible_user", "target_value", "target_unit", "weight", "start_date"]
        + ["due_date", "status", "percent_complete", "achieved_value", "completed_on"]
        + ["created_at", "updated_at"],
        now=world.now,
    )

    # The month-by-month report statuses, drawn once for both tables.
    status_cache: dict[int, tuple] = {}

    def project_lines():
        for project_id, row, y, year, k in project_specs:
            category, title, unit_name, target = names.PLAN_ITEMS[k]
            months = months_cached(year, k)
            start, due = months[0][0], months[-1][1]
            pace = 0.65 + unit(project_id, 20) * 0.55
            latest = None
            completed_on = None
            statuses = []
            for m, (p_start, p_end) in enumerate(months):
                status = report_status(
                    project_id, m, p_end + datetime.timedelta(days=DUE_DAYS), p_start
                )
                statuses.append(status)
                if status in ("approved", "approved_late"):
                    latest = progress(pace, m, target)
                    if completed_on is None and latest[2]:
                        completed_on = p_end
            status_cache[project_id] = tuple(statuses)
            percent = latest[1] if latest else "0"
            status = rules.derive_status(
                percent=Decimal(percent), start=start, due=due, today=today
            )
            achieved = latest[0] if latest else "\\N"
            done = completed_on.isoformat() if completed_on else "\\N"
            person = names.person_name(world.persons_of[row.id][0])
            weight = "2" if k % 4 == 0 else "1"
            stamp = world.at(datetime.date(year, 1, 12))
            yield (
                f"{project_id}\t{plan_id(row.district, y)}\t{item_id(row.district, y, k)}\t"
                f"{row.id}\t{title}\t{category}\t{person}\t{world.unit_user[row.id]}\t"
                f"{target}\t{unit_name}\t{weight}\t{start.isoformat()}\t{due.isoformat()}\t"
                f"{status}\t{percent}\t{achieved}\t{done}\t{stamp}\t{stamp}"
            )

    counts["projects"] = projects.load(project_lines())

    # One grassroots project in ten has a participating sibling union.
    through = through_table(KeyWorkProject, "participants")
    participants = CopyTable(through, ["id", "keyworkproject", "union"], now=world.now)
    grassroots_ids = {row.id for row in world.grassroots}
    with_partner = [
        (project_id, row)
        for project_id, row, _y, _year, _k in project_specs
        if row.id in grassroots_ids and unit(project_id, 22) < 0.1
    ]
    through_first = world.take_ids(through, len(with_partner))
    per_sub = scale.grassroots_per_subdistrict

    def participant_lines():
        for n, (project_id, row) in enumerate(with_partner):
            sibling = row.id + 1 if row.number + 1 < per_sub else row.id - 1
            yield f"{through_first + n}\t{project_id}\t{sibling}"

    counts["project_participants"] = participants.load(participant_lines())

    milestones = CopyTable(
        Milestone, ["id", "project", "title", "due_date", "done_on"], now=world.now
    )
    milestone_first = world.take_ids(
        Milestone, len(project_specs) * scale.milestones_per_project
    )

    def milestone_lines():
        n = milestone_first
        for project_id, _row, _y, year, k in project_specs:
            months = months_cached(year, k)
            for j, (title, month) in enumerate((("启动部署", 1), ("中期推进", 6))):
                if j >= scale.milestones_per_project:
                    break
                due = months[month][1]
                done = (
                    (due - datetime.timedelta(days=3)).isoformat()
                    if due < today and unit(project_id, 23, j) < 0.9
                    else "\\N"
                )
                yield f"{n}\t{project_id}\t{title}\t{due.isoformat()}\t{done}"
                n += 1

    counts["milestones"] = milestones.load(milestone_lines())

    # Progress reports: COPY text of the fields that vary, per row.
    reports = CopyTable(
        ProgressReport,
        ["id", "project", "union", "period_start", "period_end", "deadline"]
        + ["achieved_value", "percent_complete", "narrative", "status"]
        + ["submitted_at", "first_submitted_at", "submitted_by", "reviewed_by"]
        + ["reviewed_at", "review_comment", "version", "created_at", "updated_at"],
        now=world.now,
    )
    reviewer_of = {}
    for row in world.grassroots:
        reviewer_of[row.id] = world.unit_user[row.parent_id]
    for row in world.subdistricts:
        reviewer_of[row.id] = (
            world.personas["district"]
            if row.district == 0
            else (world.unit_user[row.parent_id])
        )
    report_first = world.take_ids(
        ProgressReport, len(project_specs) * scale.reports_per_project
    )
    period_text: dict = {}

    def period_fields(p_start, p_end):
        key = p_start
        if key not in period_text:
            deadline = p_end + datetime.timedelta(days=DUE_DAYS)
            period_text[key] = (
                f"{p_start.isoformat()}\t{p_end.isoformat()}\t{deadline.isoformat()}",
                deadline,
                world.at(deadline - datetime.timedelta(days=2)),  # on time
                world.at(deadline + datetime.timedelta(days=6)),  # late
                world.at(deadline + datetime.timedelta(days=4), 15),  # reviewed
                world.at(p_end),  # created
            )
        return period_text[key]

    narrative = "按计划推进，已完成阶段性任务。"

    def report_lines():
        rid = report_first
        for project_id, row, _y, year, k in project_specs:
            target = names.PLAN_ITEMS[k][3]
            user = world.unit_user[row.id]
            reviewer = reviewer_of[row.id]
            pace = 0.65 + unit(project_id, 20) * 0.55
            statuses = status_cache.pop(project_id)
            for m, (p_start, p_end) in enumerate(months_cached(year, k)):
                status = statuses[m]
                if status is None:
                    continue
                dates, _deadline, on_time, late, reviewed, created = period_fields(
                    p_start, p_end
                )
                achieved, percent, _done = progress(pace, m, target)
                head = f"{rid}\t{project_id}\t{row.id}\t{dates}\t{achieved}\t{percent}\t{narrative}"
                if status == "draft":
                    tail = f"draft\t\\N\t\\N\t\\N\t\\N\t\\N\t\t1\t{created}\t{created}"
                elif status == "submitted":
                    tail = f"submitted\t{on_time}\t{on_time}\t{user}\t\\N\t\\N\t\t2\t{created}\t{on_time}"
                elif status == "returned":
                    tail = (
                        f"returned\t{on_time}\t{on_time}\t{user}\t{reviewer}\t{reviewed}\t"
                        f"请补充佐证材料后重新提交。\t3\t{created}\t{reviewed}"
                    )
                else:
                    sent = late if status == "approved_late" else on_time
                    tail = f"approved\t{sent}\t{sent}\t{user}\t{reviewer}\t{reviewed}\t\t3\t{created}\t{reviewed}"
                yield f"{head}\t{tail}"
                rid += 1

    counts["progress_reports"] = reports.load(report_lines())
    counts.update(_seed_activities(world))
    return counts


def _seed_activities(world: World) -> dict[str, int]:
    scale = world.scale
    today = world.today
    years = world.years
    districts = world.districts
    items_per = len(names.CAMPAIGN_ITEMS)
    campaign_first = world.take_ids(Campaign, len(districts) * len(years))
    item_first = world.take_ids(CampaignItem, len(districts) * len(years) * items_per)
    campaigns = CopyTable(
        Campaign,
        ["id", "owner", "title", "description", "year", "is_active"],
        now=world.now,
    )

    def campaign_lines():
        for d, district in enumerate(districts):
            for y, year in enumerate(years):
                active = "t" if year == today.year else "f"
                yield (
                    f"{campaign_first + d * len(years) + y}\t{district.id}\t"
                    f"{year}年“四提四促三服务”特色载体活动\t\t{year}\t{active}"
                )

    counts = {"campaigns": campaigns.load(campaign_lines())}
    items = CopyTable(CampaignItem, ["id", "campaign", "title", "order"], now=world.now)

    def item_lines():
        for c in range(len(districts) * len(years)):
            for k, title in enumerate(names.CAMPAIGN_ITEMS):
                yield f"{item_first + c * items_per + k}\t{campaign_first + c}\t{title}\t{k}"

    counts["campaign_items"] = items.load(item_lines())

    events = CopyTable(
        ActivityEvent,
        ["id", "union", "item", "kind", "date", "title", "place", "participants"]
        + ["trainees", "media_level", "created_by", "created_at", "updated_at"],
        now=world.now,
    )
    per_year = scale.events_per_unit_year
    event_first = world.take_ids(
        ActivityEvent, len(world.unions) * len(years) * per_year
    )
    levels = (("district", 0.6), ("city", 0.85), ("province", 0.97), ("national", 1.0))
    titles = names.EVENT_TITLES

    def event_lines():
        n = event_first
        for row in world.unions:
            creator = world.unit_user[row.id]
            for y, year in enumerate(years):
                campaign = campaign_first + row.district * len(years) + y
                jan1 = datetime.date(year, 1, 1)
                for j in range(per_year):
                    day = jan1 + datetime.timedelta(
                        days=int((j + unit(row.id, 30 + y, j)) * 365 / per_year)
                    )
                    if day > today:
                        continue
                    stamp = world.at(day, 17)
                    if j < per_year - 3:
                        kind, item = (
                            "activity",
                            item_first
                            + (campaign - campaign_first) * items_per
                            + j % items_per,
                        )
                        trainees, level = 0, ""
                    elif j < per_year - 1:
                        kind, item, level = "training", "\\N", ""
                        trainees = 10 + int(unit(row.id, 40 + y, j) * 50)
                    else:
                        kind, item, trainees = "publicity", "\\N", 0
                        draw = unit(row.id, 50 + y, j)
                        level = next(name for name, top in levels if draw < top)
                    title = titles[kind][(row.id + j) % len(titles[kind])]
                    people = 20 + int(unit(row.id, 60 + y, j) * 180)
                    yield (
                        f"{n}\t{row.id}\t{item}\t{kind}\t{day.isoformat()}\t{title}\t"
                        f"职工活动中心\t{people}\t{trainees}\t{level}\t{creator}\t{stamp}\t{stamp}"
                    )
                    n += 1

    counts["activity_events"] = events.load(event_lines())
    return counts
