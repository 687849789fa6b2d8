"""Demo key work for the Jiangbin district: last year's closed plan, this year's
published plan with its projects and a realistic spread of progress reports, and a
campaign with events, training and publicity. Idempotent; fixed random seed."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from . import rules
from .models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    Category,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)
from .services.plans import item_hand_out, plan_create, projects_refresh

SUBDISTRICTS = [f"JB-S0{n}" for n in range(1, 9)]

# (category, title, target, unit, weight, due month, who: "subs" | "G:<sub code>")
ITEMS_THIS_YEAR = [
    (Category.POLITICAL, "职工思想政治引领“三进”宣讲", 12, "场", 1, 11, "subs"),
    (Category.REFORM, "增三性、去四化改革任务落实", 6, "项", 1.5, 12, "subs"),
    (Category.PROJECTS, "工会服务阵地标准化建设", 4, "个", 2, 10, "subs"),
    (Category.SERVICE, "普惠服务职工覆盖", 3000, "人次", 1.5, 12, "G:JB-S01,JB-S02"),
    (Category.TRAINING, "基层工会干部轮训", 60, "人", 1, 9, "G:JB-S02"),
    (Category.WORKERS, "劳模工匠创新工作室创建", 2, "个", 1, 12, "G:JB-S03"),
    (Category.CARRIER, "“四亮四比三服务”特色载体活动", 8, "次", 1, 11, "G:JB-S04"),
    (Category.PUBLICITY, "工会工作社会宣传", 10, "篇", 0.5, 12, "subs"),
    (Category.TERMS, "基层工会按期换届", 100, "%", 1, 12, "G:JB-S05"),
    (Category.SELF, "工会财务与经审规范化", 4, "次", 0.5, 12, "G:JB-S08"),
]
ITEMS_LAST_YEAR = [
    (Category.PROJECTS, "职工之家建设提档升级", 3, "个", 2, 12, "subs"),
    (Category.TRAINING, "工会干部业务培训", 40, "人", 1, 10, "subs"),
]
NARRATIVES = [
    "按计划推进，召开专题部署会，明确责任分工。",
    "组织骨干开展走访调研，收集职工意见建议。",
    "完成阶段性任务，形成工作台账并报送街道总工会。",
    "联合辖区企业开展活动，职工参与积极性较高。",
    "针对薄弱环节开展督导，下一步将加快进度。",
]
RETURN_COMMENTS = [
    "请补充活动签到表和现场照片。",
    "累计完成值与上月不一致，请核实后重新提交。",
    "请写明本期具体完成的工作，不要只写计划。",
]


def present(context: dict) -> bool:
    """Last year's and this year's demo plans exist (one query)."""
    year = timezone.localdate().year
    plans = list(
        WorkPlan.objects.filter(owner__code="JB", year__in=[year - 1, year]).order_by(
            "year"
        )
    )
    if len(plans) != 2:
        return False
    context["plans"] = plans
    return True


def seed(context: dict) -> None:
    unions = context["unions"]
    users = context["users"]
    district = unions["JB"]
    rng = random.Random(2026)  # the same demo every time
    today = timezone.localdate()
    year = today.year
    last = _plan(district, year - 1, ITEMS_LAST_YEAR, unions, rng, closed=True)
    current = _plan(district, year, ITEMS_THIS_YEAR, unions, rng, closed=False)
    if current is not None:
        _reports(current, unions, users, rng, today)
        _milestones(current, rng)
        projects_refresh(projects=current.projects.all(), notify_delays=False)
    if last is not None:
        projects_refresh(projects=last.projects.all(), notify_delays=False)
    _campaign(district, unions, users, rng, year, today)
    context["plans"] = list(WorkPlan.objects.filter(owner=district).order_by("year"))


def _plan(district, year, items, unions, rng, *, closed):
    if WorkPlan.objects.filter(owner=district, year=year).exists():
        return None
    plan = plan_create(
        owner=district,
        data={
            "title": f"江滨区总工会{year}年度重点工作计划",
            "year": year,
            "reporting_frequency": rules.QUARTERLY if closed else rules.MONTHLY,
            "report_due_days": 5,
            "description": "围绕增强政治性、先进性、群众性，推进工作内容项目化。",
        },
    )
    for order, (category, title, target, unit, weight, due_month, who) in enumerate(
        items, start=1
    ):
        item = PlanItem.objects.create(
            plan=plan,
            category=category,
            title=title,
            target_value=Decimal(target),
            target_unit=unit,
            weight=Decimal(str(weight)),
            due_date=date(year, due_month, 28 if due_month == 2 else 30),
            order=order,
        )
        if who == "subs":
            targets = [unions[code] for code in SUBDISTRICTS]
        else:
            prefixes = tuple(f"{c}-G" for c in who.split(":", 1)[1].split(","))
            targets = [
                u for code, u in sorted(unions.items()) if code.startswith(prefixes)
            ]
        created, _skipped = item_hand_out(
            item=item,
            unions=targets,
            start_date=date(year, rng.choice([1, 2, 3]), 1),
            responsible_person=rng.choice(["王芳", "李强", "张敏", "刘洋", "陈静"]),
        )
        if who == "subs" and category == Category.PROJECTS:
            # Grassroots unions take part in their sub-district's projects.
            for project in created:
                children = [
                    u
                    for code, u in unions.items()
                    if code.startswith(project.owner.code + "-G")
                ][:2]
                project.participants.set(children)
    plan.status = WorkPlan.Status.CLOSED if closed else WorkPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.closed_at = timezone.now() if closed else None
    plan.save()
    if closed:
        for project in plan.projects.select_related("plan"):
            _closed_year_reports(project, rng)
    return plan


def _aware(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _closed_year_reports(project, rng):
    periods = rules.periods_between(
        rules.QUARTERLY, project.start_date, project.due_date, 5
    )
    final = rng.choice([Decimal(100), Decimal(100), Decimal(90)])
    for index, period in enumerate(periods, start=1):
        share = min(Decimal(index) / len(periods), 1)
        percent = (final * share).quantize(Decimal("0.1"))
        _report(
            project,
            project.owner,
            period,
            percent,
            status=ProgressReport.Status.APPROVED,
            submitted=period.deadline - timedelta(days=rng.randint(0, 4)),
        )


def _report(project, union, period, percent, *, status, submitted, comment=""):
    achieved = (project.target_value * percent / 100).quantize(Decimal("1"))
    report = ProgressReport(
        project=project,
        union=union,
        period_start=period.start,
        period_end=period.end,
        deadline=period.deadline,
        achieved_value=achieved,
        percent_complete=percent,
        narrative=NARRATIVES[(period.start.month + project.pk) % len(NARRATIVES)],
        status=status,
        review_comment=comment,
    )
    if status != ProgressReport.Status.DRAFT:
        report.submitted_at = report.first_submitted_at = _aware(submitted)
    if status in (ProgressReport.Status.APPROVED, ProgressReport.Status.RETURNED):
        report.reviewed_at = _aware(submitted + timedelta(days=2), 15)
    report.save()
    return report


def _reports(plan, unions, users, rng, today):
    for project in (
        plan.projects.select_related("owner")
        .prefetch_related("participants")
        .order_by("pk")
    ):
        _participant_reports(project, rng, today)
        periods = [
            p
            for p in rules.periods_between(
                rules.MONTHLY, project.start_date, min(project.due_date, today), 5
            )
            if p.end < today
        ]
        if not periods:
            continue
        profile = rng.choice(["ahead", "steady", "steady", "slow", "stalled"])
        pace = {"ahead": 1.25, "steady": 1.0, "slow": 0.7, "stalled": 0.4}[profile]
        span = (project.due_date - project.start_date).days + 1
        for index, period in enumerate(periods):
            is_latest = index == len(periods) - 1
            elapsed = (period.end - project.start_date).days + 1
            percent = Decimal(min(100.0, 100.0 * pace * elapsed / span)).quantize(
                Decimal("0.1")
            )
            roll = rng.random()
            if roll < 0.08 and not is_latest:
                continue  # missing: never written
            late = roll > 0.88
            submitted = period.deadline + timedelta(
                days=rng.randint(2, 9) if late else -rng.randint(0, 4)
            )
            if submitted >= today:
                submitted = today - timedelta(days=1)
            if is_latest and period.deadline >= today - timedelta(days=1):
                status = ProgressReport.Status.SUBMITTED
            elif is_latest and roll < 0.3:
                status = ProgressReport.Status.RETURNED
            elif is_latest and roll < 0.55:
                status = ProgressReport.Status.SUBMITTED
            elif is_latest and roll > 0.95:
                continue  # the latest month still missing
            else:
                status = ProgressReport.Status.APPROVED
            _report(
                project,
                project.owner,
                period,
                percent,
                status=status,
                submitted=submitted,
                comment=rng.choice(RETURN_COMMENTS)
                if status == ProgressReport.Status.RETURNED
                else "",
            )
    # Who reviewed: the district reviewer for sub-districts, cadre_sub for Binjiang.
    reviewer = users.get("reviewer")
    cadre_sub = users.get("cadre_sub")
    cadre_grass = users.get("cadre_grass")
    district_id = unions["JB"].pk
    for report in ProgressReport.objects.filter(project__plan=plan).select_related(
        "union"
    ):
        by = None
        if report.reviewed_at:
            if report.union.parent_id == district_id:
                by = reviewer
            elif cadre_sub is not None and report.union.parent_id == cadre_sub.union_id:
                by = cadre_sub
            else:
                by = reviewer
        submitter = cadre_grass if report.union_id == unions["JB-S02-G02"].pk else None
        if cadre_sub is not None and report.union_id == cadre_sub.union_id:
            submitter = cadre_sub
        ProgressReport.objects.filter(pk=report.pk).update(
            reviewed_by=by, submitted_by=submitter
        )


def _participant_reports(project, rng, today):
    """Participants report their share: nearly always on time and approved."""
    for union in project.participants.all():
        periods = rules.periods_between(
            rules.MONTHLY, project.start_date, min(project.due_date, today), 5
        )
        for index, period in enumerate(p for p in periods if p.end < today):
            if rng.random() < 0.05 and index > 0:
                continue  # missing
            submitted = period.deadline - timedelta(days=rng.randint(0, 3))
            recent = period.deadline >= today - timedelta(days=20)
            _report(
                project,
                union,
                period,
                Decimal(min(100, 10 * (index + 1))),
                status=ProgressReport.Status.SUBMITTED
                if recent
                else ProgressReport.Status.APPROVED,
                submitted=min(submitted, today - timedelta(days=1)),
            )


def _milestones(plan, rng):
    for project in plan.projects.filter(category=Category.PROJECTS):
        if project.milestones.exists():
            continue
        year = project.start_date.year
        for month, title, done in (
            (4, "完成选址和方案设计", True),
            (7, "完成场地改造", rng.random() < 0.7),
            (10, "挂牌并投入使用", rng.random() < 0.3),
        ):
            due = date(year, month, 30)
            Milestone.objects.create(
                project=project,
                title=title,
                due_date=due,
                done_on=due - timedelta(days=rng.randint(0, 10)) if done else None,
            )


CAMPAIGN_ITEMS = [
    ("亮身份、比作风", "工会干部亮明身份，比作风、比服务"),
    ("亮职责、比担当", "公开岗位职责，比担当、比实绩"),
    ("亮承诺、比实效", "向职工作出服务承诺，比落实、比实效"),
    ("亮技能、比贡献", "开展劳动和技能竞赛，比技能、比贡献"),
    ("服务职工", "困难帮扶、法律援助、心理关爱"),
    ("服务企业", "助力企业发展，推进和谐劳动关系"),
    ("服务社会", "组织志愿服务，参与基层社会治理"),
]
EVENT_TITLES = [
    "职工技能比武",
    "“送清凉”一线慰问",
    "劳模进企业宣讲",
    "法律援助进车间",
    "职工健步走",
    "困难职工走访慰问",
    "志愿服务进社区",
    "职工心理健康讲座",
]
MEDIA_ZH = {
    "district": "区级",
    "city": "市级",
    "province": "省级",
    "national": "国家级",
}
PLACES = ["职工之家", "社区活动中心", "企业会议室", "街道文化广场", "车间一线"]


def _campaign(district, unions, users, rng, year, today):
    title = "“四亮四比三服务”特色载体活动"
    if Campaign.objects.filter(owner=district, title=title).exists():
        return
    campaign = Campaign.objects.create(
        owner=district,
        title=title,
        year=year,
        description="四亮四比三服务（four qualities, four promotions and three services）：亮身份、亮职责、亮承诺、亮技能，比作风、比担当、比实效、比贡献，服务职工、服务企业、服务社会。",
    )
    items = [
        CampaignItem.objects.create(campaign=campaign, title=t, description=d, order=i)
        for i, (t, d) in enumerate(CAMPAIGN_ITEMS, start=1)
    ]
    codes = sorted(c for c in unions if c != "JB")
    last_day = min(today, date(year, 12, 31))
    span = (last_day - date(year, 1, 1)).days
    for n in range(48):
        union = unions[rng.choice(codes)]
        if n < 4:
            union = unions["JB-S02-G02"]
        day = date(year, 1, 1) + timedelta(days=rng.randint(0, max(span, 0)))
        ActivityEvent.objects.create(
            union=union,
            item=rng.choice(items),
            kind=ActivityEvent.Kind.ACTIVITY,
            date=day,
            title=rng.choice(EVENT_TITLES),
            place=rng.choice(PLACES),
            participants=rng.randint(15, 220),
            narrative="围绕特色载体活动要求组织开展，职工反响良好。",
        )
    for _n in range(14):
        union = unions[rng.choice(codes)]
        day = date(year, 1, 1) + timedelta(days=rng.randint(0, max(span, 0)))
        trainees = rng.randint(12, 60)
        ActivityEvent.objects.create(
            union=union,
            kind=ActivityEvent.Kind.TRAINING,
            date=day,
            title=rng.choice(
                ["基层工会主席培训班", "工会经审业务培训", "集体协商实务培训"]
            ),
            place="区职工学校",
            participants=trainees,
            trainees=trainees,
        )
    levels = ["district"] * 6 + ["city"] * 4 + ["province"] * 2 + ["national"]
    for n, level in enumerate(levels):
        union = unions[rng.choice(codes)]
        day = date(year, 1, 1) + timedelta(days=rng.randint(0, max(span, 0)))
        ActivityEvent.objects.create(
            union=union,
            kind=ActivityEvent.Kind.PUBLICITY,
            date=day,
            title=f"{union.name_zh}工作经验被{MEDIA_ZH[level]}媒体报道",
            media_level=level,
            link=f"https://news.example.org/union/{year}/{n + 1}",
        )
