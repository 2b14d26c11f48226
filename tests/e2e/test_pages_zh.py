"""The main pages in Simplified Chinese, as a browser set to zh-CN gets them, at 360 px and
1280 px: Chinese text, <html lang="zh-CN">, nothing wider than the screen, no serious or
critical WCAG 2.1 A/AA violation found by axe-core; the scanner with one scan; and the
language switcher.

With SCREENSHOTS_DIR set (e.g. `SCREENSHOTS_DIR=docs/screenshots`), a full-page screenshot
of each goes to $SCREENSHOTS_DIR/zh-CN/<page>-<width>.png; CI leaves it unset, so the
tests never write into the repository."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, USERS, digital_link, run_axe, seed_history

CJK = re.compile(r"[\u4e00-\u9fff]")
# An asset page is headed by the asset's type and code; its sections are in Chinese.
ASSET_HEADING = re.compile(r"^IBC 1000 L \d+$")
PAGES = [  # name, who (None: signed out), path ({asset}: one acme holds), the page's heading
    ("login", None, "/login", "登录"),
    ("portal-balance", "acme", "/portal/acme", "结存"),
    ("portal-statement", "acme", "/portal/acme/statement", "器具进出对账单"),
    ("portal-overdue", "acme", "/portal/acme/overdue", "超期器具"),
    ("portal-pickups", "acme", "/portal/acme/pickups", "回收申请"),
    ("portal-certificates", "acme", "/portal/acme/certificates", "CO₂e 减排证书"),
    ("portal-tokens", "acme", "/portal/acme/tokens", "API 令牌"),
    ("console", "admin", "/console", "器具总览"),
    ("console-anomalies", "admin", "/console/anomalies", "异常"),
    ("console-planning", "admin", "/console/planning", "规划任务"),
    ("console-labels", "admin", "/console/labels", "标签打印"),
    ("console-assets", "admin", "/console/assets", "查找器具"),
    ("console-asset", "admin", "/console/assets/{asset}", ASSET_HEADING),
    ("portal-asset", "acme", "/portal/acme/assets/{asset}", ASSET_HEADING),
    ("portal-asset-moves", "acme", "/portal/acme/statement/assets", "器具进出明细"),
    ("portal-statements", "acme", "/portal/acme/statements", "月度对账单"),
    ("portal-invoices", "acme", "/portal/acme/invoices", "发票"),
    ("console-settlement", "admin", "/console/settlement", "月度结账"),
    ("console-disputes", "admin", "/console/settlement/disputes", "异议队列"),
    ("console-billing", "admin", "/console/settlement/billing", "计费任务"),
    ("console-contracts", "admin", "/console/settlement/contracts", "费率"),
    ("customers", "admin", "/portal", "客户"),
    ("account", "admin", "/account/password", "修改密码"),
    ("not-found", "acme", "/portal/globex", "页面不存在"),
]


def sign_in_zh(page, who: str) -> None:
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(USERS[who][3])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, f"sign-in as {who} failed: {page.url}"


def screenshot_dir() -> Path | None:
    root = os.environ.get("SCREENSHOTS_DIR")
    if not root:
        return None
    path = Path(root) / "zh-CN"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("width", ["mobile", "desktop"])
def test_main_pages_in_chinese(live, new_page, width):
    seed_history(live)
    shots = screenshot_dir()
    pages, problems = {}, {}
    for name, who, path, heading in PAGES:
        if who not in pages:  # one browser per user, signed in once, its language zh-CN
            pages[who] = new_page(width, locale="zh-CN")
            if who:
                sign_in_zh(pages[who], who)
        page = pages[who]
        page.goto(path.format(asset=live.world["codes"][12]))  # issued to acme (seed_history)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "zh-CN", name
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if heading is ASSET_HEADING:
            for section in ("进行中的周转", "扫码履历", "周转记录"):
                expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
        main_text = page.locator("main").inner_text()
        assert len(CJK.findall(main_text)) >= 4, f"{name}: little Chinese on the page: {main_text[:200]!r}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}"
        if shots is not None:
            page.screenshot(path=str(shots / f"{name}-{page.viewport_size['width']}.png"), full_page=True)
        violations = run_axe(page)
        if violations:
            problems[name] = violations
    assert not problems, problems


def test_the_switcher_changes_the_language_and_remembers_it(live, new_page):
    page = new_page("mobile")  # an English browser
    page.goto("/login")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    assert page.url.endswith("/login")
    sign_in_zh(page, "acme")
    expect(page.get_by_role("heading", level=1)).to_have_text("结存")
    page.get_by_role("button", name="English").click()  # signed in: stored as the user's setting
    expect(page.get_by_role("heading", level=1)).to_have_text("Balance")
    other = new_page("desktop", locale="zh-CN")  # another browser, in Chinese: so is its sign-in page
    sign_in_zh(other, "acme")
    expect(other.get_by_role("heading", level=1)).to_have_text("Balance")  # then the user's setting


def test_the_scanner_in_chinese(live, new_page):
    page = new_page("mobile", locale="zh-CN")
    sign_in_zh(page, "depot")  # depot staff start on the scanner
    page.wait_for_selector("body[data-scanner-ready]")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.get_by_role("heading", level=1)).to_have_text("器具扫码")
    tiles = page.locator(".op-tile span").all_inner_texts()
    assert tiles[:3] == ["发给客户", "入库", "清洗"] and "检验：合格" in tiles, tiles
    expect(page.locator("#result-message")).to_have_text("请先选择操作和站点，然后扫码。")
    expect(page.locator("#conn-text")).to_have_text("在线")
    page.get_by_role("radio", name="发给客户", exact=True).check()
    page.wait_for_function("document.querySelector('#site option[value=\"depot-a\"]') !== null")
    page.get_by_label("站点", exact=True).select_option("depot-a")
    page.get_by_label("客户", exact=True).select_option("acme")
    page.get_by_label("扫码或输入编码").focus()
    expect(page.locator("#summary-op")).to_have_text("发给客户")
    page.keyboard.type(digital_link(live.world["codes"][0]) + "\n")
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(1)
    expect(page.locator("#result-word")).to_have_text("已记录")
    expect(page.locator("#result-message")).to_have_text("已记录“发给客户”。器具当前状态：已发给 Acme。请扫下一件。")
    expect(page.locator("#scan-list")).to_contain_text("发给客户 · Depot A")
    shots = screenshot_dir()
    if shots is not None:
        page.screenshot(path=str(shots / f"scan-{page.viewport_size['width']}.png"), full_page=True)
    violations = run_axe(page)
    assert not violations, violations
