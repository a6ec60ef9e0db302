"""The dashboard and the public pages in a real browser (Debian's headless Chromium through Playwright),
against the whole platform with the demo data, started the way `make run` starts it but on free ports.

Screenshots of the main pages go to test-artifacts/screenshots/ (and the annual report as a PDF)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page, async_playwright, expect

from phaseout_demo.loader import DEMO_TODAY, load_demo
from phaseout_kit.registry import BUREAUS
from phaseout_platform.launcher import Platform
from phaseout_policy import load_policy
from tests.apps import auth
from tests.conftest import wait_until
from tests.e2e.platform import running_platform
from tests.policy_samples import PLAN as SAMPLE_PLAN
from tests.policy_samples import XLSX, filled_template

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
OFFICE = auth("demo-office-admin")


# ---- the platform with the demo, and a browser --------------------------------------------------------------


async def demo_settled(client: httpx.AsyncClient, platform: Platform) -> None:
    """Every bureau event ingested, then every enterprise assessed and the statistics steady."""
    coordinator = platform.url("coordinator")
    heads = {}
    for bureau in BUREAUS:
        feed = await client.get(
            f"{platform.url(bureau)}/api/v1/events?after=0&limit=1", headers=auth("demo-reader")
        )
        heads[bureau] = feed.json()["last_sequence"]

    async def ingested() -> bool:
        state = (await client.get(f"{coordinator}/api/v1/ingest/status", headers=OFFICE)).json()
        return all(state[b]["contiguous"] >= heads[b] for b in BUREAUS)

    await wait_until(ingested, timeout_s=30, interval_s=0.2, message="every demo event ingested")
    seen: list[Any] = []

    async def steady() -> bool:
        stats = (await client.get(f"{coordinator}/api/v1/stats", headers=OFFICE)).json()
        total = (await client.get(f"{coordinator}/api/v1/enterprises?limit=1", headers=OFFICE)).json()[
            "total"
        ]
        assessed = sum(s["count"] for s in stats["by_status"])
        seen.append(stats)
        return assessed == total and len(seen) > 1 and seen[-1] == seen[-2]

    await wait_until(steady, timeout_s=30, interval_s=0.3, message="every enterprise assessed")


@pytest.fixture(scope="module")
async def base_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    data_dir = tmp_path_factory.mktemp("dashboard")
    env = {"coordinator": {"PHASEOUT_CLOCK_DATE": DEMO_TODAY.isoformat()}}
    async with running_platform("sqlite", data_dir, env=env) as platform:
        await load_demo(platform.url, data_dir, load_policy())
        async with httpx.AsyncClient(timeout=10) as client:
            await demo_settled(client, platform)
        yield platform.url("coordinator")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser, base_url: str) -> AsyncIterator[Page]:
    context = await browser.new_context(
        base_url=base_url, viewport=VIEWPORT, locale="zh-CN", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    yield page
    await context.close()


async def sign_in(page: Page, token: str = "demo-office-admin") -> None:
    await page.goto("/dashboard/login")
    await page.fill("[data-testid=token]", token)
    await page.click("[data-testid=login]")
    await page.wait_for_selector("[data-testid=who]")


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def total(page: Page, testid: str = "data-table") -> int:
    return int(await page.locator(f"[data-testid={testid}-total]").inner_text())


# ---- scenarios ----------------------------------------------------------------------------------------------


async def test_login_then_the_overview_draws_its_charts(page: Page) -> None:
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/dashboard/login"))
    await shot(page, "01-login")
    await page.fill("[data-testid=token]", "not-a-token")
    await page.click("[data-testid=login]")
    await expect(page.get_by_role("alert")).to_contain_text("令牌无效")

    await page.fill("[data-testid=token]", "demo-office-admin")
    await page.click("[data-testid=login]")
    await expect(page.locator("[data-testid=who]")).to_contain_text("领导小组办公室")
    for chart in ("status", "trend", "dimension", "industry", "town"):
        box = page.locator(f"[data-testid=chart-{chart}][data-rendered=true]")
        await box.locator("svg path").first.wait_for(state="attached")
        assert await box.locator("svg path").count() > 5, chart
    red_enterprises = int(await page.locator("[data-testid=count-red] .stat-value").inner_text())
    assert red_enterprises > 0
    # The trend's exit bars share the one axis of the list lines (a right axis once drew 2 exits as high as 15).
    axes = await page.evaluate(
        """() => { const o = echarts.getInstanceByDom(document.querySelector('[data-chart=trend]')).getOption();
                   return [o.yAxis.length, o.series.map(s => s.yAxisIndex || 0)]; }"""
    )
    assert axes == [1, [0, 0, 0]]
    # Enterprises by status and the red list's count differ, and the page says why, with figures that add up.
    red_list = int(await page.locator("[data-testid=list-count-red]").inner_text())
    note = await page.locator("[data-testid=counting-note]").inner_text()
    closed = re.search(r"另有当年已依法关闭.*?的 (\d+) 家", note)
    assert f"红牌名单在册 {red_list} 家：总体状态为红牌的 {red_enterprises} 家" in note
    assert red_list == red_enterprises + (int(closed.group(1)) if closed else 0)
    await shot(page, "02-overview")


async def test_without_echarts_the_charts_say_so_in_chinese(page: Page) -> None:
    await page.route("**/vendor/echarts.min.js", lambda route: route.abort())
    await sign_in(page)
    await expect(page.locator("[data-testid=chart-status]")).to_contain_text(
        "图表组件（Apache ECharts）未安装"
    )


async def test_filters_and_sorting_change_the_list(page: Page) -> None:
    await sign_in(page)
    await page.goto("/dashboard/lists/red")
    everyone = await total(page)
    await page.select_option("select[name=dimension]", "safety")
    await page.click("[data-testid=apply-filters]")
    await expect(page).to_have_url(re.compile(r"dimension=safety"))
    safety = await total(page)
    assert 0 < safety < everyone
    dimensions = await page.locator("[data-testid=data-table] td.key-dimension_zh").all_inner_texts()
    assert {d.strip() for d in dimensions} == {"安全"}

    await page.click("[data-testid=data-table] th a:has-text('企业名称')")
    await expect(page).to_have_url(re.compile(r"sort=name"))
    names = [n.strip() for n in await page.locator("td.key-name").all_inner_texts()]
    assert names == sorted(names) and len(names) == safety
    await shot(page, "03-red-list-filtered")


async def test_a_dossier_opens_from_the_list_with_timeline_and_explanations(page: Page) -> None:
    await sign_in(page)
    await page.goto("/dashboard/lists/red")
    name = (await page.locator("[data-testid=data-table] a.entity").first.inner_text()).strip()
    await page.locator("[data-testid=data-table] a.entity").first.click()
    await expect(page.locator("[data-testid=dossier-name]")).to_have_text(name)
    timeline = page.locator("[data-testid=timeline] > li")
    await timeline.first.wait_for()
    assert await timeline.count() >= 2
    reasons = page.locator("[data-testid=reasons]")
    await expect(reasons).to_contain_text("“红牌”名单")
    await expect(reasons.locator(".doc").first).to_contain_text("涪经信发〔2020〕85号")
    await expect(reasons).to_contain_text("四、(三)")  # the clause of the red list
    await expect(reasons).to_contain_text("经整改仍不达标、已依法关闭的企业名单")  # and its text
    await expect(page.locator("[data-testid=dimensions]")).to_contain_text("依法关停退出")
    await shot(page, "04-dossier")


async def test_a_red_card_reason_is_two_clicks_from_the_overview(page: Page) -> None:
    await sign_in(page)  # lands on the overview
    await page.click("[data-testid=count-red]")  # 1: the red-card enterprises
    await page.locator("[data-testid=enterprise-table] a.entity").first.click()  # 2: a dossier
    reason = page.locator(".reason-red [data-testid=reason-summary]")
    await expect(reason).to_be_visible()
    assert (await reason.bounding_box() or {"y": 9999})["y"] < VIEWPORT["height"], "the reason is at the top"
    assert re.search(r"逾期未整改|仍不达标|关停退出|关闭", await reason.inner_text())


async def test_only_published_lists_reach_the_public(page: Page, browser: Browser, base_url: str) -> None:
    await sign_in(page)
    page.on("dialog", lambda dialog: dialog.accept())
    await page.goto("/dashboard/lists/yellow")
    await page.click("[data-testid=create-draft]")
    draft = page.locator("[data-testid=publications] button[data-testid^=publish-]").first
    await draft.wait_for()
    await draft.click()
    await expect(page.locator(".notice-ok")).to_contain_text("名单已发布")
    await page.goto("/dashboard/lists/over_standard")
    await page.click("[data-testid=create-draft]")  # a draft that stays a draft
    await expect(page.locator("[data-testid=publications]")).to_contain_text("草稿")

    anonymous = await browser.new_context(base_url=base_url, viewport=VIEWPORT)  # no session cookie
    public = await anonymous.new_page()
    await public.goto("/public/")
    listing = public.locator("[data-testid=public-publications]")
    await expect(listing).to_contain_text("“黄牌”名单")
    await expect(listing).not_to_contain_text("超标排放企业名单")
    await listing.locator("a.entity").first.click()
    await expect(public.locator("[data-testid=published-on]")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    await expect(public.locator("[data-testid=legal-basis]")).to_contain_text("涪经信发〔2020〕85号")
    assert await total(public, "public-table") > 0
    html = await public.content()
    for internal in ("demo:", "检查人员", "case_id", "event_id", "录入", "退出登录"):
        assert internal not in html, internal
    await shot(public, "05-public-list")
    await anonymous.close()


async def test_downloads_are_valid_xlsx_of_the_filtered_table(page: Page, tmp_path: Path) -> None:
    await sign_in(page)
    await page.goto("/dashboard/lists/red?dimension=safety")
    shown = await total(page)
    async with page.expect_download() as info:
        await page.click("[data-testid=download-xlsx]")
    download = await info.value
    path = tmp_path / download.suggested_filename
    await download.save_as(path)
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "红牌" in str(rows[0][0])
    headers = list(rows[2])
    assert headers[:2] == ["统一社会信用代码", "企业名称"]
    body = rows[3:]
    assert len(body) == shown
    assert all(r[headers.index("领域")] == "安全" for r in body)
    assert isinstance(body[0][headers.index("列入日期")], datetime)  # dates are real dates


async def test_measures_annex_tasks_and_annual_report_pages(page: Page) -> None:
    await sign_in(page)
    await page.goto("/dashboard/measures")
    assert await total(page, "measure-table") > 0
    await expect(page.locator("[data-testid=measure-summary]")).to_contain_text("区规划自然资源局")
    await shot(page, "06-measures")
    await page.goto("/dashboard/annex-tasks")  # the demo's year: its plan is not loaded
    await expect(page.locator("[data-testid=plan-missing]")).to_contain_text(
        f"{DEMO_TODAY.year}年度实施方案未载入"
    )
    await expect(page.locator("[data-testid=annex-table] tbody tr")).to_have_count(0)
    await page.goto("/dashboard/annex-tasks?year=2021")  # the summaries of 2020 were due on 10 January 2021
    await expect(page.locator("[data-testid=overdue-summaries] .row-alert").first).to_be_visible()
    await page.goto("/dashboard/annex-tasks?year=2020")
    await expect(page.locator("[data-testid=plan]")).to_contain_text("涪经信发〔2020〕85号")
    await expect(page.locator("[data-testid=annex-table] tbody tr")).to_have_count(16)
    await shot(page, "07-annex-tasks")
    await page.goto("/dashboard/annual-report?year=2020")  # the plan year of the demo's first era
    await expect(page.locator("h1")).to_contain_text("涪陵区2020年度落后产能退出工作情况")
    assert await page.locator("[data-testid=report-exits] tbody tr").count() > 0
    await shot(page, "08-annual-report")
    await page.emulate_media(media="print")
    await page.pdf(path=str(ARTIFACTS / "annual-report.pdf"), format="A4", print_background=True)


async def test_roles_see_their_own_pages(page: Page) -> None:
    await sign_in(page, "demo-department-land")
    await expect(page).to_have_url(re.compile(r"/dashboard/measures"))
    await expect(page.locator("nav.mainnav")).not_to_contain_text("名单")
    departments = await page.locator("td.key-target_department_zh").all_inner_texts()
    assert departments and {d.strip() for d in departments} == {"区规划自然资源局"}
    form = page.locator("details.feedback").first
    await form.locator("summary").click()
    await form.locator("input[name=reference]").fill("涪规资函〔2021〕12号")
    await form.locator("button[type=submit]").click()
    await expect(page.locator(".notice-ok")).to_contain_text("执行情况已反馈")
    await page.goto("/dashboard/lists/red")
    await expect(page.locator("h1")).to_have_text("无权访问")

    await sign_in(page, "demo-safety-writer")
    await page.goto("/dashboard/lists/red")
    dimensions = await page.locator("td.key-dimension_zh").all_inner_texts()
    assert {d.strip() for d in dimensions} == {"安全"}  # a bureau sees its own cases
    await expect(page.locator("[data-testid=create-draft]")).to_have_count(0)  # and cannot publish


async def test_the_office_loads_a_plan_year_from_the_xlsx_template(page: Page, tmp_path: Path) -> None:
    """Issue 13: the administrator downloads the template, uploads a faulty file and sees its row errors, then a
    correct one, reads the preview and approves; the plan year is then in force (a past year: 2019, so the
    demo's own years stay as the other scenarios expect them)."""
    await sign_in(page)
    await page.goto("/dashboard/policy")
    async with page.expect_download() as info:
        await page.click("[data-testid=template-download]")
    download = await info.value
    assert download.suggested_filename == "年度实施方案模板.xlsx"
    template = await anyio.Path(await download.path()).read_bytes()
    plan = {
        **SAMPLE_PLAN,
        "year": 2019,
        "issued_on": "2019-04-01",
        "document": "涪经信发〔2019〕12号",
        "title_zh": "涪陵区2019年落后产能退出工作实施方案（测试样例）",
    }
    faulty = {**plan, "tasks": [plan["tasks"][0], {**plan["tasks"][1], "lead_units_zh": ["区能源局"]}]}

    await page.locator("[data-testid=plan-file]").set_input_files(
        {"name": "2019年方案.xlsx", "mimeType": XLSX, "buffer": filled_template(template, faulty)}
    )
    await page.click("#upload button[type=submit]")
    await expect(page.locator("[data-testid=row-errors]")).to_contain_text(
        "「附件任务」表第3行 牵头单位：单位名录中没有：区能源局"
    )
    await shot(page, "10-policy-row-errors")

    await page.locator("[data-testid=plan-file]").set_input_files(
        {"name": "2019年方案.xlsx", "mimeType": XLSX, "buffer": filled_template(template, plan)}
    )
    await page.click("#upload button[type=submit]")
    await expect(page.locator(".notice-ok")).to_contain_text("已保存为待审批变更")
    await expect(page.locator("[data-testid=change-status]")).to_have_text("待审批")
    await expect(page.locator("[data-testid=affected-count]")).to_have_text("0")  # tasks move no enterprise
    await expect(page.locator("[data-testid=change-tasks] tbody tr")).to_have_count(2)
    await shot(page, "11-policy-preview")
    await page.click("[data-testid=approve]")
    await expect(page.locator("[data-testid=change-status]")).to_have_text("已批准生效")

    await page.goto("/dashboard/policy")
    await expect(page.locator("[data-testid=plan-years]")).to_contain_text("涪经信发〔2019〕12号")
    await expect(page.locator("[data-testid=policy-version]")).to_contain_text("+office.")
    await page.goto("/dashboard/annex-tasks?year=2019")
    await expect(page.locator("[data-testid=plan]")).to_contain_text("涪经信发〔2019〕12号")
    await expect(page.locator("[data-testid=annex-table] tbody tr")).to_have_count(2)
