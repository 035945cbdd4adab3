"""Content of the demo data set loaded by `manage.py seed_demo` (Chinese, realistic).

This module only makes data: organisations, staff, names, identity numbers, employers and
dispute scenarios (facts and claims). The command writes everything through the services.
Every random choice takes the caller's `random.Random`, so one seed gives one data set.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stdnum.cn import ric, uscc

from cases.vocab import ClaimType, DisputeType, EntityType

DEMO_PASSWORD = "demo12345"  # noqa: S105  (public on purpose; seed_demo refuses to run with DEBUG off)
DEMO_URL = "http://127.0.0.1:8000/"

# --- organisations, agencies, staff ----------------------------------------------------------

DISTRICT_CODE = "DX"

#: The district centre is on the court's roster of invited mediation organisations (特邀调解组织
#: 名册), so its agreements can be confirmed; the town sub-centres are street/town labour
#: mediation organisations, whose agreements can be confirmed by their legal form.
ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "code": "DX",
        "name": "大兴区总工会劳动争议调解中心",
        "short_code": "京兴工调",
        "level": "district",
        "legal_form": "union_center",
        "court_listed": True,
        "region_code": "110115",
        "seal_name": "北京市大兴区总工会劳动争议调解中心",
        "address": "北京市大兴区兴丰大街三段68号大兴区职工服务中心二层",
        "phone": "010-69242351",
        "parent": "",
    },
    {
        "code": "XHM",
        "name": "西红门镇总工会劳动争议调解分中心",
        "short_code": "京兴西工调",
        "level": "street_town",
        "legal_form": "street_town_labour_mediation",
        "region_code": "110115",
        "seal_name": "北京市大兴区西红门镇总工会劳动争议调解分中心",
        "address": "北京市大兴区西红门镇宏业路9号西红门镇职工之家",
        "phone": "010-60279351",
        "parent": "DX",
    },
    {
        "code": "JG",
        "name": "旧宫镇总工会劳动争议调解分中心",
        "short_code": "京兴旧工调",
        "level": "street_town",
        "legal_form": "street_town_labour_mediation",
        "region_code": "110115",
        "seal_name": "北京市大兴区旧宫镇总工会劳动争议调解分中心",
        "address": "北京市大兴区旧宫镇旧宫东路100号旧宫镇职工服务站",
        "phone": "010-67961351",
        "parent": "DX",
    },
    {
        "code": "YZ",
        "name": "亦庄镇总工会劳动争议调解分中心",
        "short_code": "京兴亦工调",
        "level": "street_town",
        "legal_form": "street_town_labour_mediation",
        "region_code": "110115",
        "seal_name": "北京市大兴区亦庄镇总工会劳动争议调解分中心",
        "address": "北京市大兴区亦庄镇亦庄村东路2号亦庄镇职工服务站",
        "phone": "010-67881351",
        "parent": "DX",
    },
]

AGENCIES: list[dict[str, str]] = [
    {
        "code": "dx-court",
        "name": "北京市大兴区人民法院",
        "kind": "court",
        "court_code": "京0115",
        "address": "北京市大兴区黄村镇兴华大街二段9号",
        "phone": "010-69240000",
    },
    {
        "code": "dx-arbitration",
        "name": "北京市大兴区劳动人事争议仲裁委员会",
        "kind": "arbitration",
        "court_code": "",
        "address": "北京市大兴区兴政街29号",
        "phone": "010-69243010",
    },
    {
        "code": "dx-inspection",
        "name": "北京市大兴区人力资源和社会保障局劳动保障监察大队",
        "kind": "labor_inspection",
        "court_code": "",
        "address": "北京市大兴区兴政街29号",
        "phone": "010-69245610",
    },
    {
        "code": "dx-legal-aid",
        "name": "北京市大兴区法律援助中心",
        "kind": "legal_aid",
        "court_code": "",
        "address": "北京市大兴区兴华中路10号",
        "phone": "010-61292148",
    },
]


@dataclass(frozen=True)
class Staff:
    username: str
    full_name: str
    role: str
    organization: str = ""  # Organization.code; empty for liaisons
    agency: str = ""  # PartnerAgency.code, liaisons only
    note: str = ""  # shown in the logins table
    superuser: bool = False


#: The demo logins of the issue first, then the extra staff that make the data look real.
STAFF: list[Staff] = [
    Staff("demo_clerk", "王晓燕", "clerk", "DX", note="区中心书记员"),
    Staff("demo_mediator", "李建国", "mediator", "DX", note="区中心专职调解员"),
    Staff("demo_director", "张志强", "director", "DX", note="区中心主任"),
    Staff("demo_auditor", "赵敏", "auditor", "DX", note="督导审计（只读）"),
    Staff("demo_admin", "刘洋", "admin", "DX", note="系统管理员（可进入 /admin/）", superuser=True),
    Staff("demo_town_clerk", "孙丽娟", "clerk", "XHM", note="西红门镇分中心书记员"),
    Staff("demo_other_town_clerk", "周婷", "clerk", "JG", note="旧宫镇分中心书记员"),
    Staff("demo_court_liaison", "陈立新", "liaison", agency="dx-court", note="法院立案庭联络员"),
    Staff("demo_arb_liaison", "马慧娟", "liaison", agency="dx-arbitration", note="仲裁委立案庭联络员"),
    Staff("demo_insp_liaison", "田振华", "liaison", agency="dx-inspection", note="劳动保障监察大队联络员"),
    Staff("dx_lawyer_wu", "吴海涛", "mediator", "DX", note="值班律师调解员"),
    Staff("dx_lawyer_zheng", "郑雪梅", "mediator", "DX", note="值班律师调解员"),
    Staff("dx_mediator_he", "何永红", "mediator", "DX", note="区中心专职调解员"),
    Staff("xhm_mediator", "冯国庆", "mediator", "XHM", note="西红门镇分中心调解员"),
    Staff("xhm_director", "韩桂芝", "director", "XHM", note="西红门镇分中心主任"),
    Staff("jg_mediator", "杨帆", "mediator", "JG", note="旧宫镇分中心调解员"),
    Staff("jg_director", "许宏伟", "director", "JG", note="旧宫镇分中心主任"),
    Staff("yz_clerk", "邓晓琳", "clerk", "YZ", note="亦庄镇分中心书记员"),
    Staff("yz_mediator", "曹磊", "mediator", "YZ", note="亦庄镇分中心调解员"),
    Staff("yz_director", "彭建华", "director", "YZ", note="亦庄镇分中心主任"),
]

#: Who does what in each organisation: clerk, director, mediators (first = most cases).
ORG_TEAMS: dict[str, dict[str, list[str]]] = {
    "DX": {
        "clerk": ["demo_clerk"],
        "director": ["demo_director"],
        "mediators": ["demo_mediator", "dx_lawyer_wu", "dx_lawyer_zheng", "dx_mediator_he"],
    },
    "XHM": {"clerk": ["demo_town_clerk"], "director": ["xhm_director"], "mediators": ["xhm_mediator"]},
    "JG": {"clerk": ["demo_other_town_clerk"], "director": ["jg_director"], "mediators": ["jg_mediator"]},
    "YZ": {"clerk": ["yz_clerk"], "director": ["yz_director"], "mediators": ["yz_mediator"]},
}

# --- sources (案件来源) by organisation ---------------------------------------------------------

SOURCE_WEIGHTS: dict[str, list[tuple[str, int]]] = {
    "district": [
        ("walk_in_written", 32),
        ("oral", 8),
        ("hotline_12351", 12),
        ("petition_12345", 7),
        ("online_platform", 6),
        ("court_prefiling", 17),
        ("court_in_litigation", 4),
        ("arbitration_entrusted", 8),
        ("inspection_referral", 4),
        ("higher_union", 2),
    ],
    "town": [
        ("walk_in_written", 48),
        ("oral", 18),
        ("hotline_12351", 12),
        ("petition_12345", 10),
        ("online_platform", 4),
        ("court_prefiling", 5),
        ("inspection_referral", 3),
    ],
}

REFERRING_BODIES = {
    "hotline_12351": "北京市总工会12351职工服务热线",
    "petition_12345": "大兴区接诉即办（12345市民服务热线）",
    "online_platform": "北京工会网上劳动争议调解平台",
    "court_prefiling": "北京市大兴区人民法院",
    "court_in_litigation": "北京市大兴区人民法院",
    "arbitration_entrusted": "北京市大兴区劳动人事争议仲裁委员会",
    "inspection_referral": "北京市大兴区人力资源和社会保障局劳动保障监察大队",
    "higher_union": "北京市总工会法律服务中心",
}

CHANNEL_OF_SOURCE = {"oral": "oral", "hotline_12351": "oral", "online_platform": "online"}


def source_reference(source: str, received: dt.date, serial: int) -> str:
    """The referring body's number, in the style each body uses (DOMAIN.md §7.2)."""
    year, stamp = received.year, received.strftime("%Y%m%d")
    formats: dict[str, str] = {
        "court_prefiling": f"（{year}）京0115民诉前调{serial}号",
        "court_in_litigation": f"（{year}）京0115民初{serial}号",
        "arbitration_entrusted": f"京兴劳人仲字〔{year}〕第{serial}号",
        "inspection_referral": f"京兴人社监转〔{year}〕{serial}号",
        "petition_12345": f"{stamp}{serial:07d}",
        "hotline_12351": f"12351-{stamp}-{serial % 10000:04d}",
        "higher_union": f"京工法转〔{year}〕{serial % 1000}号",
        "online_platform": f"WS{stamp}{serial % 100000:05d}",
    }
    return formats.get(source, "")


#: Where each source's serial numbers start (they then grow through the year).
SERIAL_START = {
    "court_prefiling": 1180,
    "court_in_litigation": 3200,
    "arbitration_entrusted": 860,
    "inspection_referral": 40,
    "petition_12345": 120300,
    "hotline_12351": 2100,
    "higher_union": 12,
    "online_platform": 310,
}

# --- people ------------------------------------------------------------------------------------

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵赵吴周周徐孙孙马马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
    "袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严武戴孔汤常牛康"
)
MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国志海东兴振国庆长春永亮文博晨阳"
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲桂英秀兰萍红梅琳雪莉倩婷颖慧晶佳瑶欣怡丹蕾妍玉凤春晓月荣翠"

#: Birthplace codes (GB/T 2260) with weights: Beijing, and where many Daxing workers come from.
BIRTHPLACES: list[tuple[str, int]] = [
    ("110115", 6),
    ("110224", 6),
    ("110105", 4),
    ("110106", 4),
    ("110108", 2),
    ("110102", 1),
    ("130102", 3),
    ("130602", 3),
    ("130681", 3),
    ("131002", 3),
    ("131023", 2),
    ("131082", 2),
    ("130423", 2),
    ("410102", 3),
    ("410105", 2),
    ("411302", 3),
    ("410323", 2),
    ("370102", 2),
    ("371302", 3),
    ("371326", 2),
    ("340104", 2),
    ("341202", 2),
    ("341222", 2),
    ("510104", 2),
    ("510107", 1),
    ("511302", 2),
    ("420106", 2),
    ("230103", 2),
    ("150102", 1),
    ("140105", 1),
]

MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 176 177 178 180 181 182 183 "
    "185 186 187 188 189 191 198 199"
).split()

#: Where workers live, by the area of the organisation handling the case.
RESIDENCES: dict[str, list[str]] = {
    "DX": [
        "北京市大兴区黄村镇兴华东里",
        "北京市大兴区林校路街道康庄小区",
        "北京市大兴区清源街道枣园小区",
        "北京市大兴区兴丰街道三合南里",
        "北京市大兴区天宫院街道天宫院西里",
        "北京市大兴区高米店街道郁花园二里",
        "北京市大兴区瀛海镇兴悦家园",
        "北京市大兴区观音寺街道车站北里",
        "北京市大兴区庞各庄镇梨花村",
        "北京市大兴区安定镇后安定村",
        "北京市大兴区采育镇采育村",
    ],
    "XHM": [
        "北京市大兴区西红门镇瑞海家园",
        "北京市大兴区西红门镇宏福苑小区",
        "北京市大兴区西红门镇福星花园",
        "北京市大兴区西红门镇金星西路社区",
        "北京市大兴区西红门镇寿保庄村",
    ],
    "JG": [
        "北京市大兴区旧宫镇德茂佳苑",
        "北京市大兴区旧宫镇旧宫新苑",
        "北京市大兴区旧宫镇清和园",
        "北京市大兴区旧宫镇庑殿村",
        "北京市大兴区旧宫镇小红门村",
    ],
    "YZ": [
        "北京市大兴区亦庄镇星岛嘉园",
        "北京市大兴区亦庄镇鹿海园",
        "北京市大兴区亦庄镇泰河园",
        "北京市经济技术开发区天华园",
        "北京市大兴区亦庄镇小羊坊村",
    ],
}


def person_name(rng: random.Random, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.72 else "")
    return rng.choice(SURNAMES) + given


def gb11643_check_digit(first17: str) -> str:
    """The check character of an 18-digit resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def resident_id(rng: random.Random, birth: dt.date, male: bool, taken: set[str]) -> str:
    """A valid, unused resident ID number: birthplace code valid in the birth year, birth date,
    order code (odd for men, even for women) and the GB 11643 check digit."""
    codes, weights = zip(*BIRTHPLACES, strict=True)
    for _attempt in range(200):
        region = rng.choices(codes, weights=weights)[0]
        order = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
        first17 = f"{region}{birth:%Y%m%d}{order:03d}"
        number = first17 + gb11643_check_digit(first17)
        if number not in taken and ric.is_valid(number):  # stdnum also checks the region existed then
            taken.add(number)
            return number
    raise RuntimeError(f"no valid resident ID for birth date {birth}")


def mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        if number not in taken:
            taken.add(number)
            return number


def residence(rng: random.Random, area: str) -> str:
    base = rng.choice(RESIDENCES[area])
    if base.endswith("村"):
        return f"{base}{rng.randint(1, 380)}号"
    return f"{base}{rng.randint(1, 28)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}"


# --- employers ---------------------------------------------------------------------------------

ENTERPRISE, INDIVIDUAL, SOCIAL_ORG = EntityType.ENTERPRISE, EntityType.INDIVIDUAL_BUSINESS, EntityType.SOCIAL_ORG

#: (area, name, industry, entity type, registered address)
EMPLOYERS: list[tuple[str, str, str, str, str]] = [
    ("DX", "北京兴华顺达物流有限公司", "logistics", ENTERPRISE, "北京市大兴区黄村镇兴华大街三段18号院"),
    ("DX", "北京天恒伟业建筑工程有限公司", "construction", ENTERPRISE, "北京市大兴区瀛海镇兴海路6号"),
    ("DX", "北京京南鑫达建筑劳务有限公司", "construction", ENTERPRISE, "北京市大兴区黄村镇金星路12号"),
    ("DX", "北京绿源鑫农业科技发展有限公司", "agri", ENTERPRISE, "北京市大兴区庞各庄镇京良路209号"),
    ("DX", "北京新航城物业管理有限公司", "property", ENTERPRISE, "北京市大兴区礼贤镇礼贤路8号"),
    ("DX", "北京万家福连锁超市有限公司", "retail", ENTERPRISE, "北京市大兴区兴丰街道兴丰大街二段32号"),
    ("DX", "北京瀛海鑫盛汽车配件有限公司", "manufacturing", ENTERPRISE, "北京市大兴区瀛海镇工业区南一街9号"),
    ("DX", "北京魏善庄恒达食品有限公司", "food", ENTERPRISE, "北京市大兴区魏善庄镇魏永路66号"),
    ("DX", "北京采育宏达家具制造有限公司", "furniture", ENTERPRISE, "北京市大兴区采育镇育隆大街15号"),
    ("DX", "北京安兴永盛保安服务有限公司", "security", ENTERPRISE, "北京市大兴区安定镇安定大街3号"),
    ("DX", "北京天宫院鸿福餐饮管理有限公司", "catering", ENTERPRISE, "北京市大兴区天宫院街道天河西路19号"),
    ("DX", "北京康庄家政服务有限公司", "housekeeping", ENTERPRISE, "北京市大兴区林校路街道林校北路10号"),
    ("DX", "北京众邦人力资源服务有限公司", "dispatch", ENTERPRISE, "北京市大兴区清源街道兴业大街三段6号"),
    ("DX", "北京迅达同城配送服务有限公司", "delivery", ENTERPRISE, "北京市大兴区高米店街道永华南路21号"),
    ("DX", "北京市大兴区兴旺艺术培训学校", "education", SOCIAL_ORG, "北京市大兴区观音寺街道富强西路7号"),
    ("DX", "北京市大兴区黄村李记川味餐馆", "catering", INDIVIDUAL, "北京市大兴区黄村镇车站北路45号"),
    ("DX", "北京长子营腾飞服装有限公司", "garment", ENTERPRISE, "北京市大兴区长子营镇长通路11号"),
    ("DX", "北京榆垡宏泰包装制品有限公司", "printing", ENTERPRISE, "北京市大兴区榆垡镇榆顺路27号"),
    ("DX", "北京青云店顺安汽车维修有限公司", "auto", ENTERPRISE, "北京市大兴区青云店镇青云店大街55号"),
    ("DX", "北京瑞智通达软件技术有限公司", "tech", ENTERPRISE, "北京市大兴区兴丰街道黄村西大街22号院1号楼"),
    ("XHM", "北京宏康汽车服务有限公司", "auto", ENTERPRISE, "北京市大兴区西红门镇宏康路1号"),
    ("XHM", "北京宏福源物业管理有限公司", "property", ENTERPRISE, "北京市大兴区西红门镇宏福路9号"),
    ("XHM", "北京欣宁荟商业管理有限公司", "retail", ENTERPRISE, "北京市大兴区西红门镇欣宁街15号"),
    ("XHM", "北京西红门鑫隆餐饮管理有限公司", "catering", ENTERPRISE, "北京市大兴区西红门镇育才路6号"),
    ("XHM", "北京瑞丰合服装服饰有限公司", "garment", ENTERPRISE, "北京市大兴区西红门镇金星西路18号"),
    ("XHM", "北京宏达伟业建筑劳务有限公司", "construction", ENTERPRISE, "北京市大兴区西红门镇春和路3号"),
    ("XHM", "北京福润达仓储物流有限公司", "logistics", ENTERPRISE, "北京市大兴区西红门镇团河路128号"),
    ("XHM", "北京红门数码科技有限公司", "tech", ENTERPRISE, "北京市大兴区西红门镇宏业东路5号院2号楼"),
    ("XHM", "北京金星鸿运食品有限公司", "food", ENTERPRISE, "北京市大兴区西红门镇金星路30号"),
    ("JG", "北京德茂电子科技有限公司", "manufacturing", ENTERPRISE, "北京市大兴区旧宫镇德茂路8号"),
    ("JG", "北京南海子酒店管理有限公司", "hotel", ENTERPRISE, "北京市大兴区旧宫镇旧宫东路39号"),
    ("JG", "北京华美彩印包装有限公司", "printing", ENTERPRISE, "北京市大兴区旧宫镇庑殿路16号"),
    ("JG", "北京庑殿鑫盛建筑工程有限公司", "construction", ENTERPRISE, "北京市大兴区旧宫镇庑殿路42号"),
    ("JG", "北京宏泰隆汽车维修有限公司", "auto", ENTERPRISE, "北京市大兴区旧宫镇旧宫西路21号"),
    ("JG", "北京洁美永辉保洁服务有限公司", "property", ENTERPRISE, "北京市大兴区旧宫镇南小街5号"),
    ("JG", "北京畅达速递有限公司", "delivery", ENTERPRISE, "北京市大兴区旧宫镇久敬庄路2号"),
    ("JG", "北京旧宫顺兴源餐饮有限公司", "catering", ENTERPRISE, "北京市大兴区旧宫镇旧宫东路102号"),
    ("JG", "北京市大兴区旧宫兴隆五金建材店", "retail", INDIVIDUAL, "北京市大兴区旧宫镇宣颐路7号"),
    ("YZ", "北京亦庄精密机械制造有限公司", "manufacturing", ENTERPRISE, "北京市北京经济技术开发区景园北街2号"),
    ("YZ", "北京博康源生物医药科技有限公司", "biotech", ENTERPRISE, "北京市北京经济技术开发区科创十三街18号院"),
    ("YZ", "北京亦创智能装备有限公司", "manufacturing", ENTERPRISE, "北京市北京经济技术开发区经海路58号"),
    ("YZ", "北京凉水河电子元器件有限公司", "manufacturing", ENTERPRISE, "北京市大兴区亦庄镇小羊坊村北路6号"),
    ("YZ", "北京鑫泰亦达物流有限公司", "logistics", ENTERPRISE, "北京市大兴区亦庄镇同济南路9号"),
    ("YZ", "北京科创光电技术有限公司", "tech", ENTERPRISE, "北京市北京经济技术开发区荣华南路13号"),
    ("YZ", "北京荣京物业服务有限公司", "property", ENTERPRISE, "北京市北京经济技术开发区宏达北路10号"),
    ("YZ", "北京宏鑫达劳务派遣有限公司", "dispatch", ENTERPRISE, "北京市大兴区亦庄镇亦庄村东路16号"),
    ("YZ", "北京泰河园餐饮有限公司", "catering", ENTERPRISE, "北京市大兴区亦庄镇泰河路7号"),
    ("YZ", "北京亦城鸿基建筑工程有限公司", "construction", ENTERPRISE, "北京市大兴区亦庄镇亦庄村西路20号"),
]

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z


def gb11714_check_char(code8: str) -> str:
    """Check character of a 9-character organisation code (GB 11714-1997)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(char, 36) * weight for char, weight in zip(code8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, *, entity_type: str, address: str, taken: set[str]) -> str:
    """A valid unified social credit code (GB 32100-2015): registering authority and entity
    kind, the region of registration, a 9-character organisation code and the check char."""
    prefixes: dict[str, str] = {INDIVIDUAL: "92", SOCIAL_ORG: "52"}
    prefix = prefixes.get(entity_type, "91")
    region = "110302" if "经济技术开发区" in address else "110115"
    while True:
        if rng.random() < 0.6:  # registered after 2015: MA-series organisation codes
            body = "MA0" + "".join(rng.choice(_USCC_CHARS) for _ in range(5))
        else:
            body = str(rng.choice((5, 6, 7))) + f"{rng.randint(0, 9_999_999):07d}"
        first17 = prefix + region + body + gb11714_check_char(body)
        code = first17 + uscc.calc_check_digit(first17)
        if code not in taken:
            taken.add(code)
            return code


# --- positions and wages -----------------------------------------------------------------------

POSITIONS: dict[str, list[tuple[str, int, int]]] = {
    "logistics": [
        ("分拣员", 5200, 6800),
        ("仓库管理员", 5800, 7800),
        ("货车司机", 7500, 10000),
        ("装卸工", 5500, 7500),
    ],
    "construction": [("钢筋工", 8000, 11000), ("木工", 8500, 11500), ("电焊工", 8500, 12000), ("力工", 6500, 8500)],
    "manufacturing": [
        ("操作工", 5200, 7000),
        ("数控车床操作工", 6500, 9000),
        ("质检员", 5800, 7500),
        ("设备维修工", 7000, 9500),
    ],
    "retail": [("收银员", 4600, 5800), ("理货员", 4500, 5600), ("店长", 8000, 12000), ("销售顾问", 5000, 9000)],
    "catering": [("厨师", 7000, 10000), ("服务员", 4500, 5800), ("面点师", 6000, 8000), ("后厨帮工", 4500, 5500)],
    "property": [
        ("保洁员", 3600, 4500),
        ("秩序维护员", 4200, 5500),
        ("工程维修工", 5500, 7500),
        ("客服专员", 5000, 6500),
    ],
    "security": [("保安员", 4200, 5500), ("保安队长", 5800, 7200)],
    "housekeeping": [("育儿嫂", 6500, 9000), ("家政服务员", 5000, 7000)],
    "tech": [
        ("软件工程师", 15000, 28000),
        ("算法工程师", 20000, 35000),
        ("产品经理", 16000, 26000),
        ("测试工程师", 11000, 16000),
    ],
    "biotech": [("实验员", 7000, 10000), ("质量保证专员", 9000, 14000), ("生产操作员", 6000, 8000)],
    "auto": [("汽车维修工", 7000, 10000), ("钣金喷漆工", 7500, 10500), ("汽车销售顾问", 6000, 11000)],
    "hotel": [("客房服务员", 4500, 5800), ("前台接待", 5000, 6200), ("厨师", 7000, 9500)],
    "delivery": [("外卖骑手", 7000, 10000), ("快递员", 6500, 9500)],
    "dispatch": [("派遣操作工", 5000, 6500), ("派遣质检员", 5500, 7000)],
    "agri": [("农业技术员", 5500, 7500), ("温室管理员", 4800, 6000)],
    "education": [("培训教师", 7000, 11000), ("课程顾问", 6000, 9000)],
    "printing": [("印刷机长", 8000, 10500), ("装订工", 5000, 6500)],
    "furniture": [("木工", 7000, 9500), ("油漆工", 7500, 10000), ("包装工", 4800, 6000)],
    "garment": [("缝纫工", 5000, 7000), ("裁剪工", 5500, 7500)],
    "food": [("食品加工工", 4800, 6200), ("冷库管理员", 5500, 7000)],
}


# --- dispute scenarios -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimSpec:
    claim_type: str
    description: str
    amount: Decimal | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass
class Context:
    """What a scenario needs to write the facts: the worker, the job and the dates."""

    worker: str
    employer: str
    position: str
    wage: Decimal
    hired: dt.date
    received: dt.date
    workers: int = 1  # collective disputes: workers involved
    industry: str = ""  # key of POSITIONS
    user_unit: str = ""  # labour dispatch: the unit the worker was sent to


@dataclass
class Dispute:
    dispute_type: str
    facts: str
    claims: list[ClaimSpec] = field(default_factory=list)


CENT = Decimal("0.01")


def money(value: Decimal | int | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def cn_period(start: dt.date, end: dt.date) -> str:
    """2026年3月至2026年5月, or 2026年8月 for a single month."""
    if (start.year, start.month) == (end.year, end.month):
        return cn_month(start)
    return f"{cn_month(start)}至{cn_month(end)}"


def month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date, back: int = 0) -> dt.date:
    return month_start(day, back - 1) - dt.timedelta(days=1)


def service_years(hired: dt.date, left: dt.date) -> Decimal:
    """Years counted for 经济补偿 (劳动合同法 Art 47): full years, plus 1 for six months or
    more, plus 0.5 for less than six months."""
    months = (left.year - hired.year) * 12 + left.month - hired.month - (1 if left.day < hired.day else 0)
    years, rest = divmod(max(months, 0), 12)
    return Decimal(years) + (Decimal(1) if rest >= 6 else Decimal("0.5") if rest else Decimal(0))


def daily_wage(wage: Decimal) -> Decimal:
    return wage / Decimal("21.75")


def _left_on(rng: random.Random, ctx: Context) -> dt.date:
    return ctx.received - dt.timedelta(days=rng.randint(6, 45))


def _intro(ctx: Context, contract: bool = True) -> str:
    signed = "双方签订了书面劳动合同" if contract else "双方未签订书面劳动合同"
    return (
        f"申请人{ctx.worker}于{cn_date(ctx.hired)}入职被申请人{ctx.employer}，从事{ctx.position}工作，"
        f"{signed}，约定月工资{yuan(ctx.wage)}元。"
    )


def wage_arrears(rng: random.Random, ctx: Context) -> Dispute:
    months = rng.choice((1, 2, 2, 3, 3, 4, 5))
    start, end = month_start(ctx.received, months), month_end(ctx.received, 1)
    owed = money(ctx.wage * months)
    claims = [ClaimSpec(ClaimType.WAGE, f"支付{cn_period(start, end)}拖欠工资", owed, start, end)]
    tail = "申请人多次催要未果。"
    if rng.random() < 0.4:
        left = end + dt.timedelta(days=rng.randint(3, 12))
        years = service_years(ctx.hired, left)
        tail = (
            f"申请人多次催要未果，于{cn_date(left)}以被申请人未及时足额支付劳动报酬为由书面通知解除劳动合同"
            f"（劳动合同法第三十八条）。"
        )
        claims.append(
            ClaimSpec(ClaimType.ECON_COMP, f"支付解除劳动合同经济补偿（{years}个月工资）", money(ctx.wage * years))
        )
        if rng.random() < 0.5:
            claims.append(ClaimSpec(ClaimType.CERT, "出具解除劳动合同证明并办理档案和社会保险关系转移手续"))
    facts = (
        _intro(ctx) + f"自{cn_month(start)}起，被申请人以经营困难、回款不及时为由拖欠申请人工资，"
        f"截至申请之日累计拖欠{months}个月工资共计{yuan(owed)}元。" + tail + "为维护合法权益，特申请调解。"
    )
    return Dispute(DisputeType.PAY, facts, claims)


def illegal_dismissal(rng: random.Random, ctx: Context) -> Dispute:
    left = _left_on(rng, ctx)
    years = service_years(ctx.hired, left)
    pretext = rng.choice(("不能胜任工作", "严重违反规章制度", "组织架构调整", "试用期不符合录用条件", "多次迟到"))
    claims = [ClaimSpec(ClaimType.DAMAGES, "支付违法解除劳动合同赔偿金", money(ctx.wage * years * 2))]
    worked = rng.randint(5, 20)
    if rng.random() < 0.6:
        claims.append(
            ClaimSpec(
                ClaimType.WAGE,
                f"支付{cn_month(left)}工资（{worked}天）",
                money(daily_wage(ctx.wage) * worked),
                month_start(left),
                left,
            )
        )
    if rng.random() < 0.35:
        claims.append(ClaimSpec(ClaimType.CERT, "出具解除劳动合同证明"))
    facts = (
        _intro(ctx) + f"{cn_date(left)}，被申请人以申请人“{pretext}”为由口头通知解除劳动合同，"
        "未出具书面通知，也未事先通知工会。申请人认为被申请人解除劳动合同缺乏事实依据，"
        "属违法解除，要求被申请人依照劳动合同法第八十七条支付赔偿金。"
    )
    return Dispute(DisputeType.TER, facts, claims)


def layoff_compensation(rng: random.Random, ctx: Context) -> Dispute:
    left = _left_on(rng, ctx)
    years = service_years(ctx.hired, left)
    cause = rng.choice(
        (
            "生产经营场所整体搬迁至河北省固安县，申请人无法随迁",
            "生产线停产、经营困难进行裁员",
            "所在门店闭店",
            "与客户的项目合同到期后撤销申请人所在岗位",
        )
    )
    claims = [
        ClaimSpec(ClaimType.ECON_COMP, f"支付解除劳动合同经济补偿（{years}个月工资）", money(ctx.wage * years)),
        ClaimSpec(ClaimType.NOTICE_PAY, "支付未提前三十日通知解除劳动合同的代通知金（一个月工资）", money(ctx.wage)),
    ]
    if rng.random() < 0.4:
        days = rng.randint(3, 10)
        claims.append(
            ClaimSpec(
                ClaimType.ANNUAL_LEAVE_PAY, f"支付未休年休假工资（{days}天）", money(daily_wage(ctx.wage) * days * 2)
            )
        )
    facts = (
        _intro(ctx) + f"因{cause}，被申请人于{cn_date(left)}通知与申请人解除劳动合同，"
        "但拒绝支付经济补偿，仅同意支付当月工资。申请人要求被申请人依法支付经济补偿及代通知金。"
    )
    return Dispute(DisputeType.TER, facts, claims)


def no_written_contract(rng: random.Random, ctx: Context) -> Dispute:
    months = rng.randint(4, 11)
    ctx.hired = month_start(ctx.received, months + 2) + dt.timedelta(days=rng.randint(0, 20))
    start = month_start(ctx.hired, -1)
    end = month_end(start, -(months - 1))
    claims = [
        ClaimSpec(
            ClaimType.DOUBLE_WAGE,
            f"支付{cn_period(start, end)}未签订书面劳动合同的二倍工资差额",
            money(ctx.wage * months),
            start,
            end,
        )
    ]
    if rng.random() < 0.5:
        last = month_start(ctx.received, 1)
        claims.append(ClaimSpec(ClaimType.WAGE, f"支付{cn_month(last)}工资", money(ctx.wage), last, month_end(last)))
    facts = (
        _intro(ctx, contract=False) + "入职后申请人多次要求签订书面劳动合同，被申请人以“试用期”“公司手续还没办好”"
        "为由一直未签订，也未为申请人缴纳社会保险。申请人要求被申请人依照劳动合同法第八十二条支付未签订书面"
        "劳动合同的二倍工资差额。"
    )
    return Dispute(DisputeType.CON, facts, claims)


def overtime(rng: random.Random, ctx: Context) -> Dispute:
    months = rng.randint(6, 12)
    start, end = month_start(ctx.received, months), month_end(ctx.received, 1)
    weekday_hours = rng.randint(20, 50)  # per month, paid at 150 %
    rest_days = rng.randint(2, 4)  # per month, paid at 200 %
    hourly = daily_wage(ctx.wage) / 8
    total = money((hourly * Decimal("1.5") * weekday_hours + daily_wage(ctx.wage) * 2 * rest_days) * months)
    facts = (
        _intro(ctx) + f"工作期间被申请人安排申请人每天工作10至12小时，每月另有{rest_days}个休息日安排上班，"
        f"有考勤记录和工作群通知为证。被申请人未支付任何加班费。申请人主张{cn_period(start, end)}"
        f"的延时加班费及休息日加班费共计{yuan(total)}元。"
    )
    return Dispute(
        DisputeType.PAY,
        facts,
        [ClaimSpec(ClaimType.OT, f"支付{cn_period(start, end)}加班费", total, start, end)],
    )


INJURIES = {
    "construction": ("从脚手架上坠落致右踝骨折", "被坠落的模板砸伤左肩"),
    "manufacturing": ("左手食指被冲压机压伤", "右手被切割机割伤"),
    "printing": ("右手被印刷机滚筒卷伤",),
    "furniture": ("左手被电锯割伤", "搬运板材时被砸伤右脚"),
    "logistics": ("搬运货物时腰椎受伤", "驾驶叉车时被货架砸伤"),
    "auto": ("维修车辆时被举升机夹伤左手",),
    "food": ("操作绞肉机时右手受伤",),
}


def work_injury(rng: random.Random, ctx: Context) -> Dispute:
    injured = ctx.received - dt.timedelta(days=rng.randint(120, 300))
    grade = rng.choice(("十级", "十级", "九级", "八级"))
    part = rng.choice(INJURIES.get(ctx.industry, INJURIES["manufacturing"]))
    stop_months = rng.randint(2, 6)
    disability_months = {"十级": 7, "九级": 9, "八级": 11}[grade]
    medical = money(rng.randint(30, 420) * 100)
    claims = [
        ClaimSpec(ClaimType.INJURY_MED, "报销工伤医疗费", medical),
        ClaimSpec(ClaimType.INJURY_OTHER, f"支付停工留薪期工资（{stop_months}个月）", money(ctx.wage * stop_months)),
        ClaimSpec(
            ClaimType.INJURY_OTHER,
            f"支付一次性伤残补助金（{grade}伤残，{disability_months}个月本人工资）",
            money(ctx.wage * disability_months),
        ),
    ]
    insured = rng.random() < 0.5
    facts = (
        _intro(ctx) + f"{cn_date(injured)}，申请人在工作中{part}，后经大兴区人力资源和社会保障局认定为工伤，"
        f"经北京市大兴区劳动能力鉴定委员会鉴定为{grade}伤残。"
        + (
            "被申请人已为申请人缴纳工伤保险，但未支付应由用人单位承担的停工留薪期工资，也未垫付医疗费。"
            if insured
            else "被申请人未为申请人缴纳工伤保险，应由被申请人按照工伤保险待遇项目和标准支付费用。"
        )
        + "申请人要求被申请人支付工伤保险待遇。"
    )
    return Dispute(DisputeType.INJ, facts, claims)


def social_insurance(rng: random.Random, ctx: Context) -> Dispute:
    left = _left_on(rng, ctx)
    months = rng.randint(6, 15)
    per_month = Decimal(rng.choice((2086, 2114, 2142, 2169)))
    claims = [
        ClaimSpec(
            ClaimType.SOC_LOSS, f"赔偿未缴纳失业保险导致的失业保险金损失（{months}个月）", money(per_month * months)
        ),
        ClaimSpec(ClaimType.FILE_SI_TRANSFER, "为申请人办理社会保险关系转移手续"),
    ]
    facts = (
        _intro(ctx) + f"双方劳动合同于{cn_date(left)}期满终止。在职期间被申请人仅为申请人缴纳了养老和医疗保险，"
        "未缴纳失业保险，致使申请人离职后无法领取失业保险金。申请人要求被申请人赔偿失业保险待遇损失，"
        "并办理社会保险关系转移手续。"
    )
    return Dispute(DisputeType.SOC, facts, claims)


def annual_leave(rng: random.Random, ctx: Context) -> Dispute:
    days = rng.choice((5, 5, 10, 10, 15))
    left = _left_on(rng, ctx)
    amount = money(daily_wage(ctx.wage) * days * 2)
    facts = (
        _intro(ctx) + f"申请人于{cn_date(left)}离职。在职期间被申请人以工作任务重为由一直未安排申请人休带薪年休假，"
        f"离职前两个年度累计{days}天年休假未休，也未支付未休年休假工资报酬。"
        "申请人要求被申请人按日工资的200%支付未休年休假工资。"
    )
    return Dispute(
        DisputeType.TIM, facts, [ClaimSpec(ClaimType.ANNUAL_LEAVE_PAY, f"支付未休年休假工资（{days}天）", amount)]
    )


def platform_rider(rng: random.Random, ctx: Context) -> Dispute:
    months = rng.randint(1, 3)
    fee = money(ctx.wage * months * Decimal(rng.choice(("0.6", "0.8", "1"))))
    fines = money(rng.randint(6, 40) * 50)
    claims = [
        ClaimSpec(ClaimType.WAGE, f"支付被扣发的{months}个月配送服务费", fee),
        ClaimSpec(ClaimType.OTHER, "退还以“超时”“差评”为由扣除的罚款", fines),
    ]
    facts = (
        f"申请人{ctx.worker}自{cn_date(ctx.hired)}起在被申请人{ctx.employer}承接的配送站点从事{ctx.position}工作，"
        "按单计酬，由站点排班考勤。被申请人以申请人离站未办理交接为由扣发其最后"
        f"{months}个月的配送服务费共计{yuan(fee)}元，另以“超时”“差评”为由累计扣罚{yuan(fines)}元。"
        "申请人认为扣罚规则未经公示和协商，要求支付报酬并退还罚款（新就业形态劳动者权益保障）。"
    )
    return Dispute(DisputeType.NEF, facts, claims)


def labour_dispatch(rng: random.Random, ctx: Context) -> Dispute:
    months = rng.randint(6, 14)
    gap = Decimal(rng.choice((600, 800, 1000, 1200)))
    start, end = month_start(ctx.received, months), month_end(ctx.received, 1)
    amount = money(gap * months)
    facts = (
        f"申请人{ctx.worker}于{cn_date(ctx.hired)}与被申请人{ctx.employer}签订劳动合同，被派遣至用工单位"
        f"{ctx.user_unit}从事{ctx.position}工作，月工资{yuan(ctx.wage)}元。申请人与用工单位同岗位正式职工"
        f"工作内容相同，但每月工资低{yuan(gap)}元。申请人要求两被申请人依照同工同酬原则支付工资差额，"
        "并由用工单位承担连带责任。"
    )
    return Dispute(
        DisputeType.DSP,
        facts,
        [
            ClaimSpec(ClaimType.WAGE, f"支付{cn_period(start, end)}同工同酬工资差额", amount, start, end),
        ],
    )


def confirm_relation(rng: random.Random, ctx: Context) -> Dispute:
    owed = money(ctx.wage * rng.randint(1, 2))
    facts = (
        f"申请人{ctx.worker}自{cn_date(ctx.hired)}起在被申请人{ctx.employer}从事{ctx.position}工作，"
        "接受被申请人管理，工资由被申请人负责人通过微信按月转账，但双方未签订任何书面合同。"
        "申请人离职时被申请人否认双方存在劳动关系，拒绝支付最后一个月工资。申请人要求确认劳动关系并支付工资。"
    )
    return Dispute(
        DisputeType.REL,
        facts,
        [
            ClaimSpec(ClaimType.CONFIRM_REL, f"确认申请人与被申请人自{cn_date(ctx.hired)}起存在劳动关系"),
            ClaimSpec(ClaimType.WAGE, "支付拖欠工资", owed),
        ],
    )


def non_compete(rng: random.Random, ctx: Context) -> Dispute:
    left = ctx.received - dt.timedelta(days=rng.randint(90, 200))
    months = max(1, (ctx.received - left).days // 30)
    amount = money(ctx.wage * Decimal("0.3") * months)
    facts = (
        _intro(ctx) + f"双方签订了竞业限制协议，约定申请人离职后两年内不得到同行业企业任职。申请人于{cn_date(left)}"
        f"离职后一直履行竞业限制义务，但被申请人未按月支付竞业限制经济补偿。申请人要求按离职前十二个月平均工资的30%"
        f"支付{months}个月的竞业限制补偿。"
    )
    return Dispute(
        DisputeType.NCM, facts, [ClaimSpec(ClaimType.NONCOMPETE_COMP, f"支付{months}个月竞业限制经济补偿", amount)]
    )


def summer_allowance(rng: random.Random, ctx: Context) -> Dispute:
    year = ctx.received.year if ctx.received.month >= 9 else ctx.received.year - 1
    amount = money(180 * 3)  # Beijing: at least 180 yuan a month for outdoor work, June to August
    facts = (
        _intro(ctx) + f"{year}年6月至8月，申请人在室外露天作业，被申请人未按北京市规定发放高温津贴，"
        "也未采取防暑降温措施。申请人要求被申请人补发高温津贴。"
    )
    return Dispute(DisputeType.WEL, facts, [ClaimSpec(ClaimType.OTHER, f"补发{year}年6月至8月高温津贴", amount)])


def collective_wage_arrears(rng: random.Random, ctx: Context) -> Dispute:
    months = rng.randint(2, 5)
    start, end = month_start(ctx.received, months + 1), month_end(ctx.received, 2)
    per_worker = Decimal(rng.randint(70, 110) * 100)
    total = money(per_worker * months * ctx.workers * Decimal(rng.choice(("0.6", "0.75", "0.9"))))
    project = rng.choice(
        ("大兴国际机场临空经济区配套住宅", "大兴新城保障性住房", "亦庄新城产业园厂房", "黄村镇棚户区改造安置房")
    )
    facts = (
        f"申请人{ctx.worker}等{ctx.workers}名农民工受被申请人{ctx.employer}招用，在{project}项目从事"
        f"钢筋、木工、力工等工作，约定日工资350至450元，按月记工、年底结算。自{cn_month(start)}起被申请人"
        f"以总包单位未结算工程款为由拖欠工资，截至{cn_month(end)}共拖欠{ctx.workers}人工资{yuan(total)}元，"
        "有班组考勤表和项目部出具的欠条为证。工人推举代表申请调解，要求被申请人支付拖欠工资"
        "（保障农民工工资支付条例）。"
    )
    return Dispute(
        DisputeType.PAY,
        facts,
        [
            ClaimSpec(
                ClaimType.WAGE,
                f"支付{ctx.workers}名农民工{cn_period(start, end)}拖欠工资",
                total,
                start,
                end,
            ),
        ],
    )


def collective_relocation(rng: random.Random, ctx: Context) -> Dispute:
    years = Decimal(rng.randint(3, 9))
    total = money(ctx.wage * years * ctx.workers * Decimal("0.85"))
    facts = (
        f"被申请人{ctx.employer}因生产经营场所搬迁至河北省，于{cn_date(ctx.received - dt.timedelta(days=20))}"
        f"通知{ctx.workers}名职工随迁或自行离职，未与职工协商变更劳动合同，也未提出经济补偿方案。"
        f"申请人{ctx.worker}等职工推举代表申请调解，要求被申请人依法解除劳动合同并支付经济补偿，"
        f"按人均工作年限约{years}年、月平均工资{yuan(ctx.wage)}元计算，合计{yuan(total)}元。"
    )
    return Dispute(
        DisputeType.TER,
        facts,
        [
            ClaimSpec(ClaimType.ECON_COMP, f"支付{ctx.workers}名职工解除劳动合同经济补偿", total),
            ClaimSpec(ClaimType.CERT, "为职工出具解除劳动合同证明并办理档案和社会保险关系转移手续"),
        ],
    )


def collective_contract(rng: random.Random, ctx: Context) -> Dispute:
    raise_each = Decimal(rng.choice((200, 300)))
    months = rng.randint(3, 6)
    total = money(raise_each * months * ctx.workers)
    facts = (
        f"被申请人{ctx.employer}与企业工会签订的工资专项集体合同约定自{ctx.received.year}年起职工月工资"
        f"普遍增长{yuan(raise_each)}元，但被申请人至今未执行。申请人{ctx.worker}等{ctx.workers}名职工推举代表"
        "申请调解，要求被申请人履行集体合同，补发工资增长部分。"
    )
    return Dispute(
        DisputeType.COL,
        facts,
        [
            ClaimSpec(ClaimType.WAGE, f"按集体合同补发{ctx.workers}名职工{months}个月工资增长部分", total),
        ],
    )


Scenario = Callable[[random.Random, Context], Dispute]

ANY = frozenset(POSITIONS)

#: (scenario, weight, industries of the respondent, collective?)
SCENARIOS: list[tuple[Scenario, int, frozenset[str], bool]] = [
    (wage_arrears, 26, ANY, False),
    (illegal_dismissal, 13, ANY - {"dispatch"}, False),
    (
        layoff_compensation,
        9,
        frozenset({"manufacturing", "garment", "furniture", "printing", "food", "retail", "catering"}),
        False,
    ),
    (
        no_written_contract,
        7,
        frozenset({"catering", "retail", "construction", "housekeeping", "logistics", "property", "security", "auto"}),
        False,
    ),
    (
        overtime,
        7,
        frozenset({"logistics", "manufacturing", "security", "catering", "auto", "tech", "hotel", "property"}),
        False,
    ),
    (
        work_injury,
        6,
        frozenset({"construction", "manufacturing", "logistics", "furniture", "printing", "auto", "food"}),
        False,
    ),
    (social_insurance, 5, ANY - {"dispatch"}, False),
    (
        annual_leave,
        4,
        frozenset({"tech", "biotech", "manufacturing", "retail", "property", "hotel", "education"}),
        False,
    ),
    (platform_rider, 4, frozenset({"delivery"}), False),
    (labour_dispatch, 3, frozenset({"dispatch"}), False),
    (confirm_relation, 3, frozenset({"construction", "housekeeping", "delivery", "catering", "agri"}), False),
    (non_compete, 2, frozenset({"tech", "biotech"}), False),
    (summer_allowance, 2, frozenset({"construction", "logistics", "property", "security", "delivery"}), False),
    (collective_wage_arrears, 6, frozenset({"construction"}), True),
    (collective_relocation, 3, frozenset({"manufacturing", "garment", "furniture", "printing", "food"}), True),
    (collective_contract, 1, frozenset({"manufacturing", "biotech"}), True),
]

# --- outcome wording ---------------------------------------------------------------------------

REJECTIONS: list[tuple[str, str]] = [
    ("not_labour_dispute", "申请人系个人承揽装修工程，双方为承揽合同关系，不属于劳动争议，已告知其可向人民法院起诉。"),
    ("already_in_arbitration_or_court", "申请人已就同一争议向大兴区劳动人事争议仲裁委员会申请仲裁并已立案。"),
    ("duplicate", "申请人就同一争议已向区调解中心提出申请并已受理，属重复申请。"),
    (
        "exclusive_admin_matter",
        "申请人要求确认工伤，属社会保险行政部门工伤认定事项，已告知其向大兴区人力资源和社会保障局申请。",
    ),
    ("no_concrete_claim", "申请人未能提出具体请求事项和事实理由，经释明后仍未补正。"),
    ("respondent_refused", "经征询，被申请人书面表示不同意调解，已告知申请人可申请劳动仲裁。"),
]

TERMINATIONS: dict[str, list[tuple[str, str]]] = {
    "accepted": [
        ("respondent_absent", "经两次书面通知，被申请人无正当理由未到场参加调解。"),
        ("not_suitable", "经了解，争议涉及欠薪逃匿线索，已告知申请人向劳动保障监察部门投诉。"),
    ],
    "in_mediation": [
        ("no_agreement", "经三次调解，双方对经济补偿数额分歧较大，无法达成协议。"),
        ("party_refuses_to_continue", "被申请人明确表示不再参加调解。"),
        ("party_started_other_proceedings", "申请人已向仲裁委员会申请仲裁，不同意继续调解。"),
        ("deadline_expired", "调解期限届满，双方未达成调解协议，视为调解不成。"),
    ],
    "agreement_pending": [
        ("party_declined_to_sign", "调解协议签署前被申请人反悔，拒绝在协议上签字盖章。"),
    ],
}

WITHDRAWALS: list[tuple[str, str, int]] = [
    ("settled_privately", "双方已自行和解，用人单位当场支付款项，申请人申请撤回。", 45),
    ("chose_arbitration", "申请人决定直接申请劳动仲裁，申请撤回调解申请。", 18),
    ("chose_litigation", "申请人委托律师向人民法院起诉，申请撤回。", 7),
    ("chose_inspection_complaint", "申请人选择向劳动保障监察大队投诉欠薪，申请撤回。", 8),
    ("no_longer_pursue", "申请人表示不再主张权利。", 12),
    ("other", "申请人已回原籍工作，无法继续参加调解，申请撤回。", 6),
]

NON_PERFORMANCE_NOTES = [
    "被申请人未按协议约定的期限支付第二期款项，经电话及书面督促仍未履行，已告知申请人可持调解协议书向人民法院申请支付令。",
    "协议约定的履行期限届满，被申请人仅支付部分款项，经回访督促仍未付清，已引导申请人申请仲裁。",
]

RETURN_COMMENTS = [
    "卷宗缺少送达回证，请补充后重新提交。",
    "结案报告未写明履行情况，请补充回访记录后重新提交。",
]


# --- mediation work: rooms, transcripts, agreements, performance -------------------------------

ROOM_NAMES = ("第一调解室", "第二调解室")

_CN_DIGITS = "〇一二三四五六七八九"
_CN_NUMERALS = "零一二三四五六七八九十"


def cn_numeral(number: int) -> str:
    """1..99 as 一 .. 九十九 (for clause numbers and dates)."""
    if number <= 10:
        return _CN_NUMERALS[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else _CN_NUMERALS[tens]) + "十" + (_CN_NUMERALS[ones] if ones else "")


def cn_date_upper(day: dt.date) -> str:
    """2026-11-30 -> 二〇二六年十一月三十日, as agreements write dates."""
    year = "".join(_CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{cn_numeral(day.month)}月{cn_numeral(day.day)}日"


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


#: What share of a claim the parties usually settle for, by claim type (low, high, chance of 100 %).
SETTLEMENT: dict[str, tuple[float, float, float]] = {
    ClaimType.WAGE: (0.85, 1.0, 0.6),
    ClaimType.OT: (0.6, 0.9, 0.1),
    ClaimType.ANNUAL_LEAVE_PAY: (0.7, 1.0, 0.3),
    ClaimType.DOUBLE_WAGE: (0.6, 0.85, 0.05),
    ClaimType.ECON_COMP: (0.8, 1.0, 0.35),
    ClaimType.DAMAGES: (0.6, 0.85, 0.05),
    ClaimType.NOTICE_PAY: (0.7, 1.0, 0.4),
    ClaimType.INJURY_MED: (0.85, 1.0, 0.5),
    ClaimType.INJURY_OTHER: (0.75, 1.0, 0.3),
    ClaimType.SOC_LOSS: (0.7, 0.95, 0.1),
    ClaimType.NONCOMPETE_COMP: (0.7, 1.0, 0.3),
}


def settle(rng: random.Random, claim_type: str, claimed: Decimal) -> Decimal:
    """The amount agreed for a claim: usually negotiated down, rounded as people round."""
    low, high, full = SETTLEMENT.get(claim_type, (0.7, 1.0, 0.3))
    if rng.random() < full:
        return claimed
    value = claimed * Decimal(str(round(rng.uniform(low, high), 2)))
    step = Decimal(100) if value >= 2000 else Decimal(10)
    agreed = (value / step).to_integral_value() * step
    return money(min(max(agreed, step), claimed))


#: The respondent's answer at the first session, by dispute type ({who} = the speaker).
RESPONDENT_ANSWERS: dict[str, list[str]] = {
    DisputeType.PAY: [
        "{who}陈述：对申请人的入职时间、岗位和工资标准无异议，欠薪数额基本属实。公司近期因上游客户回款不及时，"
        "资金周转困难，并非恶意拖欠，希望申请人理解，同意分期支付。",
        "{who}陈述：认可拖欠工资的事实，但申请人主张的数额中包含未经审批的加班，公司不予认可，"
        "请求以公司工资表核定的数额为准。",
    ],
    DisputeType.TER: [
        "{who}陈述：公司解除劳动合同有规章制度依据，申请人多次违反考勤管理规定，且已经书面警告，"
        "不同意支付赔偿金；考虑到申请人在公司工作多年，可以适当给予一定补偿。",
        "{who}陈述：对解除劳动合同的事实及申请人工作年限无异议，同意依法支付经济补偿，"
        "但认为计算基数应扣除加班费和奖金，对申请人主张的月工资标准有异议。",
    ],
    DisputeType.CON: [
        "{who}陈述：申请人入职时公司即要求其签订劳动合同，是申请人以要回老家办事为由一直拖延未签，"
        "责任不在公司，不同意支付二倍工资差额；愿意补签劳动合同或协商解决。",
    ],
    DisputeType.INJ: [
        "{who}陈述：对工伤认定结论和伤残等级无异议，但认为申请人主张的停工留薪期过长，"
        "部分医疗费票据系非工伤治疗费用，要求核减。",
    ],
    DisputeType.SOC: [
        "{who}陈述：承认未为申请人缴纳失业保险，系公司人事人员疏忽所致，同意协商赔偿数额，"
        "社会保险关系转移手续可以配合办理。",
    ],
    DisputeType.TIM: [
        "{who}陈述：公司每年均通知员工安排年休假，申请人因个人原因未休，不同意支付未休年休假工资；"
        "如申请人能接受，可酌情给予部分补偿。",
    ],
    DisputeType.NEF: [
        "{who}陈述：配送服务费按站点规则结算，扣款依据平台考核规则，申请人入职时已知晓；"
        "考虑申请人实际情况，同意支付被扣发的服务费并退还部分罚款。",
    ],
    DisputeType.DSP: [
        "{who}陈述：派遣单位按用工单位确定的标准发放工资；用工单位认为申请人岗位与正式职工岗位职责"
        "不完全相同，但同意共同协商解决。",
    ],
    DisputeType.REL: [
        "{who}陈述：申请人系临时帮工，按天结算，双方不存在劳动关系；但认可尚欠申请人部分工钱，同意支付。",
    ],
    DisputeType.NCM: [
        "{who}陈述：认可双方签订的竞业限制协议，但怀疑申请人离职后在同行业关联企业任职，"
        "要求申请人提供社保缴纳记录核实后再行支付。",
    ],
    DisputeType.WEL: [
        "{who}陈述：公司高温期间发放了防暑降温用品，以为可以替代高温津贴，同意按规定补发。",
    ],
    DisputeType.COL: [
        "{who}陈述：集体合同约定的工资增长未执行，是因为今年订单下降、经营效益下滑，"
        "公司拟与工会协商调整，愿意分期补发。",
    ],
}

COLLECTIVE_WAGE_ANSWER = (
    "{who}陈述：对拖欠工资的人数和数额无异议，欠薪系总包单位未按期结算工程款所致，"
    "公司已向总包单位催款，正在协调总包单位从农民工工资专用账户代发。"
)

#: Evidence the applicant showed and how the respondent answered, by dispute type.
EVIDENCE: dict[str, tuple[str, str]] = {
    DisputeType.PAY: (
        "劳动合同、近一年银行工资流水、考勤记录截图、与被申请人负责人催要工资的微信聊天记录",
        "对劳动合同和银行流水的真实性无异议；对考勤记录截图的完整性有异议，认为应以公司考勤系统为准",
    ),
    DisputeType.TER: (
        "劳动合同、解除劳动合同的微信通知截图、工资银行流水、社会保险缴费记录",
        "对证据真实性无异议，但认为解除劳动合同的理由已在微信中说明；另提交员工手册及申请人签收记录",
    ),
    DisputeType.CON: (
        "工作证、工资银行流水、排班表照片、与部门主管的微信聊天记录",
        "对工资流水和工作证无异议，对排班表照片的真实性不予认可",
    ),
    DisputeType.INJ: (
        "工伤认定决定书、劳动能力鉴定结论书、医疗费票据及诊断证明、病休证明",
        "对工伤认定决定书和鉴定结论无异议，对部分医疗费票据的关联性有异议",
    ),
    DisputeType.SOC: (
        "劳动合同、社会保险个人权益记录、劳动合同终止通知书",
        "对证据真实性均无异议",
    ),
    DisputeType.TIM: (
        "劳动合同、考勤记录、离职证明、社会保险缴费记录（证明累计工作年限）",
        "对证据真实性无异议，但认为考勤记录不能证明申请人未休年休假",
    ),
    DisputeType.NEF: (
        "骑手APP接单记录截图、站点排班表、服务费结算明细、扣款通知截图",
        "对接单记录和结算明细无异议，对扣款通知的理解与申请人不同",
    ),
    DisputeType.DSP: (
        "劳务派遣合同、工资条、同岗位正式职工的工资条复印件、岗位说明书",
        "派遣单位对劳动合同和工资条无异议；用工单位对正式职工工资条的来源有异议",
    ),
    DisputeType.REL: (
        "微信转账记录、工作群聊天记录、同事证人证言",
        "对微信转账记录无异议，认为转账系支付劳务费；对证人证言不予认可",
    ),
    DisputeType.NCM: (
        "竞业限制协议、离职证明、离职后的社会保险缴费记录",
        "对竞业限制协议和离职证明无异议",
    ),
    DisputeType.WEL: (
        "劳动合同、室外作业的工作照片、工资条",
        "对证据真实性无异议",
    ),
    DisputeType.COL: (
        "工资专项集体合同文本、职工代表大会决议、职工工资条",
        "对集体合同及工资条的真实性无异议",
    ),
}

COLLECTIVE_WAGE_EVIDENCE = (
    "班组考勤表、项目部出具的欠条、工人花名册及身份证复印件、工资发放记录",
    "对考勤表、欠条和花名册无异议",
)

#: The rules the mediator explains when proposing a settlement, by dispute type.
LAW: dict[str, str] = {
    DisputeType.PAY: "《中华人民共和国劳动合同法》第三十条和《北京市工资支付规定》",
    DisputeType.TER: "《中华人民共和国劳动合同法》第四十六条、第四十七条和第八十七条",
    DisputeType.CON: "《中华人民共和国劳动合同法》第十条和第八十二条",
    DisputeType.INJ: "《工伤保险条例》第三十三条、第三十七条和《北京市实施〈工伤保险条例〉若干规定》",
    DisputeType.SOC: "《中华人民共和国社会保险法》第四十五条和《北京市失业保险规定》",
    DisputeType.TIM: "《职工带薪年休假条例》第三条、第五条",
    DisputeType.NEF: "《关于维护新就业形态劳动者劳动保障权益的指导意见》",
    DisputeType.DSP: "《中华人民共和国劳动合同法》第六十三条和第九十二条",
    DisputeType.REL: "原劳动和社会保障部《关于确立劳动关系有关事项的通知》",
    DisputeType.NCM: "《中华人民共和国劳动合同法》第二十三条、第二十四条",
    DisputeType.WEL: "《北京市防暑降温措施管理办法》",
    DisputeType.COL: "《中华人民共和国劳动合同法》第五十五条和《集体合同规定》",
}

COLLECTIVE_WAGE_LAW = "《保障农民工工资支付条例》第三十条和《中华人民共和国劳动合同法》第三十条"

EXTENSION_REASONS = [
    "被申请人需向总公司报批付款方案，双方同意延长调解期限。",
    "双方对加班时间的核算仍有分歧，需调取考勤系统数据核对，双方同意延长调解期限。",
    "被申请人正在筹措资金，申请人同意给予时间，双方同意延长调解期限。",
    "涉及人数较多，需逐人核对工资清单，双方同意延长调解期限。",
]

SESSION_PLACES_ON_SITE = ("{employer}会议室", "{employer}项目部", "{employer}办公室")

REFUSALS = (
    "认为笔录对公司陈述记载不完整，拒绝签名，调解员已在笔录上注明。",
    "称需回公司请示后才能签字，当场拒绝签名，调解员已在笔录上注明。",
)


@dataclass
class Sitting:
    """What one session's transcript records: who was there, what was said, how it ended."""

    round: int
    mediator: str
    clerk: str
    applicants: list[str]
    respondents: list[str]
    speakers: list[str]  # "被申请人北京……公司委托代理人张三", one per respondent
    dispute_type: str
    dispute_label: str
    facts: str
    claims: list[tuple[str, Decimal | None]]
    outcome: str  # "continue" | "agreement" | "failed"
    offer: Decimal | None = None  # what the mediator proposed in total
    agreed: list[str] = field(default_factory=list)  # the agreed clauses (outcome "agreement")
    collective: bool = False
    kind: str = "joint"


def _claims_text(claims: list[tuple[str, Decimal | None]]) -> str:
    parts = []
    for n, (description, amount) in enumerate(claims, start=1):
        parts.append(f"{n}. {description}" + (f"{yuan(amount)}元" if amount else ""))
    return "；".join(parts)


def transcript_blocks(rng: random.Random, s: Sitting) -> list[tuple[str, str]]:
    """The blocks of a 调解笔录 (DOMAIN.md §8 D8) in the order they are recorded."""
    applicant = "、".join(s.applicants)
    respondent = "、".join(s.respondents)
    side_a = "申请人代表" if s.collective else "申请人"
    blocks: list[tuple[str, str]] = []
    how = {"phone": "通过电话", "video": "通过视频", "shuttle": "采取背对背方式"}.get(s.kind, "")
    if s.round == 1:
        blocks.append(
            (
                "rights_notice",
                f"调解员{s.mediator}：今天{how}依法对申请人{applicant}与被申请人{respondent}{s.dispute_label}"
                f"争议一案进行调解，由调解员{s.mediator}主持，{s.clerk}担任记录。现告知双方当事人权利义务："
                "调解遵循自愿、合法、公平原则，当事人有权自主决定是否接受调解、是否达成协议，有权随时要求终止调解，"
                "有权申请调解员回避；调解不是申请劳动仲裁的必经程序，自调解组织收到调解申请之日起十五日内未达成"
                "调解协议的，当事人可以依法申请仲裁。当事人应当如实陈述案件事实、提供真实证据，遵守调解秩序，"
                "履行依法达成的调解协议。双方是否听清楚？\n"
                f"{side_a}：听清楚了。\n被申请人：听清楚了。",
            )
        )
        blocks.append(
            (
                "recusal",
                f"调解员：双方对本次调解的调解员、记录人是否申请回避？\n{side_a}：不申请回避。\n被申请人：不申请回避。",
            )
        )
        blocks.append(
            ("applicant_statement", f"{side_a}{s.applicants[0]}陈述：{s.facts}\n请求事项：{_claims_text(s.claims)}。")
        )
        answers = RESPONDENT_ANSWERS.get(s.dispute_type, RESPONDENT_ANSWERS[DisputeType.PAY])
        if s.dispute_type == DisputeType.TER:  # dismissal: the employer defends it; layoff: the amount
            answers = answers[:1] if any("违法解除" in d for d, _a in s.claims) else answers[1:]
        answer = COLLECTIVE_WAGE_ANSWER if s.collective and s.dispute_type == DisputeType.PAY else rng.choice(answers)
        blocks.append(("respondent_statement", answer.format(who="、".join(s.speakers))))
        shown, reply = (
            COLLECTIVE_WAGE_EVIDENCE
            if s.collective and s.dispute_type == DisputeType.PAY
            else EVIDENCE.get(s.dispute_type, EVIDENCE[DisputeType.PAY])
        )
        blocks.append(("evidence", f"{side_a}出示：{shown}。\n被申请人质证：{reply}。"))
    else:
        blocks.append(
            (
                "rights_notice",
                f"调解员{s.mediator}：今天{how}对本案进行第{cn_numeral(s.round)}次调解，由{s.clerk}记录。"
                "第一次调解时已告知双方的权利义务继续有效，双方是否需要重新告知？\n"
                f"{side_a}：不需要，清楚。\n被申请人：不需要。",
            )
        )
        blocks.append(
            (
                "respondent_statement",
                f"{s.speakers[0]}陈述：公司已就上次调解员提出的方案进行了内部研究，"
                + rng.choice(("原则上同意，但希望分期支付。", "对数额仍有保留，但愿意继续协商。", "同意按方案支付。")),
            )
        )
    law = COLLECTIVE_WAGE_LAW if s.collective and s.dispute_type == DisputeType.PAY else LAW.get(s.dispute_type, "")
    if s.offer:
        blocks.append(
            (
                "proposal",
                f"调解员：根据{law}的规定，结合双方提交的证据和陈述，调解员释明了相关法律规定和仲裁、诉讼的时间成本，"
                f"建议被申请人向申请人支付共计人民币{yuan(s.offer)}元，双方各让一步，尽快解决争议。",
            )
        )
    if s.outcome == "agreement":
        positions = f"{side_a}：同意调解员的方案，希望被申请人按期支付。\n被申请人：同意按上述方案支付，" + rng.choice(
            ("但需分期支付。", "将按约定期限履行。", "公司领导已授权同意。")
        )
        result = (
            "经调解，双方自愿达成如下协议：" + "；".join(s.agreed) + "。调解员将据此制作调解协议书，"
            "经双方当事人签名（盖章）、调解员签名并加盖调解组织印章后生效。"
        )
    elif s.outcome == "failed":
        positions = (
            f"{side_a}：被申请人提出的数额与法定标准差距太大，不能接受。\n"
            "被申请人：公司只能在现有方案基础上支付，无法再提高。"
        )
        result = "双方分歧较大，本次调解未能达成一致意见。调解员告知双方可在调解期限内继续协商，调解不成的，可依法申请劳动仲裁。"
    else:
        low = money((s.offer * Decimal("0.008")).to_integral_value() * 100) if s.offer else None
        positions = f"{side_a}：可以考虑适当让步，但要求被申请人尽快支付。\n" + (
            f"被申请人：需向公司领导请示，目前只能同意支付{yuan(low)}元左右。"
            if low
            else "被申请人：需向公司领导请示后再答复。"
        )
        result = rng.choice(
            (
                "双方同意庭后各自考虑调解员提出的方案，由调解员另行通知下次调解时间。",
                "双方同意继续调解。被申请人于三个工作日内答复是否接受调解方案，调解员另行安排下次调解。",
                "双方分歧仍然存在，但均同意继续调解，下次调解时间另行通知。",
            )
        )
    blocks.append(("positions", positions))
    blocks.append(("result", result))
    return blocks


def amount_words(amount: Decimal) -> str:
    from core.money import to_chinese_capitals

    return f"人民币{yuan(amount)}元（大写：{to_chinese_capitals(amount)}）"


#: Clauses every agreement ends with (LDMAL Arts 14-16, 人民调解法 Art 33).
CLOSING_TERMS = [
    "本协议履行完毕后，双方就本案劳动争议再无其他争议。",
    "被申请人未按本协议约定的期限履行支付义务的，申请人可以持本协议书依法向人民法院申请支付令，"
    "也可以就本协议约定的事项依法申请劳动仲裁。",
    "本协议自双方当事人签名（盖章）、调解员签名并加盖调解组织印章之日起生效，对双方当事人具有约束力，"
    "当事人应当履行。双方当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。",
]

FOLLOW_UP_PAID_NOTES = (
    "电话回访申请人{who}，确认已于{day}收到被申请人支付的{amount}元，申请人对调解结果表示满意。",
    "回访申请人{who}，其确认{day}已收到{amount}元，款项与协议一致。",
)
FOLLOW_UP_PERFORMED_NOTES = (
    "回访申请人{who}，协议约定的各项义务已全部履行完毕，申请人对调解工作表示满意，无新的争议。",
    "电话回访，申请人{who}确认协议已履行完毕，表示感谢调解员的帮助。",
)
FOLLOW_UP_UNPAID_NOTES = (
    "电话回访申请人{who}，称至今未收到被申请人应于{day}前支付的款项。",
    "回访申请人{who}，被申请人逾期未支付{day}到期的款项，申请人要求调解中心督促履行。",
)
PAYMENT_NOTES = {
    "bank_transfer": "被申请人通过对公账户转账至申请人本人银行账户",
    "payroll_account": "通过农民工工资专用账户按工资清单代发至每名职工本人银行账户",
    "cash": "在调解中心当场以现金支付，申请人出具收条",
    "mobile": "被申请人负责人通过微信转账支付",
}
REMINDER_NOTES = (
    "电话督促被申请人履行调解协议，被申请人财务负责人称资金周转困难，承诺尽快支付，至今仍未支付。",
    "向被申请人发出《督促履行通知书》并电话联系其法定代表人，对方表示暂无能力支付，未给出明确付款时间。",
    "走访被申请人经营场所督促履行，被申请人负责人称须等总包单位结算后才能支付。",
)


# --- multi-party linkage: transfers and reports to referring bodies ---------------------------

#: The agency's own case number, by transfer type (DOMAIN.md §7.2); {year} and {serial}.
EXTERNAL_NUMBERS = {
    "judicial_confirmation": "（{year}）京0115民特{serial}号",
    "payment_order": "（{year}）京0115民督{serial}号",
    "litigation_guidance": "（{year}）京0115民初{serial}号",
    "arbitration": "京兴劳人仲案字〔{year}〕第{serial}号",
    "labor_inspection": "京兴人社监立〔{year}〕{serial}号",
}
EXTERNAL_SERIAL_START = {
    "judicial_confirmation": 96,
    "payment_order": 41,
    "litigation_guidance": 5230,
    "arbitration": 1480,
    "labor_inspection": 215,
}

TRANSFER_REASONS = {
    "judicial_confirmation": (
        "双方当事人于{effective}达成的调解协议已生效。为保障协议履行，双方当事人共同申请人民法院确认"
        "调解协议效力（《中华人民共和国人民调解法》第三十三条），现移送贵院审查。"
    ),
    "payment_order": (
        "被申请人{employer}未按调解协议约定{description}，尚欠{owed}元，经督促仍未履行。依据"
        "《中华人民共和国劳动争议调解仲裁法》第十六条，申请人{worker}持调解协议书向贵院申请支付令。"
    ),
    "labor_inspection": (
        "被申请人{employer}拖欠申请人{worker}{workers}工资，涉嫌违反《保障农民工工资支付条例》及"
        "《劳动保障监察条例》第二十六条，申请人请求劳动保障监察机构依法调查处理，责令用人单位支付。"
    ),
    "arbitration": (
        "本案经调解未能达成协议，调解已终止。已告知申请人{worker}在仲裁时效内向劳动人事争议仲裁委员会"
        "申请仲裁，并协助其整理仲裁申请书及证据材料，移送调解卷宗材料供仲裁庭参考。"
    ),
}

SEND_CHANNELS = {
    "judicial_confirmation": [("escorted", 50), ("in_person", 30), ("electronic", 20)],
    "payment_order": [("escorted", 40), ("in_person", 40), ("electronic", 20)],
    "labor_inspection": [("in_person", 50), ("post", 20), ("electronic", 30)],
    "arbitration": [("escorted", 60), ("in_person", 40)],
}

#: Outcomes the agencies report: (outcome, note); the note may use {number}.
TRANSFER_OUTCOMES = {
    "judicial_confirmation": [
        ("confirmed", "经审查，本院裁定申请人与被申请人达成的调解协议有效，当事人应当按照调解协议的约定履行。"),
        ("confirmed", "本院经审查认为该调解协议符合司法确认条件，作出{number}民事裁定书，裁定调解协议有效。"),
    ],
    "payment_order": [
        (
            "payment_order_issued",
            "本院已向被申请人发出支付令，被申请人在法定期间内未提出书面异议，已按支付令向申请人支付拖欠款项。",
        ),
        (
            "enforced",
            "支付令生效后被申请人仍未履行，经申请人申请强制执行，执行款已划转至申请人账户，执行完毕。",
        ),
    ],
    "labor_inspection": [
        (
            "inspection_ordered",
            "经调查核实，已向用人单位下达《劳动保障监察责令改正决定书》，责令其限期支付拖欠的劳动报酬。",
        ),
        (
            "inspection_ordered",
            "已立案调查，用人单位在责令改正期限内补发了拖欠工资，本案结案。",
        ),
    ],
    "arbitration": [
        ("arbitration_mediated", "经仲裁庭调解，双方达成调解协议，已出具仲裁调解书，结案。"),
        ("case_filed", "申请人已提交仲裁申请，本委已立案受理，{number}，定期开庭审理。"),
        ("arbitration_award", "本委已依法作出仲裁裁决，裁决用人单位支付申请人劳动报酬及经济补偿。"),
    ],
}

TRANSFER_RETURNS = {
    "payment_order": (
        "申请材料不全：缺少调解协议书送达回证及被申请人住所地证明，支付令无法送达。请补正材料后另行提出申请。"
    ),
    "labor_inspection": (
        "经核查，该争议已由大兴区劳动人事争议仲裁委员会立案受理，依据《劳动保障监察条例》第二十一条，"
        "劳动保障监察机构不再立案查处，退回。"
    ),
    "judicial_confirmation": "双方当事人未共同到场提出申请，且未提交身份证明材料，不符合受理条件，退回。",
    "arbitration": "申请人尚未提交仲裁申请书，材料不全，退回补正。",
}

#: The result reported to the referring court or arbitration commission, by case outcome;
#: {body} is 贵院 / 贵委, {ref} the referring body's number, {resume} what the body does next.
REFERRAL_SUMMARIES = {
    "performed": (
        "{ref}，经调解，双方达成调解协议，被申请人已按协议履行完毕，{withdraw}。",
        "{ref}，经调解，双方当事人达成调解协议，被申请人已按约定支付全部款项，{withdraw}。",
    ),
    "not_performed": (
        "{ref}，经调解，双方达成调解协议，但被申请人未按协议约定履行，已告知申请人可依法申请支付令，请{body}{resume}。",
    ),
    "terminated": (
        "{ref}，经调解，双方未能达成调解协议，调解终止，请{body}{resume}。",
        "{ref}，经多次调解，双方分歧较大，未能达成调解协议，调解终止，请{body}{resume}。",
    ),
    "withdrawn": ("{ref}，申请人撤回调解申请，本案调解程序终结，请{body}依法处理。",),
    "rejected": ("{ref}，经审查，本案不符合调解受理条件，不予受理，退回{body}依法处理。",),
}
REFERRAL_WORDS = {
    "court_prefiling": {"body": "贵院", "withdraw": "申请人表示不再起诉", "resume": "依法立案审理"},
    "court_in_litigation": {"body": "贵院", "withdraw": "申请人申请撤回起诉", "resume": "恢复审理"},
    "arbitration_entrusted": {"body": "贵委", "withdraw": "申请人申请撤回仲裁申请", "resume": "恢复仲裁审理"},
}


def referral_summary(rng: random.Random, source: str, outcome: str, reference: str) -> str:
    words = REFERRAL_WORDS[source]
    body = str(words["body"])
    ref = f"{body}委派调解的{reference}一案" if reference else f"{body}委派调解的案件"
    if source == "arbitration_entrusted":
        ref = ref.replace("委派调解", "委托调解")
    return rng.choice(REFERRAL_SUMMARIES[outcome]).format(ref=ref, **words)
