"""The fictional Jiangbin district used by ``seed_demo``: its union tree.

Every function is idempotent: rows are found by their code before being created.
"""

from .models import Union
from .services import union_create

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
