"""Pages, page messages and PDFs in English and Simplified Chinese: how the language is
chosen (user setting, switcher, Accept-Language, default), what the pages say in it, and
the Chinese PDFs (read back with poppler's pdftotext)."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from tests.conftest import auth
from tests.integration.test_certificates import URL, admin, issue, key_file, month_data, signing_key  # noqa: F401
from tests.integration.test_hardening_sessions import BROWSER, PEOPLE, csrf_of, people, sign_in  # noqa: F401

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def body(response) -> str:
    return response.get_data(as_text=True)


def pdf_text(pdf: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils missing: scripts/test.sh installs it"
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def switch(client, locale: str, next_path: str = "/login", **kw):
    """Press the language switcher of the page at `next_path`."""
    page = client.get(next_path if next_path.startswith("/") and not next_path.startswith("//") else "/login",
                      headers=kw.pop("headers", {}))
    return client.post("/language", data={"locale": locale, "next": next_path, "csrf_token": csrf_of(page)}, **kw)


def stored_locale(app, user_id: int) -> str | None:
    with app.extensions["engine"].connect() as conn:
        return conn.execute(text("SELECT locale FROM users WHERE id = :id"), {"id": user_id}).scalar()


# ---------- which language ----------

@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9", "zh", "zh-Hans-CN", "zh-TW", "en;q=0.5, zh-cn;q=0.8"])
def test_a_chinese_browser_gets_chinese_pages(client, header):
    r = client.get("/login", headers={"Accept-Language": header})
    assert r.status_code == 200
    assert html_lang(r) == "zh-CN"
    assert "<h1>登录</h1>" in body(r) and "电子邮箱" in body(r)  # the heading and the form's label


@pytest.mark.parametrize("headers", [{}, EN, {"Accept-Language": "en"}, {"Accept-Language": "de-DE,fr;q=0.8"}])
def test_english_stays_the_default(client, headers):
    r = client.get("/login", headers=headers)
    assert html_lang(r) == "en"
    assert "<h1>Sign in</h1>" in body(r) and "登录" not in body(r).replace('lang="zh-CN">简体中文', "")
    switcher = '<button type="submit" class="link" name="locale" value="zh_Hans_CN" lang="zh-CN">简体中文</button>'
    assert switcher in body(r)


def test_the_default_locale_setting(migrated_db):
    from app import create_app
    from tests.integration.test_hardening_sessions import make_settings

    chinese = create_app({"SETTINGS": make_settings(migrated_db, default_locale="zh-CN"), "TESTING": True})
    assert html_lang(chinese.test_client().get("/login")) == "zh-CN"
    assert html_lang(chinese.test_client().get("/login", headers=EN)) == "en"  # the browser still decides first
    with pytest.raises(RuntimeError, match="DEFAULT_LOCALE"):
        create_app({"SETTINGS": make_settings(migrated_db, default_locale="fr"), "TESTING": True})


def test_signed_out_switcher_keeps_the_choice_in_a_cookie(client):
    r = switch(client, "zh_Hans_CN", "/login?next=/portal", headers=EN)
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=/portal"
    cookie = client.get_cookie("lang")
    assert cookie.value == "zh_Hans_CN" and cookie.http_only and cookie.same_site == "Lax"
    assert html_lang(client.get("/login", headers=EN)) == "zh-CN"  # the choice beats Accept-Language
    assert html_lang(client.get("/login?lang=en", headers=EN)) == "en"  # ?lang= for this page only
    r = switch(client, "", "/login")  # back to the browser's language
    assert client.get_cookie("lang") is None
    assert html_lang(client.get("/login", headers=EN)) == "en"


def test_the_switcher_needs_the_form_token_and_stays_on_this_site(client):
    assert client.post("/language", data={"locale": "zh_Hans_CN", "next": "/login"}, headers=BROWSER).status_code == 400
    assert client.get_cookie("lang") is None
    r = switch(client, "zh_Hans_CN", "//evil.example/")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    token = csrf_of(client.get("/login"))
    assert client.post("/language", data={"locale": "fr", "csrf_token": token}).status_code == 400


def test_signed_in_the_choice_is_the_users_setting(app, people):  # noqa: F811
    client = app.test_client()
    assert sign_in(client, "acme", headers=EN).status_code == 302
    assert stored_locale(app, people["ids"]["acme"]) is None  # nullable, no default: follow the browser
    assert html_lang(client.get("/portal/acme", headers=ZH)) == "zh-CN"
    r = switch(client, "zh_Hans_CN", "/portal/acme/statement", headers=EN)
    assert r.headers["Location"] == "/portal/acme/statement"
    assert stored_locale(app, people["ids"]["acme"]) == "zh_Hans_CN"
    # another browser with an English Accept-Language and no cookie: the setting wins
    other = app.test_client()
    assert sign_in(other, "acme", headers=EN).status_code == 302
    page = other.get("/portal/acme", headers=EN)
    assert html_lang(page) == "zh-CN" and "<h1>结存</h1>" in body(page)
    # the account page offers the setting, with the browser's language as a choice
    account = other.get("/account/password", headers=EN)
    chosen = re.search(r'<input [^>]*value="zh_Hans_CN"[^>]*>', body(account)).group(0)
    assert " checked" in chosen and 'lang="zh-CN"' in chosen and "跟随浏览器语言" in body(account)
    switch(other, "", "/account/password")
    assert stored_locale(app, people["ids"]["acme"]) is None
    assert html_lang(other.get("/portal/acme", headers=EN)) == "en"


# ---------- what the pages say ----------

def test_portal_and_console_pages_in_chinese(app, people, world):  # noqa: F811
    from tests.conftest import scan

    t0 = datetime(2026, 9, 1, 8, tzinfo=timezone.utc)
    code = world["codes"][0]
    r = app.test_client().post("/api/v1/scans", headers=auth(world["tokens"]["admin"]), json={"scans": [
        scan(code, "issue", "depot-a", t0, "acme"), scan(world["codes"][1], "receive", "depot-b", t0)]})
    assert r.status_code == 200, r.get_json()
    acme, admin_client = app.test_client(), app.test_client()
    sign_in(acme, "acme", headers=ZH)
    sign_in(admin_client, "admin", headers=ZH)
    overview = body(acme.get("/portal/acme", headers=ZH))
    for words in ("<h1>结存</h1>", "持有器具", "按站点和器具类型", "结存趋势", "每周末持有的器具数", "对账单"):
        assert words in overview, words
    assert re.search(r"截至 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC", overview)  # Babel's date for zh
    statement = body(acme.get("/portal/acme/statement?start=2026-09-01&end=2026-10-01", headers=ZH))
    for words in ("器具进出对账单", "期初", "发出", "期末", "2026年9月1日 00:00 UTC", "下载 PDF"):
        assert words in statement, words
    english = body(acme.get("/portal/acme/statement?start=2026-09-01&end=2026-10-01&lang=en"))
    assert "From 2026-09-01 00:00 UTC up to (not including) 2026-10-01 00:00 UTC." in english
    home = body(admin_client.get("/console", headers=ZH))
    for words in ("器具总览", "丢失率", "各状态器具数", "已发出", "已入库", "客户处超期器具", "低库存阈值"):
        assert words in home, words
    anomalies = body(admin_client.get("/console/anomalies", headers=ZH))
    assert "depot-b：入库" in anomalies and "2026年9月1日 08:00 UTC" in anomalies and "处理说明" in anomalies
    assert "规划回收线路" in body(admin_client.get("/console/planning", headers=ZH))
    assert "生成 PDF 标签页" in body(admin_client.get("/console/labels", headers=ZH))


def test_error_pages_and_form_messages_in_chinese(app, client, people):  # noqa: F811
    r = client.get("/no-such-page", headers=BROWSER | ZH)
    assert r.status_code == 404 and "页面不存在" in body(r) and html_lang(r) == "zh-CN"
    r = client.post("/login", data={"email": "x@example.org", "password": "x"}, headers=BROWSER | ZH)
    assert r.status_code == 400 and "表单已过期" in body(r)
    r = sign_in(client, "acme", password="wrong-password", headers=ZH)
    assert r.status_code == 401 and "电子邮箱或密码不正确。" in body(r)
    sign_in(client, "acme", headers=ZH)
    r = client.get("/portal/acme/statement?start=2026-09-01&end=2026-08-01", headers=ZH)
    assert "结束日期必须晚于开始日期。" in body(r)
    r = client.get("/portal/acme/statement?start=2026-13-01&end=2026-08-01", headers=BROWSER | ZH)
    assert r.status_code == 400 and "请选择期间" in body(r) and "请按 YYYY-MM-DD 格式输入两个日期" in body(r)
    assert "该字段是必填字段" in body(r)  # WTForms' own message, in its Chinese
    form = {"csrf_token": csrf_of(client.get("/account/password")), "current_password": "wrong-password-1",
            "new_password": "another-pass-1", "confirm": "another-pass-1"}
    r = client.post("/account/password", headers=ZH, data=form)
    assert "当前密码不正确。" in body(r)
    # JSON answers stay English whatever the language
    r = client.get("/api/v1/nothing-here", headers=ZH)
    assert r.is_json and "页面" not in r.get_data(as_text=True)


def test_english_pages_read_as_before(app, people):  # noqa: F811
    client = app.test_client()
    sign_in(client, "admin")
    home = body(client.get("/console"))
    assert "<h1>Fleet overview</h1>" in home and "0.0 %" in home and 'lang="en"' in home
    users = body(client.get("/console/users"))
    assert "<td>admin</td>" in users and '<span class="badge ok">active</span>' in users
    r = sign_in(app.test_client(), "acme", password="wrong-password")
    assert "Wrong email or password." in body(r)


def test_verify_page_in_chinese(app, client, admin, month_data):  # noqa: F811
    serial = issue(client, admin, customer="acme")["serials"][0]
    r = client.get(f"/verify/{serial}?lang=zh_Hans_CN")
    assert html_lang(r) == "zh-CN" and "有效" in body(r) and "减排证书" in body(r)
    assert '<a href="?lang=en" lang="en" hreflang="en">English</a>' in body(r)
    r = client.get("/verify/CO2-2026-09-NOBODY-R1-XXXX", headers=ZH)
    assert r.status_code == 404 and "未知证书" in body(r)
    assert "VALID" in body(client.get(f"/verify/{serial}"))


# ---------- PDFs ----------

def test_statement_pdf_in_chinese(app, people, world, tmp_path):  # noqa: F811
    from tests.conftest import scan

    t0 = datetime(2026, 9, 2, 8, tzinfo=timezone.utc)
    r = app.test_client().post("/api/v1/scans", headers=auth(world["tokens"]["admin"]),
                               json={"scans": [scan(world["codes"][0], "issue", "depot-a", t0, "acme")]})
    assert r.status_code == 200
    client = app.test_client()
    sign_in(client, "acme")
    path = "/portal/acme/statement.pdf?start=2026-09-01&end=2026-10-01"
    chinese = pdf_text(client.get(path, headers=ZH).get_data(), tmp_path)
    for words in ("器具进出对账单", "器具类型", "期初", "发出", "期末", "合计", "2026年9月1日 00:00 UTC"):
        assert words in chinese, words
    english = pdf_text(client.get(path, headers=EN).get_data(), tmp_path)
    assert "Movements statement: Acme" in english and "Period from 2026-09-01 00:00 UTC" in english
    assert "器具" not in english


def test_certificate_pdf_in_the_users_language(app, client, admin, month_data, tmp_path):  # noqa: F811
    from app.accounts import services as accounts

    serial = issue(client, admin, customer="acme")["serials"][0]
    chinese = pdf_text(client.get(f"{URL}/{serial}.pdf", headers=admin | ZH).get_data(), tmp_path)
    for words in ("减排证书", "有效", "按器具类型", "方法", "查验", "未计入", "ISO 14067"):
        assert words in chinese, words
    english = pdf_text(client.get(f"{URL}/{serial}.pdf", headers=admin).get_data(), tmp_path)
    assert "Avoided-emissions certificate" in english and "VALID" in english and "减排" not in english
    # the token's user chose Chinese: its PDFs are Chinese whatever the client sends
    with app.app_context():
        [admin_user] = [u for u in accounts.list_users() if u.role == "admin"]
        accounts.set_locale(admin_user.id, "zh_Hans_CN")
    assert "减排证书" in pdf_text(client.get(f"{URL}/{serial}.pdf", headers=admin | EN).get_data(), tmp_path)


# ---------- formatting ----------

@pytest.mark.parametrize("language, expected", [
    ("en", ("2026-09-01", "2026-09-01 14:05", "Sep 2026", "1,234.6", "12.3 %", "–", "01 Sep")),
    ("zh-CN", ("2026年9月1日", "2026年9月1日 14:05", "2026年9月", "1,234.6", "12.3%", "–", "9月1日")),
])
def test_dates_and_numbers_follow_the_language(app, language, expected):
    from app.platform import i18n

    with app.test_request_context("/", headers={"Accept-Language": language}):
        when = datetime(2026, 9, 1, 14, 5, tzinfo=timezone.utc)
        assert (i18n.day(when.date()), i18n.minute(when), i18n.relabel("Sep 2026", "%b %Y", "yMMM"),
                i18n.decimal(1234.56),
                i18n.percent(0.1234), i18n.decimal(None), i18n.relabel("01 Sep", "%d %b", "MMMd")) == expected
        assert i18n.decimal(0.25) == f"{0.25:,.1f}" and i18n.decimal(-1234.45) == f"{-1234.45:,.1f}"
        assert i18n.decimal(12345, 0) == "12,345" and "1,234.50" in i18n.money(1234.5, "CNY")


def test_a_failing_user_lookup_falls_back_to_the_browser(app, client):
    def broken():
        raise RuntimeError("database down")

    app.extensions["i18n_user_locale"] = broken
    r = client.get("/no-such-page", headers=BROWSER | ZH)
    assert r.status_code == 404 and html_lang(r) == "zh-CN" and "页面不存在" in body(r)
