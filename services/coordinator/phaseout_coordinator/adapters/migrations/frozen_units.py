"""The unit names the coordinator stored before units were named by code (until policy data 2026.12.2), frozen
so that the migrations that rewrite them mean the same whatever the registry says later."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

UNIT_CODES = {
    "区经济信息委": "economy",
    "区经济和信息化委员会": "economy",
    "重庆市涪陵区经济和信息化委员会": "economy",
    "区发展改革委": "development_reform",
    "区发展改革委及各相关职能部门": "development_reform",
    "区生态环境局": "ecology_environment",
    "区市场监管局": "market_supervision",
    "区应急管理局": "emergency_management",
    "区应急局": "emergency_management",
    "区财政局": "finance",
    "区人力社保局": "human_resources",
    "区规划自然资源局": "planning_natural_resources",
    "区规划自然资源": "planning_natural_resources",
    "人行涪陵中心支行": "pboc_fuling",
    "涪陵银保监分局": "banking_regulator",
    "涪陵银保监局": "banking_regulator",
    "区税务局": "tax",
    "电力公司（供电部门）": "power_company",
    "电力公司": "power_company",
    "区供电部门": "power_company",
    "国网重庆涪陵供电公司": "power_company",
    "国网重庆市电力公司涪陵供电分公司": "power_company",
    "银行业机构": "banks",
    "银行业机构（经人行涪陵中心支行、涪陵银保监分局督促）": "banks",
    "银行业机构（经人行涪陵中心支行、涪陵银保监分局引导）": "banks",
    "相关职能部门（市公共信用信息平台；“信用重庆”；国家企业信用信息公示系统（重庆））": "credit_platform",
    "市公共信用信息平台": "credit_platform",
}
PLAN_NAMES = {code: name for name, code in reversed(UNIT_CODES.items())}  # code → first name listed


def rename(table: str, column: str, mapping: dict[str, str]) -> None:
    t = sa.table(table, sa.column(column, sa.String))
    for old, new in mapping.items():
        op.execute(t.update().where(t.c[column] == old).values({column: new}))
