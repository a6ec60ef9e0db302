"""The casebook: dated stories of one enterprise each, what the bureaus record and what the plan makes of it.

Read a row as: code — the rules it tells — the story — what the bureaus record (finding date, steps with dates)
— what holds on each day (status per dimension, lists, measures by executing unit, price instructions, cited
clauses). Dates to check by hand: a rectification order gives 6 months (二、(一)(三)(四), 三、(七)): ordered
2020-07-10, due 2021-01-10, 红牌 from 2021-01-11; the exit deadline (local rule exit_deadline) is 6 months from
the first red day, so 未按期完成退出 from 2021-07-12; the minimum publication of the credit information (local
rules credit_severity, credit_scope, measure_lifting) runs from that day: 6 months for 严重失信 under 527号.
"""

from __future__ import annotations

from datetime import date as D

from phaseout_bureau.domain.cases import Action as A
from tests.casebook.book import OK, Filed, R, Story, X, Y, on

ORDERED = (A.RECTIFICATION_ORDERED, D(2020, 7, 10))
PUNITIVE = ("punitive",)  # energy use over the mandatory limit: 惩罚性电价 (三、(三))
DIFFERENTIAL = ("differential",)  # eliminated capacity: 淘汰类差别电价 (三、(三))
# Who executes the measures against an enterprise that has not exited on time (三、(四)(六)(八)): a finding of
# severity 一般 brings the measures of 未按期完成退出 alone; 较重 or 严重 also those of 严重失信主体.
GENERAL_UNITS = ("credit_platform", "planning_natural_resources", "banks")
SERIOUS_UNITS = (
    *GENERAL_UNITS,
    *("finance", "tax", "market_supervision", "emergency_management", "development_reform"),
)
AFFILIATES = ("91500102MA5U7RGF0X", "91500102MA5U7RGH7Y")


def energy(*steps: tuple, found: D = D(2020, 7, 1), severity: str = "serious") -> Filed:  # type: ignore[type-arg]
    return Filed("energy", found, steps, severity=severity)


def closing(proposed: D, approved: D, executed: D, way: str = "closed") -> tuple[tuple, ...]:  # type: ignore[type-arg]
    return (
        (A.CLOSURE_PROPOSED, proposed),
        (A.CLOSURE_APPROVED, approved),
        (A.CLOSURE_EXECUTED, executed, {"way": way, "line_name": "1号生产线"}),
    )


STORIES: tuple[Story, ...] = (
    # ---- 二、(一) energy: 6 months from the notice, one extension of at most 3 months ----
    Story(
        "E1",
        ("二、(一)", "四、(三)", "三、(三)"),
        "能耗超限额，7月10日限期整改，6个月内未整改：2021年1月11日起红牌；超限额期间执行惩罚性电价",
        (energy(ORDERED),),
        (
            on(D(2020, 7, 1), Y, "yellow", prices=PUNITIVE),
            on(D(2021, 1, 10), Y, "yellow", cites=("四、(三)", "二、(一)"), prices=PUNITIVE),
            on(D(2021, 1, 11), R, "red", cites=("四、(三)", "二、(一)"), prices=PUNITIVE),
        ),
    ),
    Story(
        "E2",
        ("二、(一)",),
        "能耗：申请并获准延期3个月（仅一次），红牌推迟至2021年4月11日",
        (energy(ORDERED, (A.EXTENSION_REQUESTED, D(2020, 12, 20)), (A.EXTENSION_GRANTED, D(2020, 12, 28))),),
        (
            on(D(2021, 1, 11), Y, "yellow", prices=PUNITIVE),
            on(D(2021, 4, 10), Y, "yellow", prices=PUNITIVE),
            on(D(2021, 4, 11), R, "red", cites=("二、(一)",), prices=PUNITIVE),
        ),
    ),
    Story(
        "E3",
        ("二、(一)", "price_period"),
        "能耗：整改完成，复查合格，移出黄牌名单，惩罚性电价同日停止",
        (
            energy(
                ORDERED, (A.RECTIFICATION_REPORTED, D(2020, 11, 1)), (A.REINSPECTION_PASSED, D(2020, 11, 20))
            ),
        ),
        (on(D(2020, 11, 19), Y, "yellow", prices=PUNITIVE), on(D(2020, 11, 20), OK), on(D(2021, 6, 1), OK)),
    ),
    Story(
        "E4",
        ("二、(一)",),
        "能耗：申请延期未获批准，整改期限不变，2021年1月11日起红牌",
        (energy(ORDERED, (A.EXTENSION_REQUESTED, D(2020, 12, 20)), (A.EXTENSION_REFUSED, D(2020, 12, 28))),),
        (on(D(2021, 1, 10), Y, "yellow", prices=PUNITIVE), on(D(2021, 1, 11), R, "red", prices=PUNITIVE)),
    ),
    Story(
        "E5",
        ("二、(一)", "四、(三)"),
        "能耗：复查不合格，当日起红牌（经整改仍不达标，依法关停退出）",
        (
            energy(
                ORDERED, (A.RECTIFICATION_REPORTED, D(2020, 10, 1)), (A.REINSPECTION_FAILED, D(2020, 10, 20))
            ),
        ),
        (
            on(D(2020, 10, 19), Y, "yellow", prices=PUNITIVE),
            on(D(2020, 10, 20), R, "red", cites=("二、(一)",), prices=PUNITIVE),
        ),
    ),
    Story(
        "E6",
        ("二、(一)",),
        "能耗：期限内报告整改完成、等待复查，期限届满后仍为黄牌（整改完成待复查）",
        (energy(ORDERED, (A.RECTIFICATION_REPORTED, D(2020, 12, 20))),),
        (on(D(2021, 1, 11), Y, "yellow", prices=PUNITIVE), on(D(2021, 3, 1), Y, "yellow", prices=PUNITIVE)),
    ),
    Story(
        "E7",
        ("三、(三)", "price_check_findings"),
        "电解铝阶梯电价核查：不列入名单，自核查之日起至当年年底执行阶梯电价加价",
        (Filed("energy", D(2020, 9, 1), finding_type="tiered_price_check"),),
        (
            on(D(2020, 9, 1), OK, prices=("tiered",)),
            on(D(2020, 12, 31), OK, prices=("tiered",)),
            on(D(2021, 1, 1), OK),
        ),
    ),
    Story(
        "E8",
        ("二、(一)",),
        "能耗：2019年3月5日的整改通知（早于区方案）按工信部联产业〔2017〕30号给6个月：2019年9月6日起红牌",
        (energy((A.RECTIFICATION_ORDERED, D(2019, 3, 5)), found=D(2019, 3, 1)),),
        (on(D(2019, 9, 5), Y, "yellow", prices=PUNITIVE), on(D(2019, 9, 6), R, "red", prices=PUNITIVE)),
    ),
    # ---- 二、(二) environment: the order sets the deadline; serious cases go to closure ----
    Story(
        "V1",
        ("二、(二)", "四、(三)", "emitter_list_period"),
        "环保：超标排放（超过限值0.8倍），通知整改至2020年9月30日，逾期未整改：10月1日起红牌；超标排放名单至复查合格",
        (
            Filed(
                "environment",
                D(2020, 8, 1),
                ((A.RECTIFICATION_ORDERED, D(2020, 8, 3), {"deadline": D(2020, 9, 30)}),),
            ),
        ),
        (
            on(D(2020, 8, 1), Y, "yellow", "over_standard"),
            on(D(2020, 9, 30), Y, "yellow", "over_standard"),
            on(D(2020, 10, 1), R, "red", "over_standard", cites=("二、(二)3.",)),
        ),
    ),
    Story(
        "V2",
        ("二、(二)",),
        "环保：偷排（超标排放严重），情节严重，直接提请区政府关停：提请之日起红牌",
        (Filed("environment", D(2020, 8, 1), ((A.CLOSURE_PROPOSED, D(2020, 8, 20)),), "evasive_discharge"),),
        (
            on(D(2020, 8, 19), Y, "yellow", "seriously_over_standard"),
            on(D(2020, 8, 20), R, "red", "seriously_over_standard", cites=("二、(二)3.",)),
        ),
    ),
    Story(
        "V3",
        ("二、(二)", "四、(三)", "emitter_list_period"),
        "环保：整改完成、复查合格，移出黄牌和超标排放名单",
        (
            Filed(
                "environment",
                D(2020, 8, 1),
                (
                    (A.RECTIFICATION_ORDERED, D(2020, 8, 2), {"deadline": D(2020, 10, 31)}),
                    (A.RECTIFICATION_REPORTED, D(2020, 10, 1)),
                    (A.REINSPECTION_PASSED, D(2020, 10, 20)),
                ),
            ),
        ),
        (on(D(2020, 10, 19), Y, "yellow", "over_standard", cites=("四、(三)",)), on(D(2020, 10, 20), OK)),
    ),
    Story(
        "V4",
        ("二、(二)", "emitter_list_period"),
        "环保：颗粒物99 mg/m³（限值30，超过1倍以上），列入超标排放严重企业名单",
        (
            Filed(
                "environment",
                D(2020, 8, 1),
                details={
                    "medium": "air",
                    "pollutant": "颗粒物",
                    "measured_value": 99,
                    "limit_value": 30,
                    "unit": "mg/m³",
                    "standard": "GB 4915-2013",
                },
            ),
        ),
        (on(D(2020, 8, 1), Y, "yellow", "seriously_over_standard"),),
    ),
    Story(
        "V5",
        ("二、(二)", "exit_deadline"),
        "环保：提请关停后区政府未批准，案件回到整改，原期限（12月31日）内仍为黄牌，逾期后红牌",
        (
            Filed(
                "environment",
                D(2020, 8, 1),
                (
                    (A.RECTIFICATION_ORDERED, D(2020, 8, 3), {"deadline": D(2020, 12, 31)}),
                    (A.CLOSURE_PROPOSED, D(2020, 9, 1)),
                    (A.CLOSURE_REJECTED, D(2020, 9, 20)),
                ),
            ),
        ),
        (
            on(D(2020, 9, 1), R, "red", "over_standard"),
            on(D(2020, 9, 20), Y, "yellow", "over_standard"),
            on(D(2021, 1, 1), R, "red", "over_standard"),
        ),
    ),
    Story(
        "V6",
        ("二、(二)", "三、(七)", "emitter_list_period"),
        "环保：经整改仍不达标，拆除设备退出：超标排放名单至退出之日",
        (
            Filed(
                "environment",
                D(2020, 8, 1),
                (
                    (A.RECTIFICATION_ORDERED, D(2020, 8, 3), {"deadline": D(2020, 10, 31)}),
                    (A.RECTIFICATION_REPORTED, D(2020, 10, 1)),
                    (A.REINSPECTION_FAILED, D(2020, 10, 15)),
                    *closing(D(2020, 10, 20), D(2020, 11, 2), D(2020, 12, 1), "equipment_removed"),
                ),
            ),
        ),
        (
            on(D(2020, 10, 15), R, "red", "over_standard"),
            on(D(2020, 12, 1), X, "annual_exit", "red"),
        ),
    ),
    # ---- 二、(三) quality ----
    Story(
        "Q1",
        ("二、(三)", "四、(三)"),
        "质量：抽查不合格，限期整改6个月，逾期：2021年2月11日起红牌",
        (Filed("quality", D(2020, 8, 1), ((A.RECTIFICATION_ORDERED, D(2020, 8, 10)),)),),
        (on(D(2021, 2, 10), Y, "yellow", cites=("二、(三)2.",)), on(D(2021, 2, 11), R, "red")),
    ),
    Story(
        "Q2",
        ("二、(三)",),
        "质量：整改后复查合格，移出黄牌名单",
        (
            Filed(
                "quality",
                D(2020, 8, 1),
                (
                    (A.RECTIFICATION_ORDERED, D(2020, 8, 10)),
                    (A.RECTIFICATION_REPORTED, D(2020, 10, 1)),
                    (A.REINSPECTION_PASSED, D(2020, 10, 15)),
                ),
            ),
        ),
        (on(D(2020, 10, 14), Y, "yellow"), on(D(2020, 10, 15), OK)),
    ),
    Story(
        "Q3",
        ("二、(三)", "三、(七)"),
        "质量：复查仍不合格，生产线停产退出；企业仍在，只退出该生产线",
        (
            Filed(
                "quality",
                D(2020, 8, 1),
                (
                    (A.RECTIFICATION_ORDERED, D(2020, 8, 10)),
                    (A.RECTIFICATION_REPORTED, D(2020, 12, 1)),
                    (A.REINSPECTION_FAILED, D(2020, 12, 10)),
                    *closing(D(2020, 12, 15), D(2021, 1, 5), D(2021, 2, 1), "line_shut"),
                ),
            ),
        ),
        (on(D(2020, 12, 10), R, "red"), on(D(2021, 2, 1), X, "annual_exit", "red")),
    ),
    # ---- 二、(四) safety ----
    Story(
        "S1",
        ("二、(四)",),
        "安全：重大事故隐患，停产停业整顿并限期整改，整改合格",
        (
            Filed(
                "safety",
                D(2020, 9, 1),
                (
                    (A.PRODUCTION_SUSPENDED, D(2020, 9, 1)),
                    (A.RECTIFICATION_ORDERED, D(2020, 9, 1)),
                    (A.RECTIFICATION_REPORTED, D(2020, 11, 15)),
                    (A.REINSPECTION_PASSED, D(2020, 12, 1)),
                ),
            ),
        ),
        (on(D(2020, 10, 1), Y, "yellow", cites=("二、(四)",)), on(D(2020, 12, 1), OK)),
    ),
    Story(
        "S2",
        ("二、(四)",),
        "安全：6个月内未整改：2021年3月2日起红牌",
        (Filed("safety", D(2020, 9, 1), ((A.RECTIFICATION_ORDERED, D(2020, 9, 1)),)),),
        (on(D(2021, 3, 1), Y, "yellow"), on(D(2021, 3, 2), R, "red", cites=("二、(四)",))),
    ),
    Story(
        "S3",
        ("二、(四)", "exit_deadline", "credit_scope", "三、(四)", "三、(八)"),
        "安全：红牌后6个月未退出（2021年9月3日起），527号无安全生产类别，按行政处罚信息严重失信最短公示6个月",
        (Filed("safety", D(2020, 9, 1), ((A.RECTIFICATION_ORDERED, D(2020, 9, 1)),)),),
        (
            on(D(2021, 9, 2), R, "red"),
            on(
                D(2021, 9, 3),
                R,
                "red",
                "not_exited_on_time",
                measures=SERIOUS_UNITS,
                earliest_lift=D(2022, 3, 3),
            ),
        ),
    ),
    Story(
        "S4",
        ("二、(四)", "credit_scope"),
        "安全：2023年的未按期退出，按国家发展改革委令第58号安全生产类信息最短公示12个月",
        (Filed("safety", D(2023, 1, 10), ((A.RECTIFICATION_ORDERED, D(2023, 1, 10)),)),),
        (
            on(D(2023, 7, 11), R, "red"),
            on(
                D(2024, 1, 12),
                R,
                "red",
                "not_exited_on_time",
                measures=SERIOUS_UNITS,
                earliest_lift=D(2025, 1, 12),
            ),
        ),
    ),
    Story(
        "S5",
        ("二、(四)", "三、(七)"),
        "安全：责令停产停业整顿（未定期限），整顿期间为黄牌",
        (Filed("safety", D(2021, 3, 1), ((A.PRODUCTION_SUSPENDED, D(2021, 3, 2)),)),),
        (on(D(2021, 3, 2), Y, "yellow"), on(D(2021, 12, 1), Y, "yellow")),
    ),
    # ---- 二、(五) technology: eliminated equipment, no rectification ----
    Story(
        "T1",
        ("二、(五)", "eliminated_equipment_findings", "exit_deadline", "三、(三)"),
        "技术：淘汰类工艺装备，不予整改，认定之日起红牌并执行淘汰类差别电价；6个月未退出，联合惩戒",
        (Filed("technology", D(2020, 6, 28)),),
        (
            on(D(2020, 6, 28), R, "red", cites=("二、(五)",), prices=DIFFERENTIAL),
            on(
                D(2020, 12, 29),
                R,
                "red",
                "not_exited_on_time",
                prices=DIFFERENTIAL,
                measures=SERIOUS_UNITS,
                earliest_lift=D(2021, 6, 29),
            ),
        ),
    ),
    Story(
        "T2",
        ("二、(五)", "三、(七)", "red_list_after_exit", "price_period"),
        "技术：断电（差别电价停止）并封存主体设备即退出；当年红牌（已依法关闭）至年底，其后仅在年度退出名单",
        (
            Filed(
                "technology",
                D(2020, 6, 28),
                ((A.POWER_CUT, D(2020, 6, 29)), (A.EQUIPMENT_SEALED, D(2020, 7, 5))),
            ),
        ),
        (
            on(D(2020, 6, 28), R, "red", prices=DIFFERENTIAL),
            on(D(2020, 7, 4), R, "red"),
            on(D(2020, 7, 5), X, "annual_exit", "red"),
            on(D(2021, 1, 1), X, "annual_exit"),
        ),
    ),
    Story(
        "T3",
        ("二、(五)", "三、(七)"),
        "技术：限时拆除设备即退出（拆除设备）",
        (Filed("technology", D(2020, 6, 28), ((A.EQUIPMENT_DISMANTLED, D(2020, 9, 1)),)),),
        (on(D(2020, 8, 31), R, "red", prices=DIFFERENTIAL), on(D(2020, 9, 1), X, "annual_exit", "red")),
    ),
    Story(
        "T4",
        ("二、(五)", "price_period"),
        "技术：断电之日起停止差别电价，设备未拆除前仍为红牌",
        (Filed("technology", D(2020, 6, 28), ((A.POWER_CUT, D(2020, 7, 10)),)),),
        (on(D(2020, 7, 9), R, "red", prices=DIFFERENTIAL), on(D(2020, 7, 10), R, "red")),
    ),
    Story(
        "T5",
        ("二、(五)", "eliminated_equipment_findings", "三、(三)"),
        "技术：2026年认定水泥熟料能效低于基准水平、改造期限（2025年底）已过，按2024年本参照淘汰类管理：红牌并执行差别电价；"
        "基准水平由委办局填报，未经参考数据核对",
        (Filed("technology", D(2026, 3, 2), finding_type="below_benchmark_unretrofitted"),),
        (
            on(D(2026, 3, 2), R, "red", cites=("二、(五)",), prices=DIFFERENTIAL),
            on(
                D(2026, 9, 3),
                R,
                "red",
                "not_exited_on_time",
                prices=DIFFERENTIAL,
                measures=SERIOUS_UNITS,
                earliest_lift=D(2027, 9, 3),
            ),
        ),
    ),
    # ---- 三、(七) exits: closure, sealing, dismantling, 取缔 ----
    Story(
        "X1",
        ("三、(七)", "四、(三)", "red_list_after_exit", "price_period"),
        "关停：提请、批准、执行关闭（2021年3月1日）；列入年度退出名单，红牌（已依法关闭）至年底",
        (
            energy(
                ORDERED,
                *closing(D(2021, 1, 20), D(2021, 2, 1), D(2021, 3, 1)),
                (A.CASE_CLOSED, D(2021, 4, 1)),
            ),
        ),
        (
            on(D(2021, 2, 28), R, "red", prices=PUNITIVE),
            on(D(2021, 3, 1), X, "annual_exit", "red", cites=("二、(一)",)),
            on(D(2021, 12, 31), X, "annual_exit", "red"),
            on(D(2022, 1, 1), X, "annual_exit"),
        ),
    ),
    Story(
        "X2",
        ("三、(七)",),
        "封存：复查不合格后断电并封存主体设备，封存之日退出（封存主体设备）",
        (
            energy(
                ORDERED,
                (A.RECTIFICATION_REPORTED, D(2020, 10, 1)),
                (A.REINSPECTION_FAILED, D(2020, 10, 20)),
                (A.POWER_CUT, D(2020, 11, 1)),
                (A.EQUIPMENT_SEALED, D(2020, 11, 5)),
            ),
        ),
        (on(D(2020, 11, 1), R, "red"), on(D(2020, 11, 5), X, "annual_exit", "red")),
    ),
    Story(
        "X3",
        ("三、(七)",),
        "取缔：“地条钢”中频炉，停产、提请、批准、依法取缔",
        (
            Filed(
                "technology",
                D(2020, 7, 1),
                (
                    (A.PRODUCTION_SUSPENDED, D(2020, 7, 1)),
                    *closing(D(2020, 7, 9), D(2020, 7, 23), D(2020, 8, 5), "banned"),
                ),
                "illegal_steel_patrol",
            ),
        ),
        (
            on(D(2020, 7, 1), Y, "yellow"),
            on(D(2020, 7, 9), R, "red"),
            on(D(2020, 8, 5), X, "annual_exit", "red"),
        ),
    ),
    Story(
        "X4",
        ("三、(七)", "red_list_after_exit"),
        "跨年：12月20日执行关闭，红牌（已依法关闭）至当年年底，次年1月1日起仅在年度退出名单",
        (
            energy(
                (A.PRODUCTION_SUSPENDED, D(2020, 7, 1)),
                *closing(D(2020, 11, 1), D(2020, 12, 1), D(2020, 12, 20)),
            ),
        ),
        (
            on(D(2020, 12, 19), R, "red", prices=PUNITIVE),
            on(D(2020, 12, 31), X, "annual_exit", "red"),
            on(D(2021, 1, 1), X, "annual_exit"),
        ),
    ),
    Story(
        "X5",
        ("三、(七)", "enterprise_exit_ways", "one_card_per_dimension", "status_order"),
        "生产线停产退出后企业仍在：同一领域另一案件照常整改，黄牌不因该生产线的红牌（已依法关闭）让位，领域状态为黄牌",
        (
            energy(*closing(D(2020, 8, 1), D(2020, 9, 1), D(2021, 2, 1), "line_shut")),
            energy((A.RECTIFICATION_ORDERED, D(2021, 1, 25)), found=D(2021, 1, 20)),
        ),
        (
            on(D(2021, 1, 31), R, "red", prices=PUNITIVE),
            on(D(2021, 3, 1), Y, "annual_exit", "red", "yellow", prices=PUNITIVE),
        ),
    ),
    Story(
        "X6",
        ("三、(七)", "enterprise_exit_ways"),
        "企业关闭：能耗案件执行关闭（2021年1月19日），环保尚在整改的案件同日随企业退出终止，不再列入黄牌，不另计退出",
        (
            energy(
                (A.RECTIFICATION_ORDERED, D(2020, 6, 22)),
                (A.RECTIFICATION_REPORTED, D(2020, 11, 10)),
                (A.REINSPECTION_FAILED, D(2020, 11, 28)),
                *closing(D(2020, 12, 5), D(2020, 12, 20), D(2021, 1, 19)),
                found=D(2020, 6, 18),
            ),
            Filed(
                "environment",
                D(2020, 7, 1),
                (
                    (A.RECTIFICATION_ORDERED, D(2020, 7, 5), {"deadline": D(2021, 1, 5)}),
                    (A.RECTIFICATION_REPORTED, D(2020, 12, 1)),
                ),
            ),
        ),
        (
            on(
                D(2021, 1, 18),
                {"energy": R, "environment": Y},
                "red",
                "yellow",
                "over_standard",
                prices=PUNITIVE,
            ),
            on(D(2021, 1, 19), {"energy": X, "environment": X}, "annual_exit", "red"),
        ),
    ),
    # ---- 四、(三) lists: one card per dimension ----
    Story(
        "L1",
        ("四、(三)", "one_card_per_dimension"),
        "同一领域两个案件，一个逾期（红牌）、一个仍在整改：只列红牌名单",
        (energy(ORDERED), energy((A.RECTIFICATION_ORDERED, D(2020, 12, 5)), found=D(2020, 12, 1))),
        (on(D(2020, 12, 10), Y, "yellow", prices=PUNITIVE), on(D(2021, 3, 1), R, "red", prices=PUNITIVE)),
    ),
    Story(
        "L2",
        ("四、(三)", "status_order"),
        "不同领域各自列名单：能耗黄牌、安全红牌同时在列；企业综合状态取最重者",
        (
            energy((A.RECTIFICATION_ORDERED, D(2021, 1, 5)), found=D(2021, 1, 1)),
            Filed("safety", D(2020, 9, 1), ((A.RECTIFICATION_ORDERED, D(2020, 9, 1)),)),
        ),
        (on(D(2021, 3, 2), {"energy": Y, "safety": R}, "yellow", "red", prices=PUNITIVE),),
    ),
    # ---- 三、(四)(六)(八) joint punishment of enterprises that have not exited on time ----
    Story(
        "P1",
        ("三、(四)", "三、(六)", "三、(八)", "exit_deadline", "joint_punishment_triggers", "credit_severity"),
        "惩戒：红牌后6个月仍未退出，2021年7月12日起未按期完成退出；较重：联合惩戒各部门执行，限制供地延及关联企业",
        (energy(ORDERED),),
        (
            on(D(2021, 7, 11), R, "red", prices=PUNITIVE),
            on(
                D(2021, 7, 12),
                R,
                "red",
                "not_exited_on_time",
                cites=("三、(四)", "三、(六)"),
                measures=SERIOUS_UNITS,
                prices=PUNITIVE,
                earliest_lift=D(2022, 1, 12),
            ),
        ),
        affiliates=AFFILIATES,
    ),
    Story(
        "P2",
        ("三、(四)", "三、(六)", "三、(八)", "joint_punishment_triggers", "credit_severity"),
        "惩戒：一般情节的未按期退出，只实施信用公示、限制供地、严控授信，一般失信最短公示3个月",
        (energy(ORDERED, severity="general"),),
        (
            on(
                D(2021, 7, 12),
                R,
                "red",
                "not_exited_on_time",
                measures=GENERAL_UNITS,
                prices=PUNITIVE,
                earliest_lift=D(2021, 10, 12),
            ),
        ),
    ),
    Story(
        "P3",
        ("measure_lifting", "三、(七)"),
        "惩戒解除：2021年8月1日执行关闭，措施不早于最短公示期（至2022年1月12日）解除",
        (energy(ORDERED, *closing(D(2021, 6, 1), D(2021, 7, 1), D(2021, 8, 1))),),
        (
            on(D(2021, 8, 1), X, "annual_exit", "red", measures=SERIOUS_UNITS, earliest_lift=D(2022, 1, 12)),
            on(D(2022, 1, 11), X, "annual_exit", measures=SERIOUS_UNITS),
            on(D(2022, 1, 12), X, "annual_exit"),
        ),
    ),
    Story(
        "P4",
        ("credit_severity", "三、(八)"),
        "惩戒：严重情节，按527号特定严重失信公示3年",
        (energy(ORDERED, severity="grave"),),
        (
            on(
                D(2021, 7, 12),
                R,
                "red",
                "not_exited_on_time",
                measures=SERIOUS_UNITS,
                prices=PUNITIVE,
                earliest_lift=D(2024, 7, 12),
            ),
        ),
    ),
    Story(
        "P5",
        ("exit_deadline", "三、(七)"),
        "按期退出：红牌后6个月内执行关闭，不列入未按期完成退出，不实施联合惩戒",
        (energy(ORDERED, *closing(D(2021, 2, 1), D(2021, 3, 1), D(2021, 6, 30))),),
        (on(D(2021, 6, 30), X, "annual_exit", "red"), on(D(2021, 7, 12), X, "annual_exit", "red")),
    ),
    Story(
        "P6",
        ("credit_severity", "二、(二)"),
        "惩戒：2026年4月2日起的未按期退出，按《信用修复管理办法》严重失信最短公示12个月",
        (
            Filed(
                "environment",
                D(2025, 9, 1),
                ((A.RECTIFICATION_ORDERED, D(2025, 9, 3), {"deadline": D(2025, 9, 30)}),),
            ),
        ),
        (
            on(D(2025, 10, 1), R, "red", "over_standard"),
            on(
                D(2026, 4, 2),
                R,
                "red",
                "over_standard",
                "not_exited_on_time",
                measures=SERIOUS_UNITS,
                earliest_lift=D(2027, 4, 2),
            ),
        ),
    ),
    Story(
        "P7",
        ("exit_deadline", "joint_punishment_triggers"),
        "惩戒：两个案件先后未按期退出（一般，2021年7月12日起；较重，9月12日起），措施连成一段；较重者的措施自9月12日起增加，"
        "不追溯，最短公示期按较重者自9月12日起6个月（至2022年3月12日）",
        (
            energy(ORDERED, severity="general"),
            energy((A.RECTIFICATION_ORDERED, D(2020, 9, 10)), found=D(2020, 9, 1)),
        ),
        (
            on(
                D(2021, 8, 1),
                R,
                "red",
                "not_exited_on_time",
                measures=GENERAL_UNITS,
                prices=PUNITIVE,
                earliest_lift=D(2021, 10, 12),
            ),
            on(
                D(2021, 9, 12),
                R,
                "red",
                "not_exited_on_time",
                measures=SERIOUS_UNITS,
                prices=PUNITIVE,
                earliest_lift=D(2022, 3, 12),
            ),
        ),
    ),
    # ---- repeated violations ----
    Story(
        "R1",
        ("二、(一)", "四、(三)"),
        "再次违法：2020年11月复查合格后移出；2021年3月再次认定，重新列入黄牌，9月6日起红牌",
        (
            energy(
                ORDERED, (A.RECTIFICATION_REPORTED, D(2020, 11, 1)), (A.REINSPECTION_PASSED, D(2020, 11, 20))
            ),
            energy((A.RECTIFICATION_ORDERED, D(2021, 3, 5)), found=D(2021, 3, 1)),
        ),
        (
            on(D(2021, 2, 1), OK),
            on(D(2021, 9, 5), Y, "yellow", prices=PUNITIVE),
            on(D(2021, 9, 6), R, "red", prices=PUNITIVE),
        ),
    ),
)
