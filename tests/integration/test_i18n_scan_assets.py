"""The scanner and the asset pages in Simplified Chinese: the page, the texts it hands
its scripts, the operation names, the manifest and the offline page; the console's and
the portal's asset pages and the statement's movements asset by asset. English stays
the default (tests/integration/test_asset_pages.py and the e2e tests read it)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from tests.conftest import auth, scan
from tests.integration.test_hardening_sessions import people, sign_in  # noqa: F401
from tests.integration.test_i18n import EN, ZH, body, html_lang

T0 = datetime(2026, 9, 1, 8, tzinfo=timezone.utc)


def json_block(page: str, block_id: str):
    return json.loads(re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S).group(1))


def test_the_scanner_in_chinese(app, people):  # noqa: F811
    from app.web.scan_text import SCRIPT_TEXTS

    client = app.test_client()
    sign_in(client, "depot", headers=ZH)
    r = client.get("/scan", headers=ZH)
    page = body(r)
    assert r.status_code == 200 and html_lang(r) == "zh-CN"
    for words in ("<h1>器具扫码</h1>", "<legend>操作</legend>", "<span>发给客户</span>", "<span>检验：合格</span>",
                  "请先选择操作和站点，然后扫码。", "撤销上一次扫码", "按器具类型计数"):
        assert words in page, words
    assert json_block(page, "scan-config")["operations"][0]["label"] == "发给客户"
    texts = json_block(page, "i18n")
    assert set(texts) == set(SCRIPT_TEXTS)
    assert texts["Applied"] == "已记录" and texts["Offline: scans are kept on this phone"] == "离线：扫码记录保存在本机"
    assert texts["%(operation)s recorded. The asset is now %(state)s. Scan the next one."] == \
        "已记录“%(operation)s”。器具当前状态：%(state)s。请扫下一件。"  # placeholders left for the script
    manifest = client.get("/scan/manifest.webmanifest", headers=ZH).get_json()
    assert manifest["lang"] == "zh-CN" and manifest["short_name"] == "扫码" and manifest["name"].endswith(" 扫码")
    assert "离线也可使用" in manifest["description"]
    offline = client.get("/scan/offline", headers=ZH)
    assert offline.status_code == 200 and "<h1>离线</h1>" in body(offline) and html_lang(offline) == "zh-CN"


def test_the_scanner_in_english_hands_over_the_english_texts(app, people):  # noqa: F811
    client = app.test_client()
    sign_in(client, "depot", headers=EN)
    page = body(client.get("/scan", headers=EN))
    assert "<h1>Scan assets</h1>" in page and "<span>Issue to customer</span>" in page
    assert all(english == shown for english, shown in json_block(page, "i18n").items())
    manifest = client.get("/scan/manifest.webmanifest", headers=EN).get_json()
    assert manifest["short_name"] == "Scanner" and manifest["name"].endswith(" scanner") and manifest["lang"] == "en"
    assert "Open the scanner once while online" in body(app.test_client().get("/scan/offline"))


def test_the_asset_pages_in_chinese(app, people, world):  # noqa: F811
    code, odd = world["codes"][:2]
    r = app.test_client().post("/api/v1/scans", headers=auth(world["tokens"]["admin"]), json={"scans": [
        scan(code, "issue", "depot-a", T0, "acme"), scan(code, "deliver", "acme-site", T0 + timedelta(hours=5)),
        scan(odd, "receive", "depot-b", T0)]})
    assert r.status_code == 200 and r.get_json()["summary"].get("rejected", 0) == 0, r.get_json()
    admin, acme = app.test_client(), app.test_client()
    sign_in(admin, "admin", headers=ZH)
    sign_in(acme, "acme", headers=ZH)

    search = body(admin.get("/console/assets", headers=ZH))
    assert "<h1>查找器具</h1>" in search and 'aria-current="page">器具</a>' in search and "任意类型" in search
    r = admin.get("/console/assets?code=NO-SUCH-ALIAS", headers=ZH)
    assert r.status_code == 404 and "没有与 <code>NO-SUCH-ALIAS</code> 相符的器具。" in body(r)

    page = body(admin.get(f"/console/assets/{code}", headers=ZH))
    for words in ("器具信息", "持有方", "（自 2026年9月1日 08:00 UTC 起）", "进行中的周转", "2026年9月1日 13:00 UTC 送达",
                  "扫码履历", "已发出", "已送达", "客户：Acme", "周转记录", "补打为 PDF", "热敏标签（ZPL）"):
        assert words in page, words
    anomalous = body(admin.get(f"/console/assets/{odd}", headers=ZH))
    assert '<span class="badge anomaly">异常</span>' in anomalous and "审核异常</a>" in anomalous
    assert "已在场站入库" in anomalous

    own = acme.get(f"/portal/acme/assets/{code}", headers=ZH)
    assert own.status_code == 200 and html_lang(own) == "zh-CN"
    assert "以下是该器具在您持有期间的记录。" in body(own) and "申请回收" in body(own)
    moves = body(acme.get("/portal/acme/statement/assets?start=2026-09-01&end=2026-10-01", headers=ZH))
    for words in ("<h1>器具进出明细</h1>", "返回对账单", "时间（UTC）", "2026年9月1日 08:00", "发出",
                  f'<a href="/portal/acme/assets/{code}"><code>{code}</code></a>'):
        assert words in moves, words
