"""Fictional but plausible partners, places, outlets and people of the demo network.

Names are invented; any likeness to a real enterprise is accidental. Codes claimed here
(WMIs ``LRN``, ``LHX``, ``LDZ``, ``LSK``; manufacturer codes ``0A1``, ``0B2``, ``0C3``,
``C7R``) are chosen for the demo and must not be mistaken for assignments.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

# Every demo user signs in with this password (printed by the command; demo data only).
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - a published demo password, never a real secret
EMAIL_DOMAIN = "example.com"


@dataclass(frozen=True)
class PartnerSpec:
    short: str  # user names (admin_<short>), e-mail domains, deterministic codes
    name: str
    name_en: str
    kinds: tuple[str, ...]
    division: str  # where it is registered: characters 3-8 of its credit code
    brand: str  # how its outlets are named
    contact: tuple[str, str, str]  # name, title, phone
    wmi: tuple[str, ...] = ()
    manufacturer_codes: tuple[str, ...] = ()
    pending_codes: tuple[str, ...] = ()  # manufacturer codes claimed, left for the data center to approve
    demonstration_agreed_on: datetime.date | None = None

    @property
    def admin_username(self) -> str:
        return f"admin_{self.short}"

    @property
    def email_domain(self) -> str:
        return f"{self.short}.{EMAIL_DOMAIN}"


PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec(
        "huayue",
        "华岳新能源汽车有限公司",
        "Huayue New Energy Vehicle Co., Ltd.",
        ("automaker", "outlet_operator"),
        "110115",
        "华岳汽车",
        ("王建国", "售后服务部电池回收主管", "010-67852210"),
        wmi=("LRN",),
        demonstration_agreed_on=datetime.date(2024, 6, 18),
    ),
    PartnerSpec(
        "jianglan",
        "江澜汽车集团有限公司",
        "Jianglan Automobile Group Co., Ltd.",
        ("automaker",),
        "500112",
        "江澜汽车",
        ("陈晓燕", "动力电池回收利用项目经理", "023-67184402"),
        wmi=("LHX",),
    ),
    PartnerSpec(
        "dingze",
        "鼎泽智能汽车科技有限公司",
        "Dingze Intelligent Vehicle Technology Co., Ltd.",
        ("automaker",),
        "330110",
        "鼎泽汽车",
        ("刘洋", "质量与合规部经理", "0571-86213390"),
        wmi=("LDZ",),
    ),
    PartnerSpec(
        "shengkai",
        "晟凯电动汽车股份有限公司",
        "Shengkai Electric Vehicle Co., Ltd.",
        ("automaker", "outlet_operator"),
        "440307",
        "晟凯汽车",
        ("黄志强", "售后网络发展部总监", "0755-28916650"),
        wmi=("LSK",),
    ),
    PartnerSpec(
        "hengli",
        "恒锂动力电池科技有限公司",
        "Hengli Power Battery Technology Co., Ltd.",
        ("battery_maker",),
        "320412",
        "恒锂动力",
        ("赵敏", "产品追溯工程师", "0519-86307718"),
        manufacturer_codes=("0A1",),
    ),
    PartnerSpec(
        "ruineng",
        "瑞能新能源电池股份有限公司",
        "Ruineng New Energy Battery Co., Ltd.",
        ("battery_maker",),
        "441302",
        "瑞能电池",
        ("孙丽", "回收业务负责人", "0752-22681135"),
        manufacturer_codes=("0B2",),
        pending_codes=("0D4",),
    ),
    PartnerSpec(
        "liyuan",
        "锂源新能源科技（合肥）有限公司",
        "Liyuan New Energy Technology (Hefei) Co., Ltd.",
        ("battery_maker",),
        "340111",
        "锂源科技",
        ("周涛", "客户服务部经理", "0551-63917724"),
        manufacturer_codes=("0C3",),
    ),
    PartnerSpec(
        "lvxun",
        "绿循再生资源回收利用有限公司",
        "Lvxun Renewable Resources Recycling Co., Ltd.",
        ("outlet_operator",),
        "110106",
        "绿循再生",
        ("李娜", "网点运营总监", "010-83657120"),
        demonstration_agreed_on=datetime.date(2024, 9, 3),
    ),
    PartnerSpec(
        "antu",
        "安途汽车服务连锁有限公司",
        "Antu Auto Service Chain Co., Ltd.",
        ("outlet_operator",),
        "310112",
        "安途汽服",
        ("吴刚", "新能源业务部经理", "021-64182237"),
    ),
    PartnerSpec(
        "chenghuan",
        "城环新能源物流有限公司",
        "Chenghuan New Energy Logistics Co., Ltd.",
        ("outlet_operator",),
        "440113",
        "城环物流",
        ("郑丽华", "仓储运营经理", "020-34829916"),
    ),
    PartnerSpec(
        "chuguang",
        "储光梯次能源科技有限公司",
        "Chuguang Second-Life Energy Technology Co., Ltd.",
        ("cascade_user",),
        "320583",
        "储光能源",
        ("马骏", "梯次利用技术总监", "0512-57763308"),
        manufacturer_codes=("C7R",),
    ),
    PartnerSpec(
        "hongyuan",
        "泓源再生材料科技有限公司",
        "Hongyuan Recycled Materials Technology Co., Ltd.",
        ("recycler",),
        "360702",
        "泓源再生",
        ("胡静", "原料采购部经理", "0797-83316620"),
    ),
    PartnerSpec(
        "shunda",
        "顺达报废汽车回收拆解有限公司",
        "Shunda End-of-Life Vehicle Recycling and Dismantling Co., Ltd.",
        ("dismantler",),
        "130104",
        "顺达拆解",
        ("高峰", "拆解车间主任", "0311-87052219"),
    ),
)

PARTNERS_BY_SHORT = {p.short: p for p in PARTNERS}


@dataclass(frozen=True)
class City:
    name: str  # as used in outlet names
    address_prefix: str  # province and city, as written at the start of an address
    region: str  # where collection outlets send their batteries for centralised storage


CITIES: dict[str, City] = {
    "110100": City("北京", "北京市", "JJJ"),
    "120100": City("天津", "天津市", "JJJ"),
    "130100": City("石家庄", "河北省石家庄市", "JJJ"),
    "130200": City("唐山", "河北省唐山市", "JJJ"),
    "130600": City("保定", "河北省保定市", "JJJ"),
    "210100": City("沈阳", "辽宁省沈阳市", "NORTHEAST"),
    "310100": City("上海", "上海市", "YRD"),
    "320100": City("南京", "江苏省南京市", "YRD"),
    "320500": City("苏州", "江苏省苏州市", "YRD"),
    "330100": City("杭州", "浙江省杭州市", "YRD"),
    "330200": City("宁波", "浙江省宁波市", "YRD"),
    "340100": City("合肥", "安徽省合肥市", "YRD"),
    "410100": City("郑州", "河南省郑州市", "CENTRAL"),
    "420100": City("武汉", "湖北省武汉市", "CENTRAL"),
    "430100": City("长沙", "湖南省长沙市", "CENTRAL"),
    "440100": City("广州", "广东省广州市", "PRD"),
    "440300": City("深圳", "广东省深圳市", "PRD"),
    "440400": City("珠海", "广东省珠海市", "PRD"),
    "440600": City("佛山", "广东省佛山市", "PRD"),
    "441900": City("东莞", "广东省东莞市", "PRD"),
    "500100": City("重庆", "重庆市", "SOUTHWEST"),
    "510100": City("成都", "四川省成都市", "SOUTHWEST"),
    "610100": City("西安", "陕西省西安市", "NORTHWEST"),
}

COLLECTION = "collection"
CENTRALIZED = "centralized_storage"


@dataclass(frozen=True)
class OutletSpec:
    key: str  # stable handle used by the battery history and the staff assignments
    operator: str  # partner short name
    adcode: str
    district: str  # as written in the address
    label: str  # as written in the outlet name
    kind: str = COLLECTION
    status: str = "approved"  # the lifecycle step the demo leaves it at: draft, submitted, approved, suspended
    capacity_kg: int | None = None  # centralised storage: set explicitly (30-120 t)
    shared_with: tuple[str, ...] = ()  # automakers the operator authorises to use it


def _c(key: str, operator: str, adcode: str, district: str, label: str = "", **extra) -> OutletSpec:
    return OutletSpec(key, operator, adcode, district, label or district.removesuffix("区"), **extra)


# 66 outlets: 60 approved, 1 approved then suspended, 4 applications submitted, 1 draft.
OUTLETS: tuple[OutletSpec, ...] = (
    # Beijing-Tianjin-Hebei
    _c("bj-lvxun-daxing", "lvxun", "110100", "大兴区", shared_with=("jianglan", "dingze")),
    _c("bj-lvxun-chaoyang", "lvxun", "110100", "朝阳区", shared_with=("jianglan",)),
    _c("bj-lvxun-fengtai", "lvxun", "110100", "丰台区"),
    _c("bj-huayue-chaoyang", "huayue", "110100", "朝阳区"),
    _c("bj-antu-haidian", "antu", "110100", "海淀区", shared_with=("shengkai",)),
    _c("bj-lvxun-tongzhou", "lvxun", "110100", "通州区", kind=CENTRALIZED, capacity_kg=120_000),
    _c("tj-lvxun-xiqing", "lvxun", "120100", "西青区", shared_with=("huayue",)),
    _c("tj-huayue-hexi", "huayue", "120100", "河西区"),
    _c("tj-antu-binhai", "antu", "120100", "滨海新区", "滨海"),
    _c("tj-chenghuan-wuqing", "chenghuan", "120100", "武清区", kind=CENTRALIZED, capacity_kg=120_000),
    _c("sjz-lvxun-changan", "lvxun", "130100", "长安区", shared_with=("jianglan",)),
    _c("sjz-antu-yuhua", "antu", "130100", "裕华区"),
    _c("bd-lvxun-jingxiu", "lvxun", "130600", "竞秀区"),
    _c("ts-lvxun-lubei", "lvxun", "130200", "路北区", status="suspended"),
    _c("ts-lvxun-fengrun", "lvxun", "130200", "丰润区", status="submitted"),
    # Yangtze River Delta
    _c("sh-antu-minhang", "antu", "310100", "闵行区", shared_with=("jianglan", "dingze")),
    _c("sh-antu-pudong", "antu", "310100", "浦东新区", "浦东", shared_with=("huayue",)),
    _c("sh-antu-songjiang", "antu", "310100", "松江区"),
    _c("sh-huayue-jiading", "huayue", "310100", "嘉定区"),
    _c("sh-chenghuan-baoshan", "chenghuan", "310100", "宝山区"),
    _c("sh-antu-jiading", "antu", "310100", "嘉定区", kind=CENTRALIZED, capacity_kg=120_000),
    _c("nj-antu-jiangning", "antu", "320100", "江宁区", shared_with=("dingze",)),
    _c("nj-lvxun-qixia", "lvxun", "320100", "栖霞区"),
    _c("nj-huayue-jianye", "huayue", "320100", "建邺区"),
    _c("sz-antu-sip", "antu", "320500", "苏州工业园区", "工业园区", shared_with=("jianglan",)),
    _c("sz-lvxun-wuzhong", "lvxun", "320500", "吴中区"),
    _c("sz-chenghuan-xiangcheng", "chenghuan", "320500", "相城区", kind=CENTRALIZED, capacity_kg=120_000),
    _c("hz-antu-xiaoshan", "antu", "330100", "萧山区", shared_with=("dingze",)),
    _c("hz-chenghuan-yuhang", "chenghuan", "330100", "余杭区", shared_with=("dingze",)),
    _c("hz-huayue-xihu", "huayue", "330100", "西湖区"),
    _c("hz-antu-qiantang", "antu", "330100", "钱塘区", kind=CENTRALIZED, capacity_kg=100_000),
    _c("nb-antu-yinzhou", "antu", "330200", "鄞州区", shared_with=("jianglan",)),
    _c("nb-antu-beilun", "antu", "330200", "北仑区", status="submitted"),
    _c("hf-huayue-baohe", "huayue", "340100", "包河区"),
    _c("hf-lvxun-jingkai", "lvxun", "340100", "经济技术开发区", "经开区", shared_with=("dingze",)),
    # Pearl River Delta
    _c("gz-chenghuan-panyu", "chenghuan", "440100", "番禺区", shared_with=("shengkai", "dingze")),
    _c("gz-chenghuan-baiyun", "chenghuan", "440100", "白云区", shared_with=("jianglan",)),
    _c("gz-shengkai-tianhe", "shengkai", "440100", "天河区"),
    _c("gz-antu-huangpu", "antu", "440100", "黄埔区"),
    _c("gz-chenghuan-zengcheng", "chenghuan", "440100", "增城区", kind=CENTRALIZED, capacity_kg=120_000),
    _c("szn-chenghuan-baoan", "chenghuan", "440300", "宝安区", shared_with=("huayue", "dingze")),
    _c("szn-shengkai-longgang", "shengkai", "440300", "龙岗区"),
    _c("szn-antu-nanshan", "antu", "440300", "南山区", shared_with=("shengkai",)),
    _c("szn-antu-pingshan", "antu", "440300", "坪山区", kind=CENTRALIZED, capacity_kg=120_000),
    _c("fs-chenghuan-nanhai", "chenghuan", "440600", "南海区", shared_with=("shengkai",)),
    _c("fs-antu-shunde", "antu", "440600", "顺德区"),
    _c("dg-chenghuan-songshanhu", "chenghuan", "441900", "松山湖高新区", "松山湖"),
    _c("dg-shengkai-changan", "shengkai", "441900", "长安镇", "长安", status="submitted"),
    _c("zh-chenghuan-xiangzhou", "chenghuan", "440400", "香洲区"),
    # Central China
    _c("zz-lvxun-jinshui", "lvxun", "410100", "金水区", shared_with=("jianglan",)),
    _c("zz-antu-guancheng", "antu", "410100", "管城回族区", "管城"),
    _c("zz-lvxun-jingkai", "lvxun", "410100", "经济技术开发区", "经开区", kind=CENTRALIZED, capacity_kg=90_000),
    _c("wh-lvxun-hongshan", "lvxun", "420100", "洪山区", shared_with=("dingze",)),
    _c("wh-shengkai-hanyang", "shengkai", "420100", "汉阳区"),
    _c("wh-chenghuan-dongxihu", "chenghuan", "420100", "东西湖区", kind=CENTRALIZED, capacity_kg=120_000),
    _c("cs-shengkai-yuhua", "shengkai", "430100", "雨花区"),
    _c("cs-lvxun-yuelu", "lvxun", "430100", "岳麓区", shared_with=("jianglan",)),
    _c("cs-chenghuan-kaifu", "chenghuan", "430100", "开福区", status="submitted"),
    # Elsewhere
    _c("cd-chenghuan-wuhou", "chenghuan", "510100", "武侯区", shared_with=("jianglan",)),
    _c("cd-antu-shuangliu", "antu", "510100", "双流区"),
    _c("cd-lvxun-longquanyi", "lvxun", "510100", "龙泉驿区", kind=CENTRALIZED, capacity_kg=60_000),
    _c("cq-chenghuan-yubei", "chenghuan", "500100", "渝北区", shared_with=("jianglan",)),
    _c("cq-shengkai-jiulongpo", "shengkai", "500100", "九龙坡区"),
    _c("xa-chenghuan-weiyang", "chenghuan", "610100", "未央区"),
    _c("xa-lvxun-changan", "lvxun", "610100", "长安区", status="draft"),
    _c("sy-lvxun-hunnan", "lvxun", "210100", "浑南区"),
)

OUTLETS_BY_KEY = {o.key: o for o in OUTLETS}


def outlet_size(spec: OutletSpec) -> tuple[int, int]:
    """Storage area (m²) and capacity (kg): collection outlets within the guideline's
    limits (at least 10 m², at most 5 t), centralised storage as listed (at least 30 t).
    The battery history plans with these capacities, so both read them from here."""
    if spec.kind == CENTRALIZED:
        capacity = spec.capacity_kg or 30_000
        return capacity // 400 * 10, capacity
    rng = random.Random(f"outlet-size:{spec.key}")
    return rng.randrange(20, 201, 5), rng.choice((2000, 2500, 3000, 3500, 4000, 4500, 5000))


@dataclass(frozen=True)
class StaffSpec:
    username: str
    partner: str
    outlet: str  # OutletSpec.key
    display_name: str


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("staff_bj1", "lvxun", "bj-lvxun-daxing", "张伟"),
    StaffSpec("staff_bj2", "huayue", "bj-huayue-chaoyang", "李强"),
    StaffSpec("staff_tj1", "chenghuan", "tj-chenghuan-wuqing", "王芳"),
    StaffSpec("staff_sh1", "antu", "sh-antu-minhang", "刘静"),
    StaffSpec("staff_sz1", "chenghuan", "szn-chenghuan-baoan", "陈磊"),
    StaffSpec("staff_wh1", "lvxun", "wh-lvxun-hongshan", "杨帆"),
)

DATACENTER_ADMINS = (("dc_admin", "数据中心管理员"), ("dc_reviewer", "数据中心审核员"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "志强",
    "建华",
    "海燕",
    "晓东",
    "婷婷",
    "国庆",
    "春梅",
    "宇航",
    "子涵",
    "浩然",
    "思远",
)
ROADS = (
    "科创路",
    "兴业大道",
    "建设路",
    "工业大道",
    "环城北路",
    "物流园路",
    "振兴路",
    "创业大道",
    "新能源路",
    "金桥路",
    "光明路",
    "产业园一路",
    "汽车城大道",
    "经三路",
    "纬二路",
)
ADDRESS_DETAILS = ("", "1号厂房", "B区3栋", "汽车服务园内", "物流园7号库", "东侧院内")
OPENING_HOURS = (
    "周一至周六 08:30-17:30",
    "周一至周日 09:00-18:00",
    "工作日 08:00-17:00",
    "周一至周五 08:30-17:30，周六 09:00-12:00",
)
