"""Demo data set of Fuling District: enterprises, findings and case steps in two eras.

- The 2020 plan year (涪经信发〔2020〕85号): the five bureaus' 2020 findings, judged by the instruments then in
  force (the 2017 major-hazard standard, the 2019 catalogue, GB 21346-2013 and GB 30526-2019), each case carried
  to its end in 2021.
- The current era, 2023–2026: findings judged by what replaced them (应急管理部令第10号 from 2023-05-15, the
  2024 catalogue's 参照淘汰类管理 from 2024-02-01, GB 21346-2022 and GB 21341-2022 from 2024-01-01,
  GB 16780-2021 from 2022-11-01); some of these cases are still open on ``DEMO_TODAY``.

Everything is fixed data: no randomness, no dates relative to today. Company names are invented; towns,
industrial parks, documents, standards and the major-hazard items are real; limit values and item texts come
from the policy data. Case outcomes are judged as of ``DEMO_TODAY``, the platform date of the demo.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from phaseout_kit.uscc import make_code
from phaseout_policy import PolicyBook, add_months

Bureau = Literal["energy", "environment", "quality", "safety", "technology"]
Severity = Literal["general", "serious", "grave"]
Programme = Literal["follow_up_2019", "national_special", "city_directed", "tiered_price_check"]
StepKind = Literal[
    "rectification_ordered",
    "extension_requested",
    "extension_granted",
    "extension_refused",
    "rectification_reported",
    "reinspection_passed",
    "reinspection_failed",
    "production_suspended",
    "closure_proposed",
    "closure_approved",
    "closure_executed",
    "equipment_sealed",
    "equipment_dismantled",
    "case_closed",
]
Outcome = Literal["compliant", "yellow", "overdue", "exited"]

# The platform date of the demo: the office's work of December 2026, with the 2020 plan year concluded.
DEMO_TODAY = date(2026, 12, 7)
PLAN = "涪经信发〔2020〕85号"
PLAN_ISSUED = date(2020, 6, 15)
RECTIFICATION_MONTHS = 6


@dataclass(frozen=True)
class DemoLine:
    name: str
    equipment: str | None
    capacity_value: float
    capacity_unit: str

    @property
    def capacity_text(self) -> str:
        value = self.capacity_value
        return f"{int(value) if float(value).is_integer() else value}{self.capacity_unit}"

    def body(self) -> dict[str, Any]:
        capacity = {"value": self.capacity_value, "unit": self.capacity_unit}
        return {"name": self.name, "equipment": self.equipment, "capacity": capacity}


@dataclass(frozen=True)
class DemoEnterprise:
    uscc: str
    name: str
    town: str
    industrial_park: str | None
    industry: str
    lines: tuple[DemoLine, ...]
    affiliates: tuple[str, ...] = ()  # 关联企业 (USCCs of other demo enterprises)


@dataclass(frozen=True)
class DemoFinding:
    bureau: Bureau
    body: dict[str, Any]  # JSON body of POST /api/v1/findings of that bureau

    @property
    def external_ref(self) -> str:
        return str(self.body["external_ref"])


@dataclass(frozen=True)
class DemoStep:
    external_ref: str
    kind: StepKind
    on: date
    note: str
    deadline: date | None = None  # set on rectification_ordered and extension_granted
    way: str | None = None  # set on closure_executed: 关闭 (closed) or 取缔 (banned)


# ---- enterprises ---------------------------------------------------------------------------------------

LD, LQ, BT, QX, HT = "李渡工业园区", "龙桥工业园区", "白涛化工园区", "清溪工业园区", "涪陵高新技术产业开发区"
WT, T, BOX, WBOX, BRICK = "万吨/年", "吨/年", "重量箱/年", "万重量箱/年", "万块标砖/年"
WKVA, KVA, TD = "万千伏安", "千伏安", "吨/日"
Line = tuple[str, str | None, float, str]

# key, subject code (positions 9-16; the GB 11714 check character is added), name, town, park, industry, lines
_ENTERPRISES: tuple[tuple[str, str, str, str, str | None, str, tuple[Line, ...]], ...] = (
    ("B01", "MA5U3C8K", "重庆市涪陵区马武镇兴旺页岩砖厂", "马武镇", None, "sintered_bricks",
     (("1号轮窑生产线", "28门轮窑", 3000, BRICK),)),
    ("B02", "MA5U4FJ2", "重庆市涪陵区宏达建材有限公司", "焦石镇", None, "sintered_bricks",
     (("隧道窑生产线", "一次码烧隧道窑", 6000, BRICK),)),
    ("B03", "MA5U5A7N", "重庆市涪陵区百胜镇鑫源页岩砖厂", "百胜镇", None, "sintered_bricks",
     (("轮窑生产线", "20门轮窑", 4500, BRICK),)),
    ("B04", "MA5U6RW1", "重庆市涪陵区金鑫新型建材有限公司", "新妙镇", None, "sintered_bricks",
     (("1号隧道窑生产线", "隧道窑", 8000, BRICK), ("2号轮窑生产线", "30门轮窑", 3500, BRICK))),
    ("B05", "MA5U7D3T", "重庆市涪陵区永盛页岩砖有限公司", "南沱镇", None, "sintered_bricks",
     (("轮窑生产线", "28门轮窑", 3200, BRICK),)),
    ("B06", "MA5U8HK4", "重庆市涪陵区珍溪镇顺达砖瓦厂", "珍溪镇", None, "sintered_bricks",
     (("土窑生产线", "马蹄窑", 800, BRICK),)),
    ("B07", "MA5U9L2P", "重庆市涪陵区华丰新型墙材有限公司", "清溪镇", None, "sintered_bricks",
     (("隧道窑生产线", "隧道窑", 9000, BRICK),)),
    ("B08", "MA5UAB6X", "重庆市涪陵区石沱镇长江页岩砖厂", "石沱镇", None, "sintered_bricks",
     (("轮窑生产线", "18门轮窑", 2800, BRICK),)),
    ("B09", "MA5UBG9Q", "重庆市涪陵区恒发建材有限公司", "义和街道", None, "sintered_bricks",
     (("空心砖隧道窑生产线", "隧道窑", 7000, BRICK),)),
    ("B10", "MA5UC4MR", "重庆市涪陵区蔺市利民页岩砖厂", "蔺市街道", None, "sintered_bricks",
     (("轮窑生产线", "32门轮窑", 4000, BRICK),)),
    ("B11", "MA5UD7TE", "重庆市涪陵区荔枝宏利砖厂", "荔枝街道", None, "sintered_bricks",
     (("土窑生产线", "无顶轮窑", 600, BRICK),)),
    ("C01", "20850316", "重庆市涪陵区金盾水泥有限公司", "龙桥街道", LQ, "cement",
     (("熟料生产线", "新型干法回转窑", 2500, TD), ("水泥粉磨系统", "Φ3.8m辊压机联合粉磨系统", 100, WT))),
    ("C02", "MA5UE2WH", "重庆市涪陵区三江水泥有限公司", "白涛街道", None, "cement",
     (("机立窑生产线", "机立窑", 8, WT),)),
    ("C03", "MA5UF8NC", "重庆市涪陵区长城建材有限公司", "李渡街道", LD, "cement",
     (("水泥粉磨站", "Φ2.6m球磨机", 20, WT),)),
    ("C04", "MA5UG3XA", "重庆市涪陵区天龙水泥有限公司", "焦石镇", None, "cement",
     (("机立窑生产线", "机立窑", 10, WT),)),
    ("C05", "MA5UH6PD", "重庆市涪陵区宏基水泥有限公司", "马武镇", None, "cement",
     (("熟料生产线", "新型干法回转窑", 1200, TD),)),
    ("C06", "MA5UJ9BE", "重庆市涪陵区江北建材有限公司", "江北街道", None, "cement",
     (("水泥粉磨站", "Φ2.2m球磨机", 15, WT),)),
    ("C07", "MA5UK1RF", "重庆市涪陵区青峰水泥有限公司", "清溪镇", None, "cement",
     (("熟料生产线", "新型干法回转窑", 2000, TD),)),
    ("H01", "MA5UL5CG", "重庆市涪陵区川江化工有限公司", "白涛街道", BT, "chemicals",
     (("合成氨装置", "固定床造气炉", 6, WT),)),
    ("H02", "MA5UM8DJ", "重庆市涪陵区锦鸿化工有限公司", "白涛街道", BT, "chemicals",
     (("硫酸装置", "沸腾焙烧炉", 10, WT),)),
    ("H03", "MA5UN2EK", "重庆市涪陵区华强精细化工有限公司", "龙桥街道", LQ, "chemicals",
     (("甲醛装置", "银法甲醛反应器", 3, WT),)),
    ("H04", "MA5UP4FL", "重庆市涪陵区瑞丰磷化工有限公司", "白涛街道", BT, "chemicals",
     (("黄磷生产线", "黄磷电炉", 12500, KVA),)),
    ("H05", "MA5UQ7GM", "重庆市涪陵区恒润化工有限公司", "龙桥街道", LQ, "chemicals",
     (("电石生产线", "密闭电石炉", 2.55, WKVA),)),
    ("H06", "MA5UR3HN", "重庆市涪陵区天宇新材料有限公司", "李渡街道", HT, "chemicals",
     (("树脂装置", "反应釜", 5000, T),)),
    ("H07", "MA5UT6JP", "重庆市涪陵区嘉盛化工有限公司", "珍溪镇", None, "chemicals",
     (("复混肥生产线", "转鼓造粒机", 8, WT),)),
    ("H08", "MA5UU9KQ", "重庆市涪陵区渝东化工有限公司", "南沱镇", None, "chemicals",
     (("磷酸盐生产线", "反应釜", 6000, T),)),
    ("S01", "20861447", "重庆市涪陵区鑫钢特钢有限公司", "李渡街道", LD, "steel",
     (("炼钢生产线", "50吨电弧炉", 60, WT), ("轧钢生产线", "棒材连轧机组", 60, WT))),
    ("S02", "MA5UW2LR", "重庆市涪陵区华钢铸造有限公司", "龙桥街道", LQ, "steel",
     (("铸造熔炼线", "5吨中频炉", 2, WT),)),
    ("S03", "MA5UX5MT", "重庆市涪陵区金鼎钢铁有限公司", "新妙镇", None, "steel",
     (("炼钢生产线", "10吨中频炉", 5, WT),)),
    ("S04", "MA5UY8NU", "重庆市涪陵区恒通轧钢厂", "江东街道", None, "steel",
     (("轧钢生产线", "横列式轧机", 15, WT),)),
    ("S05", "MA60013W", "重庆市涪陵区长江特钢有限公司", "龙桥街道", LQ, "steel",
     (("转炉炼钢生产线", "30吨转炉", 40, WT),)),
    ("F01", "MA6002KX", "重庆市涪陵区金龙铁合金有限公司", "白涛街道", None, "ferroalloy",
     (("硅锰合金生产线", "矿热炉", 2.55, WKVA),)),
    ("F02", "MA6003PY", "重庆市涪陵区永丰铁合金厂", "焦石镇", None, "ferroalloy",
     (("硅铁生产线", "矿热炉", 5000, KVA),)),
    ("F03", "MA6004QA", "重庆市涪陵区天源冶炼有限公司", "龙桥街道", LQ, "ferroalloy",
     (("1号硅锰合金生产线", "矿热炉", 3.3, WKVA), ("2号硅锰合金生产线", "矿热炉", 3.3, WKVA))),
    ("F04", "MA6005RB", "重庆市涪陵区盛达硅业有限公司", "马武镇", None, "ferroalloy",
     (("工业硅生产线", "矿热炉", 4500, KVA),)),
    ("A01", "MA6006TC", "重庆市涪陵区渝江铝业有限公司", "清溪镇", QX, "electrolytic_aluminium",
     (("一期电解系列", "300kA预焙电解槽", 12, WT), ("二期电解系列", "300kA预焙电解槽", 13, WT))),
    ("A02", "MA6007UD", "重庆市涪陵区鑫泰铝业有限公司", "清溪镇", QX, "electrolytic_aluminium",
     (("200kA电解系列", "200kA预焙电解槽", 8, WT), ("160kA电解系列", "160kA预焙电解槽", 5, WT))),
    ("A03", "MA6008WE", "重庆市涪陵区江南铝业有限公司", "白涛街道", None, "electrolytic_aluminium",
     (("100kA电解系列", "100kA预焙电解槽", 3, WT),)),
    ("G01", "MA6009XF", "重庆市涪陵区晶鑫玻璃有限公司", "李渡街道", LD, "flat_glass",
     (("一线浮法玻璃生产线", "浮法线", 500, WBOX),)),
    ("G02", "MA600AYG", "重庆市涪陵区华光玻璃有限公司", "龙桥街道", LQ, "flat_glass",
     (("浮法玻璃生产线", "浮法线", 450, TD),)),
    ("G03", "MA600B1H", "重庆市涪陵区明亮玻璃厂", "江东街道", None, "flat_glass",
     (("平拉玻璃生产线", "平拉机", 600000, BOX),)),
    ("K01", "MA600C2J", "重庆市涪陵区焦石镇大坪煤矿", "焦石镇", None, "coal",
     (("主井生产系统", "绞车提升系统", 9, WT),)),
    ("K02", "MA600D3K", "重庆市涪陵区马武镇青山煤矿", "马武镇", None, "coal",
     (("主井生产系统", "绞车提升系统", 6, WT),)),
    ("K03", "MA600E4L", "重庆市涪陵区联合煤业有限公司", "新妙镇", None, "coal",
     (("采煤工作面", "炮采工作面", 15, WT),)),
    ("K04", "MA600F5M", "重庆市涪陵区白涛洗煤厂", "白涛街道", None, "coal",
     (("洗选生产线", "跳汰机", 30, WT),)),
)  # fmt: skip

# 关联企业: same owner (立窑 pair, 铁合金 pair, 化工 pair), billet buyer (地条钢), parent company (铝业)
_AFFILIATES: dict[str, tuple[str, ...]] = {
    "C02": ("C04",), "C04": ("C02",), "F02": ("F04",), "F04": ("F02",),
    "H07": ("H08",), "H08": ("H07",), "S03": ("S04",), "A03": ("A02",),
}  # fmt: skip


def _org_check(subject: str) -> str:
    """GB 11714 check character of the 8-character subject code (positions 9-16 of the USCC)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(subject, weights, strict=True))
    rem = 11 - total % 11
    return "X" if rem == 10 else "0" if rem == 11 else str(rem)


def _uscc(subject: str) -> str:
    return make_code("91500102" + subject + _org_check(subject))


@cache
def _by_key() -> dict[str, DemoEnterprise]:
    codes = {key: _uscc(subject) for key, subject, *_ in _ENTERPRISES}
    return {
        key: DemoEnterprise(
            uscc=codes[key],
            name=name,
            town=town,
            industrial_park=park,
            industry=industry,
            lines=tuple(DemoLine(*line) for line in lines),
            affiliates=tuple(codes[a] for a in _AFFILIATES.get(key, ())),
        )
        for key, _, name, town, park, industry, lines in _ENTERPRISES
    }


def enterprises() -> list[DemoEnterprise]:
    return list(_by_key().values())


# ---- findings ------------------------------------------------------------------------------------------

_PREFIX: dict[Bureau, str] = {
    "energy": "EN", "environment": "EP", "quality": "QA", "safety": "SA", "technology": "TE",
}  # fmt: skip
_PLAN_CLAUSE: dict[Bureau, str] = {
    "energy": "二、(一)", "environment": "二、(二)", "quality": "二、(三)", "safety": "二、(四)",
    "technology": "二、(五)1",
}  # fmt: skip
_INSPECTORS: dict[Bureau, tuple[str, ...]] = {
    "energy": ("张伟", "刘洋", "陈静"), "environment": ("王磊", "李娜", "杨帆"),
    "quality": ("赵敏", "周强", "徐丽"), "safety": ("吴刚", "郑丽", "孙浩"), "technology": ("黄勇", "何平"),
}  # fmt: skip
_EVIDENCE: dict[Bureau, tuple[str, ...]] = {
    "energy": ("节能监察记录", "能源计量报表"), "environment": ("现场检查笔录", "监测报告"),
    "quality": ("抽样单", "检验报告"), "safety": ("现场检查记录", "现场处理措施决定书"),
    "technology": ("排查记录", "现场照片"),
}  # fmt: skip

_PROGRAMME_CLAUSE: dict[Programme, str] = {
    "follow_up_2019": "二、(一)1", "national_special": "二、(一)2", "city_directed": "二、(一)3",
    "tiered_price_check": "二、(一)4；发改价格〔2013〕2530号",
}  # fmt: skip

# enterprise, line index, found_on (2020-MM-DD), severity, story, product, measured value, programme
_ENERGY: tuple[tuple[str, int, str, Severity, str, str, float, Programme], ...] = (
    ("A01", 0, "06-22", "general", "compliant_ext", "铝液交流电耗", 13786, "follow_up_2019"),
    ("B01", 0, "06-18", "general", "compliant_ext", "烧结实心制品", 58.6, "city_directed"),
    ("B03", 0, "06-23", "grave", "ext_refused_exit", "烧结实心制品", 112.4, "city_directed"),
    ("B05", 0, "07-02", "general", "ordered", "烧结实心制品", 62.0, "city_directed"),
    ("A02", 1, "07-08", "serious", "exit", "铝液交流电耗", 13985, "national_special"),
    ("B07", 0, "07-09", "general", "compliant", "烧结多孔砖和多孔砌块", 56.8, "city_directed"),
    ("B08", 0, "07-21", "grave", "exit", "烧结实心制品", 107.5, "city_directed"),
    ("B04", 1, "08-05", "general", "compliant_ext", "烧结实心制品", 57.2, "city_directed"),
    ("A02", 0, "08-20", "general", "compliant", "铝液交流电耗", 13750, "tiered_price_check"),
    ("B09", 0, "08-26", "general", "ordered", "烧结空心砖和空心砌块", 59.3, "city_directed"),
    ("B02", 0, "09-14", "general", "compliant", "烧结多孔砖和多孔砌块", 54.1, "city_directed"),
    ("A01", 1, "09-16", "general", "compliant", "铝液交流电耗", 13900, "tiered_price_check"),
    ("B10", 0, "12-28", "general", "ordered", "烧结实心制品", 60.2, "city_directed"),
)

AIR, WATER, PERMIT = (
    "《中华人民共和国大气污染防治法》第九十九条",
    "《中华人民共和国水污染防治法》第八十三条",
    ("《排污许可管理办法（试行）》"),
)
QUALITY_LAW = "《中华人民共和国产品质量法》第四十九条"
CATALOGUE = "《产业结构调整指导目录（2019年本）》淘汰类 一、落后生产工艺装备"

# bureau, enterprise, line index, found_on, severity, story, legal basis (before the plan clause), description.
# Safety rows give a hazard code of 工贸行业重大生产安全事故隐患判定标准（2017版） in place of the basis.
_OTHER: tuple[tuple[Bureau, str, int | None, str, Severity, str, str, str], ...] = (
    ("environment", "A03", 0, "03-18", "serious", "suspend_ok", f"{AIR}；GB 25465-2010",
     "电解烟气氟化物排放浓度 5.7 mg/m³，超过《铝工业污染物排放标准》（GB 25465-2010）限值 3.0 mg/m³ 0.9 倍"),
    ("environment", "H08", 0, "06-24", "grave", "suspend_exit", WATER,
     "偷排偷放：私设暗管将含磷生产废水经雨水管网直排长江"),
    ("environment", "C01", 0, "06-29", "serious", "suspend_ok", f"{AIR}；GB 4915-2013",
     "窑尾颗粒物排放浓度 54 mg/m³，超过《水泥工业大气污染物排放标准》（GB 4915-2013）限值 30 mg/m³ 0.8 倍"),
    ("environment", "K03", 0, "06-30", "serious", "suspend_ok", f"{WATER}；GB 20426-2006",
     "矿井水悬浮物排放浓度 155 mg/L，超过《煤炭工业污染物排放标准》（GB 20426-2006）限值 50 mg/L 2.1 倍"),
    ("environment", "B01", 0, "07-06", "serious", "suspend_ok", f"{AIR}；GB 29620-2013",
     "轮窑烟气二氧化硫排放浓度 1140 mg/m³，超过《砖瓦工业大气污染物排放标准》（GB 29620-2013）限值 300 mg/m³ 2.8 倍"),
    ("environment", "B03", 0, "07-14", "serious", "suspend_ok", f"{AIR}；GB 29620-2013",
     "颗粒物排放浓度 99 mg/m³，超过《砖瓦工业大气污染物排放标准》（GB 29620-2013）限值 30 mg/m³，超标 2.3 倍"),
    ("environment", "H07", 0, "07-28", "grave", "suspended", WATER,
     "数据造假：篡改化学需氧量在线监测设备参数，在线监测数据严重失真"),
    ("environment", "B11", 0, "08-03", "grave", "suspend_exit", AIR,
     "无证排污：未取得排污许可证擅自生产，土窑烟气未经处理直接排放"),
    ("environment", "G03", 0, "08-11", "serious", "suspend_ok", f"{AIR}；GB 26453-2011",
     "熔窑烟气氮氧化物排放浓度 1540 mg/m³，超过《平板玻璃工业大气污染物排放标准》（GB 26453-2011）限值 700 mg/m³ 1.2 倍"),
    ("environment", "S01", 0, "08-18", "general", "suspend_ok", f"{AIR}；GB 28664-2012",
     "电炉烟气除尘设施未正常运行，炼钢车间颗粒物无组织排放"),
    ("environment", "C06", 0, "09-02", "general", "suspend_ok", f"{AIR}；GB 4915-2013",
     "粉磨站物料露天堆放，未采取密闭措施，颗粒物无组织排放"),
    ("environment", "H01", None, "09-08", "serious", "suspend_ok", f"{WATER}；{PERMIT}",
     "超总量排放：2020年1—8月氨氮排放量 46.2 吨，超过排污许可证核定的年许可排放量 38 吨"),
    ("environment", "F01", 0, "09-22", "serious", "suspend_ok", f"{AIR}；GB 28666-2012",
     "矿热炉烟气颗粒物排放浓度 120 mg/m³，超过《铁合金工业污染物排放标准》（GB 28666-2012）限值 50 mg/m³ 1.4 倍"),
    ("environment", "H02", 0, "10-12", "serious", "suspend_ok", f"{AIR}；GB 26132-2010",
     "硫酸尾气二氧化硫排放浓度 1030 mg/m³，超过《硫酸工业污染物排放标准》（GB 26132-2010）限值 400 mg/m³ 1.6 倍"),
    ("environment", "G01", None, "10-20", "general", "suspend_ok", f"{AIR}；{PERMIT}",
     "超总量排放：2020年1—9月二氧化硫排放量超过排污许可证核定的年许可排放量"),
    ("environment", "K04", 0, "11-09", "grave", "suspended", WATER,
     "偷排偷放：煤泥水未经沉淀处理，经暗管直排乌江支流"),
    ("environment", "C07", 0, "12-15", "serious", "suspended", f"{AIR}；GB 4915-2013",
     "窑尾氮氧化物排放浓度 520 mg/m³，超过《水泥工业大气污染物排放标准》（GB 4915-2013）限值 400 mg/m³ 0.3 倍"),
    ("quality", "S03", 0, "06-28", "grave", "ditiaogang", f"{PLAN} 二、(三)3；涪陵府办发〔2018〕100号",
     "生产“地条钢”：以中频炉熔化废钢直接浇铸钢坯，无炉外精炼，冒充合格钢坯销售"),
    ("quality", "G03", 0, "06-30", "serious", "exit", f"{QUALITY_LAW}；GB 11614-2009",
     "平板玻璃监督抽查不合格：厚度偏差、点状缺陷不符合 GB 11614-2009"),
    ("quality", "C02", 0, "07-03", "serious", "licence_exit", f"{PLAN} 二、(三)1；《产业结构调整指导目录（2019年本）》",
     "使用国家明令淘汰的机立窑生产水泥，仍持有水泥产品生产许可证"),
    ("quality", "S04", 0, "07-16", "serious", "compliant", f"{QUALITY_LAW}；GB/T 1499.2-2018",
     "热轧带肋钢筋 HRB400E Φ16 监督抽查不合格：重量偏差、最大力总延伸率不符合 GB/T 1499.2-2018"),
    ("quality", "C05", 0, "07-22", "general", "ordered", f"{QUALITY_LAW}；GB 175-2007",
     "普通硅酸盐水泥 P·O 42.5 监督抽查不合格：28天抗压强度不符合 GB 175-2007"),
    ("quality", "B02", 0, "08-12", "general", "compliant", f"{QUALITY_LAW}；GB 13544-2011",
     "烧结多孔砖监督抽查不合格：抗压强度等级不符合 GB 13544-2011"),
    ("quality", "C01", 1, "08-24", "general", "compliant", f"{QUALITY_LAW}；GB 175-2007",
     "普通硅酸盐水泥 P·O 42.5 监督抽查不合格：3天抗压强度不符合 GB 175-2007"),
    ("quality", "H02", 0, "08-27", "general", "ordered", f"{QUALITY_LAW}；GB/T 534-2014",
     "工业硫酸监督抽查不合格：硫酸含量、灰分不符合 GB/T 534-2014"),
    ("quality", "B09", 0, "09-09", "general", "compliant", f"{QUALITY_LAW}；GB/T 13545-2014",
     "烧结空心砖监督抽查不合格：密度等级不符合 GB/T 13545-2014"),
    ("quality", "G01", 0, "09-17", "general", "compliant", f"{QUALITY_LAW}；GB 11614-2009",
     "浮法玻璃监督抽查不合格：弯曲度、光学变形不符合 GB 11614-2009"),
    ("quality", "F01", 0, "10-15", "general", "compliant", f"{QUALITY_LAW}；GB/T 4008-2008",
     "硅锰合金监督抽查不合格：磷含量不符合 GB/T 4008-2008"),
    ("quality", "A02", 0, "11-05", "general", "reported", f"{QUALITY_LAW}；GB/T 1196-2017",
     "重熔用铝锭 Al99.70 监督抽查不合格：铁含量不符合 GB/T 1196-2017"),
    ("quality", "B04", 1, "12-09", "general", "reported", f"{QUALITY_LAW}；GB/T 5101-2017",
     "烧结普通砖监督抽查不合格：抗压强度、泛霜不符合 GB/T 5101-2017"),
    ("safety", "C01", 0, "06-16", "serious", "safety_ok", "building_materials.01",
     "1号煤磨袋式收尘器未设置一氧化碳监测"),
    ("safety", "B05", 0, "06-17", "serious", "safety_ok", "confined_space.02",
     "未履行作业审批，安排工人进入轮窑窑道清理作业"),
    ("safety", "C07", 0, "07-07", "serious", "ordered", "building_materials.02",
     "生料库人工清库作业外包给无高空作业资质的单位，作业前未进行风险分析"),
    ("safety", "B07", 0, "07-17", "serious", "safety_ok", "confined_space.01",
     "隧道窑窑车通道、烟道等有限空间未辨识，未设置安全警示标志"),
    ("safety", "S01", 0, "07-23", "serious", "safety_ok", "metallurgy.08",
     "炼钢主控室未设置固定式一氧化碳监测报警装置"),
    ("safety", "A01", 0, "07-29", "serious", "safety_ok", "nonferrous.08",
     "一期电解系列 3 台电解槽槽壳发红变形，未报修仍继续使用"),
    ("safety", "S02", 0, "08-06", "serious", "safety_ok", "metallurgy.04",
     "中频炉熔炼区安全坑内积水"),
    ("safety", "C05", 0, "08-13", "serious", "safety_ok", "building_materials.05",
     "篦冷机检修作业未采取防止电气设备意外启动的隔离措施"),
    ("safety", "F03", 0, "08-19", "grave", "exit", "metallurgy.05",
     "1号矿热炉炉壳发红、明显变形，未报修仍继续使用"),
    ("safety", "G01", 0, "08-31", "serious", "safety_ok", "building_materials.06",
     "锡槽水冷保护系统漏水，未设置监测报警装置"),
    ("safety", "S04", 0, "09-03", "serious", "ordered", "metallurgy.09",
     "加热炉煤气管道未设置可靠隔离装置和吹扫设施"),
    ("safety", "F01", None, "09-24", "serious", "safety_ok", "metallurgy.11",
     "主要负责人和安全生产管理人员未依法经考核合格"),
    ("safety", "A02", 0, "10-27", "serious", "reported", "nonferrous.02",
     "职工休息室设置在铝水包吊运影响范围内"),
    ("safety", "G02", 0, "12-29", "serious", "ordered", "building_materials.03",
     "燃气窑炉未设置燃气低压警报器和快速切断阀"),
    ("technology", "B06", 0, "06-19", "serious", "tech_exit", CATALOGUE,
     "使用马蹄窑等土窑烧制黏土砖，属淘汰类落后生产工艺装备"),
    ("technology", "S03", 0, "06-28", "grave", "tech_exit", f"{CATALOGUE}；{PLAN} 二、(五)2",
     "10吨中频炉用于“地条钢”冶炼，属淘汰类“用于地条钢、普碳钢、不锈钢冶炼的工频和中频感应炉”"),
    ("technology", "K01", 0, "07-01", "serious", "tech_exit", f"{PLAN} 二、(五)3",
     "列入去产能关闭名单的煤矿，井下设备未拆除，井口未封闭"),
    ("technology", "K02", 0, "07-01", "serious", "tech_exit", f"{PLAN} 二、(五)3",
     "列入去产能关闭名单的煤矿，井下设备未拆除，井口未封闭"),
    ("technology", "C04", 0, "07-13", "serious", "tech_exit", CATALOGUE,
     "使用水泥机立窑生产水泥熟料，属淘汰类落后生产工艺装备"),
    ("technology", "A03", 0, "07-27", "serious", "tech_exit", CATALOGUE,
     "100kA预焙电解槽，属淘汰类“铝自焙电解槽及100kA及以下预焙槽”"),
    ("technology", "F02", 0, "08-10", "serious", "tech_exit", CATALOGUE,
     "5000千伏安矿热炉生产硅铁，属6300千伏安以下铁合金矿热炉，为淘汰类落后生产工艺装备"),
    ("technology", "S05", 0, "09-10", "serious", "tech_exit", CATALOGUE,
     "30吨转炉，属淘汰类“30吨及以下转炉（不含铁合金转炉）”"),
    ("technology", "C03", 0, "10-14", "serious", "tech_exit", CATALOGUE,
     "Φ2.6m水泥球磨机，属淘汰类“直径3米以下水泥粉磨设备”"),
    ("technology", "C06", 0, "11-18", "serious", "tech_sealed", CATALOGUE,
     "Φ2.2m水泥球磨机，属淘汰类“直径3米以下水泥粉磨设备”"),
    ("technology", "F04", 0, "12-03", "serious", "tech_sealed", CATALOGUE,
     "4500千伏安矿热炉生产工业硅，属6300千伏安以下矿热炉，为淘汰类落后生产工艺装备"),
)  # fmt: skip


# ---- the current era: findings of 2023–2026 ----------------------------------------------------------------

# Energy, by the edition in force on the day (its limit is read from the policy data): enterprise, line index,
# found_on, severity, story, product, measured value, programme. No district plan is cited after 2020.
_ENERGY_LATER: tuple[tuple[str, int, str, Severity, str, str, float, Programme], ...] = (
    ("A01", 0, "2024-06-18", "general", "compliant", "铝液交流电耗", 13420, "national_special"),
    ("C01", 0, "2025-05-20", "general", "compliant", "熟料综合能耗", 121.5, "national_special"),
    ("F01", 0, "2026-08-12", "general", "ordered", "锰硅合金 综合能耗", 1012, "city_directed"),
)
ORDER_10 = "《工贸企业重大事故隐患判定标准》"
ORDER_7 = "《产业结构调整指导目录（2024年本）》（国家发展改革委令第7号）"
BENCHMARK_2023 = "工业重点领域能效标杆水平和基准水平（2023年版）"
# As _OTHER: safety rows give an item of 应急管理部令第10号 (its text is on file), the others their basis.
_OTHER_LATER: tuple[tuple[Bureau, str, int | None, str, Severity, str, str, str], ...] = (
    ("safety", "C01", 0, "2023-06-12", "serious", "safety_ok", "L10-A6-1",
     "2号煤粉仓未设置固定式一氧化碳浓度监测报警装置"),
    ("safety", "S01", 0, "2024-04-17", "serious", "safety_ok", "L10-A4-1",
     "炼钢车间交接班室设置在钢水吊运跨地坪区域内"),
    ("safety", "S02", 0, "2025-08-06", "serious", "safety_ordered", "L10-A7-2",
     "5吨中频炉熔炼区未设置紧急排放和应急储存设施"),
    ("safety", "G01", 0, "2026-03-10", "serious", "safety_ordered", "L10-A6-8",
     "锡槽水冷保护系统未设置监测报警装置"),
    ("safety", "A01", 0, "2026-10-20", "serious", "safety_ordered", "L10-A11-4",
     "电解车间铝粉尘除尘系统采用正压除尘方式，未采取火花探测消除等防范点燃源措施"),
    ("technology", "C05", 0, "2026-02-10", "serious", "tech_exit", f"{ORDER_7}“参照淘汰类管理”；《{BENCHMARK_2023}》",
     "熟料生产线单位产品综合能耗低于能效基准水平，2025年12月31日改造期限届满仍未完成改造，参照淘汰类管理"),
)  # fmt: skip


def _emission(medium: str, pollutant: str, measured: float, limit: float, standard: str) -> dict[str, Any]:
    unit = "mg/m³" if medium == "air" else "mg/L"
    return {"medium": medium, "pollutant": pollutant, "measured_value": measured, "limit_value": limit,
            "unit": unit, "standard": standard}  # fmt: skip


def _spot(product: str, standard: str, *failed: str) -> dict[str, Any]:
    return {"product": product, "standard": standard, "failed_items": list(failed)}


def _item(code: str | None, equipment: str, text: str | None = None) -> dict[str, Any]:
    return {"catalogue": "2019", "item_code": code, "item_text": text, "equipment": equipment}


_CLOSURE = {
    "closure_list": "2020年煤矿去产能关闭名单",
    "problems": ["equipment_not_removed", "shaft_not_sealed"],
}
_TEXT_FIELD = {"business_licence_revoked": "reason"}
# Typed details of the environment, quality and technology rows of _OTHER, by (bureau, enterprise, found_on);
# the row's text becomes the details' description (or reason). Safety rows give their hazard code in _OTHER.
_TYPED: dict[tuple[Bureau, str, str], tuple[str, dict[str, Any]]] = {
    ("environment", "A03", "03-18"): ("emission_exceedance", _emission("air", "氟化物", 5.7, 3.0, "GB 25465-2010")),
    ("environment", "H08", "06-24"): (
        "evasive_discharge", {"medium": "water", "methods": ["covert_discharge"], "credit_rating": "bad"}),
    ("environment", "C01", "06-29"): (
        "emission_exceedance", {**_emission("air", "颗粒物", 54, 30, "GB 4915-2013"), "credit_rating": "good"}),
    ("environment", "K03", "06-30"): ("emission_exceedance", _emission("water", "悬浮物", 155, 50, "GB 20426-2006")),
    ("environment", "B01", "07-06"): ("emission_exceedance", _emission("air", "二氧化硫", 1140, 300, "GB 29620-2013")),
    ("environment", "B03", "07-14"): ("emission_exceedance", _emission("air", "颗粒物", 99, 30, "GB 29620-2013")),
    ("environment", "H07", "07-28"): ("evasive_discharge", {"medium": "water", "methods": ["data_falsification"]}),
    ("environment", "B11", "08-03"): ("permit_violation", {"kind": "no_permit"}),
    ("environment", "G03", "08-11"): ("emission_exceedance", _emission("air", "氮氧化物", 1540, 700, "GB 26453-2011")),
    ("environment", "S01", "08-18"): ("pollution_control_violation", {"kind": "facilities_not_operated"}),
    ("environment", "C06", "09-02"): ("pollution_control_violation", {"kind": "fugitive_emission"}),
    ("environment", "H01", "09-08"): (
        "total_load_exceeded", {"pollutant": "氨氮", "permitted_t": 38, "actual_t": 46.2, "period": "2020年1—8月"}),
    ("environment", "F01", "09-22"): ("emission_exceedance", _emission("air", "颗粒物", 120, 50, "GB 28666-2012")),
    ("environment", "H02", "10-12"): ("emission_exceedance", _emission("air", "二氧化硫", 1030, 400, "GB 26132-2010")),
    ("environment", "G01", "10-20"): (
        "total_load_exceeded", {"pollutant": "二氧化硫", "permitted_t": 85, "actual_t": 91.6, "period": "2020年1—9月"}),
    ("environment", "K04", "11-09"): ("evasive_discharge", {"medium": "water", "methods": ["covert_discharge"]}),
    ("environment", "C07", "12-15"): ("emission_exceedance", _emission("air", "氮氧化物", 520, 400, "GB 4915-2013")),
    ("quality", "S03", "06-28"): (
        "licence_action", {"action": "revoke_ditiaogang", "licence_no": "XK05-001-01187", "product": "热轧带肋钢筋"}),
    ("quality", "G03", "06-30"): ("spot_check_failed", _spot("平板玻璃", "GB 11614-2009", "厚度偏差", "点状缺陷")),
    ("quality", "C02", "07-03"): ("licence_action", {
        "action": "revoke_eliminated_equipment", "licence_no": "XK08-001-00962", "product": "通用硅酸盐水泥"}),
    ("quality", "S04", "07-16"): ("spot_check_failed", _spot(
        "热轧带肋钢筋 HRB400E Φ16", "GB/T 1499.2-2018", "重量偏差", "最大力总延伸率")),
    ("quality", "C05", "07-22"): ("spot_check_failed", _spot("普通硅酸盐水泥 P·O 42.5", "GB 175-2007", "28天抗压强度")),
    ("quality", "B02", "08-12"): ("spot_check_failed", _spot("烧结多孔砖", "GB 13544-2011", "抗压强度等级")),
    ("quality", "C01", "08-24"): ("spot_check_failed", _spot("普通硅酸盐水泥 P·O 42.5", "GB 175-2007", "3天抗压强度")),
    ("quality", "H02", "08-27"): ("spot_check_failed", _spot("工业硫酸（98%）", "GB/T 534-2014", "硫酸含量", "灰分")),
    ("quality", "B09", "09-09"): ("spot_check_failed", _spot("烧结空心砖", "GB/T 13545-2014", "密度等级")),
    ("quality", "G01", "09-17"): ("spot_check_failed", _spot("浮法玻璃", "GB 11614-2009", "弯曲度", "光学变形")),
    ("quality", "F01", "10-15"): ("spot_check_failed", _spot("硅锰合金", "GB/T 4008-2008", "磷含量")),
    ("quality", "A02", "11-05"): ("spot_check_failed", _spot("重熔用铝锭 Al99.70", "GB/T 1196-2017", "铁含量")),
    ("quality", "B04", "12-09"): ("spot_check_failed", _spot("烧结普通砖", "GB/T 5101-2017", "抗压强度", "泛霜")),
    ("technology", "B06", "06-19"): ("eliminated_equipment", _item(None, "马蹄窑", "黏土实心砖土窑（马蹄窑等）")),
    ("technology", "S03", "06-28"): ("eliminated_equipment", _item("cat2011_steel_01", "10吨中频炉")),
    ("technology", "K01", "07-01"): ("coal_mine_closure", _CLOSURE),
    ("technology", "K02", "07-01"): ("coal_mine_closure", _CLOSURE),
    ("technology", "C04", "07-13"): ("eliminated_equipment", _item("cbmf2019_cement_01", "水泥机立窑")),
    ("technology", "A03", "07-27"): ("eliminated_equipment", _item("cat2011_aluminium_01", "100kA预焙电解槽")),
    ("technology", "F02", "08-10"): (
        "eliminated_equipment", _item(None, "5000千伏安矿热炉", "6300千伏安以下铁合金矿热炉")),
    ("technology", "S05", "09-10"): ("eliminated_equipment", _item("cat2011_steel_04", "30吨转炉")),
    ("technology", "C03", "10-14"): ("eliminated_equipment", _item("cat2011_cement_01", "Φ2.6m水泥球磨机")),
    ("technology", "C06", "11-18"): ("eliminated_equipment", _item("cat2011_cement_01", "Φ2.2m水泥球磨机")),
    ("technology", "F04", "12-03"): (
        "eliminated_equipment", _item(None, "4500千伏安矿热炉", "6300千伏安以下矿热炉")),
    # The benchmark value is the one the inspector read from the document: the policy data has no 基准水平, so
    # the technology check marks the finding as not verified against the reference data.
    ("technology", "C05", "2026-02-10"): ("below_benchmark_unretrofitted", {
        "benchmark_document": BENCHMARK_2023, "indicator": "水泥熟料单位产品综合能耗", "measured_value": 123.6,
        "benchmark_value": 117, "unit": "kgce/t", "retrofit_deadline": "2025-12-31"}),
}  # fmt: skip


@dataclass(frozen=True)
class _Row:
    bureau: Bureau
    enterprise: str
    line: int | None
    found_on: date
    severity: Severity
    story: str
    legal_basis: str
    finding_type: str
    details: dict[str, Any]


def _with_plan(basis: str, found_on: date, clause: str) -> str:
    """The district plan is cited only in its year, from its date of issue (2020-06-15), and only once."""
    in_plan_year = PLAN_ISSUED <= found_on <= date(PLAN_ISSUED.year, 12, 31)
    return f"{basis}；{PLAN} {clause}" if in_plan_year and PLAN not in basis else basis


def _day(day: str) -> date:
    """Rows of the 2020 tables give month and day; rows of the current era the whole date."""
    return date.fromisoformat(day if len(day) > len("MM-DD") else f"{PLAN_ISSUED.year}-{day}")


def _energy_standard(policy: PolicyBook, product: str, found_on: date) -> tuple[str, str]:
    """The standard (document number) and unit of ``product``'s limit in force on ``found_on``."""
    limit = next(r for r in policy.energy.records if r.indicator_zh == product and r.in_force(found_on))
    return str(limit.document), limit.unit


def _rows(policy: PolicyBook) -> list[_Row]:
    rows: list[_Row] = []
    for ent, line, day, severity, story, product, value, programme in (*_ENERGY, *_ENERGY_LATER):
        found_on = _day(day)
        standard, unit = _energy_standard(policy, product, found_on)
        plan = f"{PLAN} {_PROGRAMME_CLAUSE[programme]}；" if found_on.year == PLAN_ISSUED.year else ""
        basis = f"《中华人民共和国节约能源法》第十六条；{plan}{standard}"
        details = {"product": product, "measured_value": value, "measured_unit": unit, "programme": programme}
        finding_type = "tiered_price_check" if programme == "tiered_price_check" else "energy_limit_exceeded"
        rows.append(_Row("energy", ent, line, found_on, severity, story, basis, finding_type, details))
    for bureau, ent, line_no, day, severity, story, basis, text in (*_OTHER, *_OTHER_LATER):
        found_on = _day(day)
        if bureau == "safety":
            hazard = policy.major_hazard(basis)
            if hazard is None:
                raise KeyError(basis)
            finding_type, details = "major_hazard", {"hazard_code": basis}
            text = f"重大事故隐患（{hazard.clause}）：{hazard.text_zh}现场情况：{text}。"
            title = (
                ORDER_10
                if hazard.document == "应急管理部令第10号"
                else "《工贸行业重大生产安全事故隐患判定标准（2017版）》"
            )
            basis = f"{title}（{hazard.document}）{hazard.clause}"
        else:
            finding_type, details = _TYPED[(bureau, ent, day)]
        if finding_type == "spot_check_failed":  # 抽样单编号 from the inspection day and the enterprise
            details = {**details, "sample_id": f"FLCC{found_on:%Y%m%d}{ent}"}
        basis = _with_plan(basis, found_on, _PLAN_CLAUSE[bureau])
        details = {**details, _TEXT_FIELD.get(finding_type, "description"): text}
        rows.append(_Row(bureau, ent, line_no, found_on, severity, story, basis, finding_type, details))
    return sorted(rows, key=lambda r: (r.bureau, r.found_on, r.enterprise))


@cache
def _cases(policy: PolicyBook) -> tuple[tuple[DemoFinding, _Row], ...]:
    by_key, counters = _by_key(), Counter[tuple[Bureau, int]]()
    cases = []
    for row in _rows(policy):
        counters[row.bureau, row.found_on.year] += 1
        n = counters[row.bureau, row.found_on.year]
        ref = f"{_PREFIX[row.bureau]}-{row.found_on.year}-{n:03d}"
        ent = by_key[row.enterprise]
        body: dict[str, Any] = {
            "uscc": ent.uscc,
            "enterprise_name": ent.name,
            "town": ent.town,
            "industrial_park": ent.industrial_park,
            "industry": ent.industry,
            "finding_type": row.finding_type,
            "production_line": None if row.line is None else ent.lines[row.line].body(),
            "found_on": row.found_on.isoformat(),
            "legal_basis": row.legal_basis,
            "severity": row.severity,
            "inspector": _INSPECTORS[row.bureau][n % len(_INSPECTORS[row.bureau])],
            "evidence": [f"{doc} FL-{ref}" for doc in _EVIDENCE[row.bureau]],
            "external_ref": ref,
            "details": row.details,
        }
        cases.append((DemoFinding(row.bureau, body), row))
    return tuple(cases)


def findings(policy: PolicyBook) -> list[DemoFinding]:
    # Fresh dicts on every call, so a caller that mutates a body cannot change the data set.
    return [DemoFinding(f.bureau, _deep_copy(f.body)) for f, _ in _cases(policy)]


def _deep_copy(body: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _deep_copy(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
        for k, v in body.items()
    }


# ---- case steps ----------------------------------------------------------------------------------------

_FIX: dict[Bureau, str] = {
    "energy": "完成节能技术改造，报送整改报告及能源计量数据",
    "environment": "完成治污设施整改，报送整改报告及第三方监测报告",
    "quality": "完成原料及工艺整改，报送整改报告及自检报告",
    "safety": "完成隐患整改，报送整改报告及验收资料",
    "technology": "报送整改报告",
}
# story -> steps: kind, days after found_on, note ({deadline} {fix} {target} {capacity} are filled in).
# rectification_ordered sets a 6-month deadline; extension_granted adds 3 months to it.
_ORDER: tuple[StepKind, int, str] = ("rectification_ordered", 4, "下达限期整改通知书，限{deadline}前整改到位")
_SUSPEND: tuple[StepKind, int, str] = ("production_suspended", 0, "责令立即停产整治")
_EXIT: tuple[tuple[StepKind, int, str], ...] = (
    ("closure_proposed", 7, "经整改仍未达标，报请区政府依法关停退出"),
    ("closure_approved", 22, "区政府批准依法关停"),
    ("closure_executed", 37, "断水断电，依法关停"),
    ("equipment_sealed", 38, "拆除动力装置，封存{target}，企业公开承诺不再恢复生产"),
)
_CLOSE_EXIT: tuple[StepKind, int, str] = (
    "case_closed",
    85,
    "{target}（{capacity}）列入年度落后产能退出企业名单，结案",
)
_PASS: tuple[tuple[StepKind, int, str], ...] = (
    ("reinspection_passed", 18, "复查达标"),
    ("case_closed", 21, "结案，移出黄牌名单"),
)


def _after(base: int, steps: tuple[tuple[StepKind, int, str], ...]) -> tuple[tuple[StepKind, int, str], ...]:
    return tuple((kind, base + days, note) for kind, days, note in steps)


_STORIES: dict[str, tuple[tuple[StepKind, int, str], ...]] = {
    "ordered": (("rectification_ordered", 5, "下达限期整改通知书，限{deadline}前整改到位"),),
    "reported": (_ORDER, ("rectification_reported", 150, "{fix}，待复查")),
    "compliant": (_ORDER, ("rectification_reported", 118, "{fix}"), *_after(118, _PASS)),
    "compliant_ext": (
        _ORDER,
        ("extension_requested", 160, "企业以技改设备到货延迟为由申请延期3个月"),
        ("extension_granted", 170, "同意延期一次，整改期限延至{deadline}"),
        ("rectification_reported", 245, "{fix}"),
        *_after(245, _PASS),
    ),
    "ext_refused_exit": (
        _ORDER,
        ("extension_requested", 165, "企业申请延期3个月"),
        ("extension_refused", 172, "延期理由不充分，不予同意"),
        ("reinspection_failed", 195, "整改期满复查，仍未达标"),
        *_after(195, (*_EXIT, _CLOSE_EXIT)),
    ),
    "exit": (
        _ORDER,
        ("rectification_reported", 140, "{fix}"),
        ("reinspection_failed", 158, "复查仍未达标"),
        *_after(158, (*_EXIT, ("equipment_dismantled", 75, "{target}已拆除"), _CLOSE_EXIT)),
    ),
    "suspend_ok": (_SUSPEND, ("rectification_reported", 42, "{fix}"), *_after(42, _PASS)),
    "suspended": (_SUSPEND,),
    "suspend_exit": (
        _SUSPEND,
        ("closure_proposed", 14, "情节严重，报请区政府责令关闭"),
        ("closure_approved", 30, "区政府批准责令关闭"),
        ("closure_executed", 44, "企业依法关闭，断水断电"),
        ("equipment_sealed", 45, "查封{target}"),
        ("case_closed", 48, "{target}（{capacity}）列入年度落后产能退出企业名单，结案"),
    ),
    "safety_ordered": (
        ("production_suspended", 0, "责令停产停业整顿"),
        ("rectification_ordered", 0, "下达整改指令书，限{deadline}前消除重大事故隐患"),
    ),
    "safety_ok": (
        ("production_suspended", 0, "责令停产停业整顿"),
        ("rectification_ordered", 0, "下达整改指令书，限{deadline}前消除重大事故隐患"),
        ("rectification_reported", 75, "{fix}"),
        *_after(75, _PASS),
    ),
    "tech_exit": (
        ("production_suspended", 0, "立即断水、断电"),
        ("equipment_sealed", 6, "拆除动力装置，封存{target}（{capacity}），企业公开承诺不再恢复生产"),
        ("equipment_dismantled", 75, "{target}已拆除，在区政府网站公告"),
        ("case_closed", 80, "{target}（{capacity}）列入年度落后产能退出企业名单，结案"),
    ),
    "tech_sealed": (
        ("production_suspended", 0, "立即断水、断电"),
        ("equipment_sealed", 6, "拆除动力装置，封存{target}（{capacity}），限期拆除"),
    ),
    "ditiaogang": (
        ("production_suspended", 0, "责令停止生产，查封“地条钢”产品"),
        ("closure_proposed", 8, "报请区政府依法取缔"),
        ("closure_approved", 22, "区政府批准依法取缔"),
        ("closure_executed", 35, "依法取缔，撤销生产许可证，吊销营业执照"),
        ("case_closed", 40, "结案，列入红牌名单"),
    ),
    "licence_exit": (
        ("production_suspended", 0, "责令停止生产"),
        ("closure_proposed", 10, "撤销生产许可证，报请区政府依法关闭"),
        ("closure_approved", 25, "区政府批准依法关闭"),
        ("closure_executed", 40, "撤销生产许可证，企业依法关闭"),
        ("equipment_sealed", 41, "拆除动力装置，封存{target}"),
        ("equipment_dismantled", 100, "{target}已拆除"),
        ("case_closed", 103, "{target}（{capacity}）列入年度落后产能退出企业名单，结案"),
    ),
}


# How the 2020 cases still open at the end of June 2021 ended: (bureau, enterprise, found_on) -> the way it
# ended and the day its first later step was recorded.
_LATE_REPORT: tuple[StepKind, int, str] = ("rectification_reported", 0, "{fix}")
_ENDINGS: dict[str, tuple[tuple[StepKind, int, str], ...]] = {
    "fixed": (_LATE_REPORT, *_PASS),
    "passed": tuple((kind, days - 18, note) for kind, days, note in _PASS),
    "forced_exit": (("reinspection_failed", 0, "整改期满复查，仍未达标"), *_EXIT, _CLOSE_EXIT),
    "dismantled": (
        ("equipment_dismantled", 0, "{target}已拆除，在区政府网站公告"),
        ("case_closed", 5, "{target}（{capacity}）列入年度落后产能退出企业名单，结案"),
    ),
}
_ENDED: dict[tuple[Bureau, str, str], tuple[str, str]] = {
    ("energy", "B05", "2020-07-02"): ("forced_exit", "2021-07-12"),
    ("energy", "B09", "2020-08-26"): ("forced_exit", "2021-07-20"),
    ("energy", "B10", "2020-12-28"): ("fixed", "2021-06-21"),
    ("environment", "H07", "2020-07-28"): ("fixed", "2021-07-05"),
    ("environment", "K04", "2020-11-09"): ("forced_exit", "2021-07-15"),
    ("environment", "C07", "2020-12-15"): ("fixed", "2021-07-28"),
    ("quality", "C05", "2020-07-22"): ("fixed", "2021-07-09"),
    ("quality", "H02", "2020-08-27"): ("fixed", "2021-07-16"),
    ("quality", "A02", "2020-11-05"): ("passed", "2021-07-08"),
    ("quality", "B04", "2020-12-09"): ("passed", "2021-07-14"),
    ("safety", "C07", "2020-07-07"): ("fixed", "2021-07-22"),
    ("safety", "S04", "2020-09-03"): ("forced_exit", "2021-07-26"),
    ("safety", "A02", "2020-10-27"): ("passed", "2021-07-06"),
    ("safety", "G02", "2020-12-29"): ("fixed", "2021-06-24"),
    ("technology", "C06", "2020-11-18"): ("dismantled", "2021-08-02"),
    ("technology", "F04", "2020-12-03"): ("dismantled", "2021-08-09"),
}

# How each story's executed closure exits (phaseout_bureau.domain.cases.ExitWay): 地条钢 is banned (取缔).
_WAY_OF_STORY = {"ditiaogang": "banned"}


def _zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _story_steps(finding: DemoFinding, row: _Row) -> list[DemoStep]:
    ent = _by_key()[row.enterprise]
    line = None if row.line is None else ent.lines[row.line]
    target = ent.name if line is None else f"{line.name}（{line.equipment}）"
    capacity = "全部产能" if line is None else line.capacity_text
    steps, deadline = [], None
    ending, ended_from = _ENDED.get((row.bureau, row.enterprise, row.found_on.isoformat()), ("", ""))
    story = [(kind, row.found_on.toordinal() + days, note) for kind, days, note in _STORIES[row.story]]
    if ending:
        start = date.fromisoformat(ended_from).toordinal()
        story += [(kind, start + days, note) for kind, days, note in _ENDINGS[ending]]
    for kind, day, note in story:
        on = date.fromordinal(day)
        step_deadline = None
        if kind == "rectification_ordered":
            deadline = step_deadline = add_months(on, RECTIFICATION_MONTHS)
        elif kind == "extension_granted" and deadline is not None:
            deadline = step_deadline = add_months(deadline, 3)
        text = note.format(
            deadline=_zh(deadline) if deadline else "", fix=_FIX[row.bureau], target=target, capacity=capacity
        )
        way = _WAY_OF_STORY.get(row.story, "closed") if kind == "closure_executed" else None
        steps.append(DemoStep(finding.external_ref, kind, on, text, step_deadline, way))
    return steps


def case_steps(policy: PolicyBook) -> list[DemoStep]:
    return [step for finding, row in _cases(policy) for step in _story_steps(finding, row)]


def outcomes(policy: PolicyBook) -> dict[str, Outcome]:
    """Outcome of every finding on DEMO_TODAY: exited, compliant, overdue (deadline passed, no report) or yellow."""
    by_ref: dict[str, list[DemoStep]] = {f.external_ref: [] for f, _ in _cases(policy)}
    for step in case_steps(policy):
        by_ref[step.external_ref].append(step)
    result: dict[str, Outcome] = {}
    for ref, steps in by_ref.items():
        kinds = {s.kind for s in steps}
        deadlines = [s.deadline for s in steps if s.deadline is not None]
        if kinds & {"closure_executed", "equipment_sealed"}:
            result[ref] = "exited"
        elif {"reinspection_passed", "case_closed"} <= kinds:
            result[ref] = "compliant"
        elif deadlines and deadlines[-1] < DEMO_TODAY and "rectification_reported" not in kinds:
            result[ref] = "overdue"
        else:
            result[ref] = "yellow"
    return result
