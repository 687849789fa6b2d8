"""Made-up names for the benchmark's city: plausible, deterministic, and free of
tabs, newlines and backslashes (they go straight into COPY lines)."""

DISTRICTS = [
    ("江滨", "Jiangbin"),
    ("东湖", "Donghu"),
    ("西城", "Xicheng"),
    ("南山", "Nanshan"),
    ("北岸", "Beian"),
    ("新港", "Xingang"),
    ("高新", "Gaoxin"),
    ("城关", "Chengguan"),
    ("临江", "Linjiang"),
    ("云湖", "Yunhu"),
    ("枫林", "Fenglin"),
    ("金沙", "Jinsha"),
]

STREETS = [
    ("滨江", "Binjiang"),
    ("湖光", "Huguang"),
    ("古楼", "Gulou"),
    ("松林", "Songlin"),
    ("桃源", "Taoyuan"),
    ("梅园", "Meiyuan"),
    ("柳巷", "Liuxiang"),
    ("望江", "Wangjiang"),
    ("云谷", "Yungu"),
    ("渔港", "Yugang"),
    ("金鼎", "Jinding"),
    ("青松", "Qingsong"),
    ("瑞丰", "Ruifeng"),
    ("星河", "Xinghe"),
    ("海韵", "Haiyun"),
    ("长乐", "Changle"),
    ("永安", "Yong'an"),
]

ENTERPRISES = [
    ("电子科技有限公司", "Electronics Co."),
    ("纺织厂", "Textile Mill"),
    ("医院", "Hospital"),
    ("建设集团", "Construction Group"),
    ("公交公司", "Bus Company"),
    ("机械制造厂", "Machinery Works"),
    ("商贸有限公司", "Trading Co."),
    ("食品有限公司", "Foods Co."),
    ("中学", "Middle School"),
    ("物流集团", "Logistics Group"),
    ("软件有限公司", "Software Co."),
    ("供电所", "Power Supply Station"),
    ("超市", "Supermarket"),
    ("酒店管理公司", "Hotel Management Co."),
    ("汽车配件厂", "Auto Parts Works"),
    ("精密仪器公司", "Precision Instruments Co."),
]

COMMUNITIES = [
    ("社区工会联合会", "Community Union Federation"),
    ("社区工会", "Community Union"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玉兰志文斌浩宇"

# Plan items: (category, title, unit of the target, default target)
PLAN_ITEMS = [
    ("political", "理论学习专题培训", "次", 12),
    ("reform", "工会改革重点任务落实", "项", 6),
    ("projects", "职工之家建设", "个", 2),
    ("carrier", "四提四促三服务特色载体活动", "场", 10),
    ("service", "困难职工帮扶走访", "人次", 120),
    ("workers", "劳模工匠创新工作室建设", "个", 1),
    ("training", "工会干部培训", "人", 200),
    ("publicity", "工会宣传报道", "篇", 24),
    ("service", "职工技能竞赛", "场", 4),
    ("self", "基层工会规范化建设", "项", 8),
    ("terms", "按期换届指导", "家", 10),
    ("service", "普惠服务进企业", "次", 30),
]

CAMPAIGN_ITEMS = [
    "提素质促发展",
    "提技能促创新",
    "提待遇促和谐",
    "提形象促凝聚",
    "服务职工",
    "服务企业",
]

EVENT_TITLES = {
    "activity": [
        "职工文体活动",
        "劳动技能竞赛",
        "送温暖走访",
        "职工读书会",
        "普法宣传进企业",
        "职工健康讲座",
        "困难职工帮扶",
    ],
    "training": ["工会干部业务培训", "新任工会主席培训", "财务审查业务培训"],
    "publicity": ["工会工作报道", "劳模事迹宣传", "职工风采展示"],
}

# Manual indicators of the bench schemes: (category index, kind, max points).
# With the automatic ones below, the base indicators sum to 100.
MANUAL_INDICATORS = [
    (0, "base", "6"),
    (0, "base", "6"),
    (0, "base", "4"),
    (0, "base", "4"),
    (1, "base", "4"),
    (1, "base", "4"),
    (1, "base", "4"),
    (1, "base", "4"),
    (1, "base", "4"),
    (1, "base", "4"),
    (2, "base", "3"),
    (2, "base", "3"),
    (2, "base", "3"),
    (2, "base", "3"),
    (2, "base", "2"),
    (2, "base", "2"),
    (1, "bonus", "2"),
    (2, "bonus", "2"),
    (2, "deduction", "5"),
    (0, "veto", "0"),
]

AUTOMATIC_INDICATORS = [
    (1, "base", "key_work", "15", {}),
    (1, "base", "timeliness", "5", {}),
    (1, "base", "activities", "10", {"target": 3}),
    (2, "base", "training", "5", {"target": 30}),
    (2, "base", "terms", "5", {"per_month": "1"}),
    (
        2,
        "bonus",
        "publicity",
        "3",
        {"points": {"district": 0.5, "city": 1, "province": 2, "national": 3}},
    ),
]

CATEGORIES = [
    ("政治引领与理论学习", "Political guidance and theory study"),
    (
        "改革、重点工作项目、特色载体与普惠服务",
        "Reform, key-work projects, carrier activities and inclusive service",
    ),
    ("自身建设", "Self-construction"),
]


def person_name(number: int) -> str:
    surname = SURNAMES[number % len(SURNAMES)]
    given = GIVEN[(number // 7) % len(GIVEN)]
    if number % 3:
        given += GIVEN[(number // 13) % len(GIVEN)]
    return surname + given
