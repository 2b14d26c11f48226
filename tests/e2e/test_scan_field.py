"""The scanner on a depot phone (360 x 740): no scan lost after choosing an operation or a
site, keyboard-wedge keystrokes wherever the focus is, pasted lists, full-width input, and
a result area that stays in view with statuses told apart by icon and word, at 7:1."""
from __future__ import annotations

from playwright.sync_api import expect

from .conftest import AXE_JS, choose, digital_link, open_scanner


def asset(live, code):
    r = live.api("get", f"/assets/{code}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def events(live, code):
    return live.api("get", f"/assets/{code}/events").get_json()


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def applied(page, count: int) -> None:
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(count)


def test_first_scan_after_choosing_operation_and_site_is_recorded(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    codes = live.world["codes"]
    # Tap the operation: the focus goes back to the code field at once.
    page.get_by_role("radio", name="Issue to customer", exact=True).check()
    assert focused(page) == "code"
    page.get_by_label("Site", exact=True).select_option("depot-a")
    assert focused(page) == "code"
    page.get_by_label("Customer", exact=True).select_option("acme")
    assert focused(page) == "code"
    # Complete: the choices fold into the summary at the top.
    expect(page.locator("#setup")).to_be_hidden()
    expect(page.locator("#summary")).to_contain_text("Issue to customer")
    expect(page.locator("#summary")).to_contain_text("Depot A · Acme")
    # The scanner fires straight away; nobody touched the code field.
    page.keyboard.type(digital_link(codes[0]) + "\n")
    applied(page, 1)
    assert asset(live, codes[0])["holder"] == "acme"
    # Another operation whose site is remembered: one tap, then the scan.
    page.get_by_role("button", name="Change").click()
    page.get_by_role("radio", name="Receive", exact=True).check()
    expect(page.locator("#summary")).to_contain_text("Receive")
    assert focused(page) == "code"
    page.keyboard.type(digital_link(codes[5]) + "\n")
    expect(page.locator("#scan-list li").first).to_contain_text(codes[5])
    expect(page.locator("#queue-count")).to_have_text("0")
    assert [e["event"] for e in events(live, codes[5])] == ["receive"]
    # Every button hands the focus back to the code field too.
    for name in ("Send now", "Hide on-screen keyboard", "Hide on-screen keyboard", "Clear list"):
        page.get_by_role("button", name=name).click()
        assert focused(page) == "code", name


def test_keyboard_wedge_keystrokes_outside_the_field_land_in_it(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    codes = live.world["codes"]

    def in_setup(selector):
        def put_focus():
            if page.locator("#change-setup").is_visible():
                page.locator("#change-setup").click()
            page.locator(selector).focus()
        return put_focus

    targets = [
        ("an operation tile", in_setup("input[value=issue]")),
        ("the site picker", in_setup("#site")),
        ("the customer picker", in_setup("#customer")),
        ("a button", lambda: page.locator("#undo").focus()),
        ("nothing", lambda: page.evaluate("document.activeElement.blur()")),
    ]
    for n, (where, put_focus) in enumerate(targets):
        put_focus()
        assert focused(page) != "code", where
        page.keyboard.type(digital_link(codes[n]) + "\n")
        applied(page, n + 1)
        assert asset(live, codes[n])["holder"] == "acme", where
        # the pickers' type-ahead did not jump to another site or customer
        assert (page.locator("#site").input_value(), page.locator("#customer").input_value()) == ("depot-a", "acme")
    # raw GS1 data with the group separator sent as Ctrl+], typed with the focus on a button
    page.locator("#sync").focus()
    page.keyboard.type(f"]Q38003{codes[9]}")
    page.keyboard.press("Control+BracketRight")
    page.keyboard.type("10LOT7\n")
    applied(page, len(targets) + 1)
    assert asset(live, codes[9])["state"] == "issued"
    # Space still picks a tile, and the arrow keys still move between operations.
    page.locator("#change-setup").click()
    page.locator("input[value=issue]").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.value") != "issue"
    assert page.locator("#code").input_value() == ""


def test_paste_of_three_codes_becomes_three_scans(live, new_page):
    page = new_page("mobile")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    codes = live.world["codes"][:3]
    pasted = f"{digital_link(codes[0])}\r\n(8003){codes[1]}\t  {codes[2]}\n"
    page.evaluate("text => navigator.clipboard.writeText(text)", pasted)
    page.get_by_label("Scan or type a code").focus()
    page.keyboard.press("Control+V")
    applied(page, 3)
    expect(page.get_by_label("Scan or type a code")).to_have_value("")
    for code in codes:
        assert [e["event"] for e in events(live, code)] == ["issue"]
    # one code pasted is put in the field, to be sent with Add
    page.evaluate("text => navigator.clipboard.writeText(text)", digital_link(live.world["codes"][3]))
    page.keyboard.press("Control+V")
    expect(page.get_by_label("Scan or type a code")).to_have_value(digital_link(live.world["codes"][3]))
    page.get_by_role("button", name="Add").click()
    applied(page, 4)


def test_full_width_digits_from_a_chinese_input_method_are_the_same_code(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    code = live.world["codes"][0]
    wide = full_width(f"(8003){code}")
    assert wide.startswith("（８００３）０４０")
    page.keyboard.type(wide)  # what the scanner types through the input method
    page.keyboard.press("Enter")
    applied(page, 1)
    assert asset(live, code)["holder"] == "acme"
    expect(page.locator("#counts")).to_contain_text("IBC 1000 L")
    # the page reads every code form, in full width too, as the server does
    forms = [digital_link(code), f"(8003){code}", f"]Q38003{code}\x1d10LOT7", code,
             f"urn:epc:id:grai:4012345.12345.{code[14:]}"]
    parts = page.evaluate("""async forms => {
        const codes = await import('/static/js/codes.js');
        return forms.map(f => codes.graiParts(f));
    }""", forms + [full_width(f) for f in forms])
    assert {(p["digits12"], p["serial"]) for p in parts} == {(code[1:13], code[14:])}


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(f"""() => {{
        const r = document.querySelector({selector!r}).getBoundingClientRect();
        return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 0;
    }}""")


def test_result_stays_in_view_at_360_px_after_five_scans(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    for code in live.world["codes"][:5]:
        page.keyboard.type(digital_link(code) + "\n")
    applied(page, 5)
    result = page.locator("#feedback")
    expect(result).to_be_in_viewport(ratio=1)
    assert in_viewport(page, "#feedback") and in_viewport(page, "#summary") and in_viewport(page, "#code")
    expect(result).to_contain_text("Applied")
    expect(result).to_contain_text("IBC 1000 L")
    expect(result).to_contain_text(live.world["codes"][4][14:])  # the serial, to compare with the label
    expect(result).to_contain_text("The asset is now issued to Acme. Scan the next one.")
    assert page.evaluate("parseFloat(getComputedStyle(document.getElementById('result-word')).fontSize)") >= 24


def run_rule(page, rule: str, context: str = "document") -> list:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
    return page.evaluate(f"""async () => {{
        const r = await axe.run({context}, {{runOnly: {{type: 'rule', values: [{rule!r}]}}}});
        return r.violations.flatMap(v => v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary));
    }}""")


def test_statuses_differ_by_icon_and_word_and_text_reaches_7_to_1(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Receive", "depot-a")
    codes = live.world["codes"]
    page.keyboard.type(digital_link(codes[0]) + "\n")  # in stock, not issued: an anomaly
    page.keyboard.type(digital_link(codes[0]) + "\n")  # again: a double read
    page.keyboard.type("(8003)04012345123456XYZ\n")  # unknown: rejected
    expect(page.locator("#scan-list li")).to_have_count(3)
    expect(page.locator("#queue-count")).to_have_text("0")
    page.context.set_offline(True)
    live.go_offline()
    page.keyboard.type(digital_link(codes[1]) + "\n")  # waiting to send
    expect(page.locator("#scan-list li[data-status='queued']")).to_have_count(1)
    badges = page.evaluate("""() => [...document.querySelectorAll('#scan-list li')].map(li => [
        li.dataset.status, li.querySelector('.badge use').getAttribute('href'), li.querySelector('.badge').textContent])""")
    assert len({icon for _, icon, _ in badges}) == len({word for _, _, word in badges}) == len(badges) == 4, badges
    assert {s for s, _, _ in badges} == {"anomaly", "duplicate", "rejected", "queued"}
    assert run_rule(page, "color-contrast-enhanced") == []
    page.get_by_role("button", name="Change").click()  # the operation tiles and pickers too
    assert run_rule(page, "color-contrast-enhanced") == []
    # every state of the large result area, not just the one on screen now
    for status in ("applied", "queued", "duplicate", "anomaly", "rejected", "error", "info"):
        page.evaluate(f"document.getElementById('feedback').className = 'result {status}'")
        assert run_rule(page, "color-contrast-enhanced", "'#feedback'") == [], status
    live.go_online()
    page.context.set_offline(False)


def test_on_screen_keyboard_can_stay_closed_for_a_hardware_scanner(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    toggle = page.get_by_role("button", name="Hide on-screen keyboard")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.locator("#code").get_attribute("inputmode") == "text"
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.locator("#code").get_attribute("inputmode") == "none"
    assert focused(page) == "code"
    page.reload()  # remembered on this device
    page.wait_for_selector("body[data-scanner-ready]")
    expect(page.get_by_role("button", name="Hide on-screen keyboard")).to_have_attribute("aria-pressed", "true")
    assert page.locator("#code").get_attribute("inputmode") == "none"
    # the field still takes a scanner's keystrokes
    choose(page, "Issue to customer", "depot-a", "acme")
    page.keyboard.type(digital_link(live.world["codes"][0]) + "\n")
    applied(page, 1)
