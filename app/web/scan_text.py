"""Every text the scanner's scripts show (static/js/scan.js, setup.js, camera.js, text.js,
view.js), translated when the page is rendered.

The scripts call `t("English text", {name: value})` (static/js/i18n.js); the page hands
them this table, English text -> text in the page's language, in its #i18n data block,
so the scanner keeps speaking the page's language offline. A text the table lacks stays
English: tests/unit/web/test_scan_text.py checks that the table and the scripts' `t()`
calls name the same texts.

Translated here rather than with `_()` in the template because a template's `_()` fills
in its `%(placeholders)s` at once, and these are filled in by the script.
"""
from __future__ import annotations

from app.platform.i18n import _


def N_(message: str) -> str:
    """Marks `message` for the catalog (Babel's N_ keyword); it is translated per request."""
    return message


SCRIPT_TEXTS = (
    # a scan's status, with its icon (view.js)
    N_("Waiting to send"), N_("Applied"), N_("Duplicate"), N_("Anomaly"), N_("Rejected"), N_("Not recorded"),
    N_("Note"),
    # what happened and what to do (text.js)
    N_("Ready: scan a code."),
    N_("Saved on this phone and being sent."),
    N_("Saved on this phone. It is sent when the connection is back; keep scanning."),
    N_("%(operation)s recorded. The asset is now %(state)s. Scan the next one."),
    N_("%(operation)s recorded. Scan the next one."),
    N_("Already scanned for %(operation)s at %(time)s, so not sent again. Scan the next one."),
    N_("This scan was already recorded; nothing more to do. Scan the next one."),
    N_("Recorded by an earlier attempt; nothing more to do. Scan the next one."),
    N_("Recorded, but it does not fit the asset's history: %(reason)s. The office will check it; carry on scanning."),
    N_("Recorded, but %(operation)s was not expected: the records say the asset is %(state)s. The office will check "
       "it; carry on scanning."),
    N_("Recorded, but this asset was retired (scrapped or recycled). Put it aside and tell the office."),
    N_("Recorded, but the asset was issued to %(issued)s, not to %(delivered)s. The office will check it; carry on "
       "scanning."),
    N_("Recorded, but %(customer)s already holds this asset. The office will check it; carry on scanning."),
    N_("This code is not registered. Put the asset aside and ask the office to register it."),
    N_("This is not a readable asset code (%(detail)s). Scan the label again, or type the code printed under the QR "
       "code."),
    N_("This site cannot be used for %(operation)s. Choose another site, then scan again."),
    N_("The customer is missing or unknown. Choose the customer, then scan again."),
    N_("The phone's date or time is wrong. Correct it in the phone's settings, then scan again."),
    N_("You may not record %(operation)s. Ask the office."),
    N_("Not accepted: %(detail)s. Scan again, or ask the office."),
    N_("no reason given"),
    # where the asset is now (text.js)
    N_("a customer"), N_("in stock, ready to issue"), N_("on its way to another depot"), N_("issued to %(customer)s"),
    N_("at %(customer)s"), N_("on its way back to a depot"), N_("back at the depot, to be cleaned"),
    N_("clean, waiting for inspection"), N_("damaged, waiting for repair"), N_("repaired, waiting for inspection"),
    N_("declared lost"), N_("retired (scrapped or recycled)"),
    # choosing the operation, site and customer (setup.js)
    N_("Choose an operation first. Nothing was recorded; the code stays in the field, press Add when ready."),
    N_("Choose the site first. Nothing was recorded; the code stays in the field, press Add when ready."),
    N_("Choose the customer first. Nothing was recorded; the code stays in the field, press Add when ready."),
    N_("Choose an operation first"), N_("Choose a depot"), N_("Choose a customer site"),
    N_("No sites known yet (go online)"), N_("Choose the customer"),
    # undo, clear, camera, connection, sign-out (scan.js, camera.js)
    N_("Nothing to undo."),
    N_("The last scan is being sent right now; try again in a moment."),
    N_("Removed: %(code)s (%(operation)s); it was not recorded."),
    N_("Already recorded: %(code)s (%(operation)s). Recorded scans cannot be removed; scan the asset again with the "
       "operation that matches where it is (for example, receive it back)."),
    N_("Undo asked: already recorded, scan again with the correct operation."),
    N_("List cleared. Waiting scans stay until they are sent."),
    N_("Nothing to clear."),
    N_("The camera could not be opened. Allow the camera for this page, or type the code."),
    N_("The camera decoder could not be loaded. Go online once, or type the code."),
    N_("Online"), N_("Offline: scans are kept on this phone"), N_("Server problem (%(status)s): will retry"),
    N_("Signed out."), N_("Sign in again"), N_("to send the waiting scans (%(count)s)."),
    N_("Scans not sent yet: %(count)s. They stay on this phone and are sent when you sign in again. Sign out?"),
    # the result area, the list and the counts (view.js)
    N_("Serial %(serial)s"), N_("Other / not yet known"), N_("No scans yet."),
)


def script_texts() -> dict[str, str]:
    """English text -> its translation in this request's language."""
    return {text: _(text) for text in SCRIPT_TEXTS}
