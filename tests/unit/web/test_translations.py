"""The translation catalogs: every string the pages, page messages and PDFs show has a
Simplified Chinese translation, and the compiled catalog the service reads is that of
the committed .po file."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "app"
TRANSLATIONS = APP / "translations"
PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# The keywords besides Babel's own (_, gettext, ngettext, pgettext, ...), as scripts/translations.sh passes them.
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
TAG = re.compile(r"</?\w+")


def extracted() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> where, for every translatable string in app/."""
    with open(TRANSLATIONS / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            APP, method_map, options_map, keywords=DEFAULT_KEYWORDS | EXTRA_KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        found[(context, msgid)] = f"{filename}:{lineno}"
    return found


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as f:
        return read_po(f)


def test_the_script_extracts_with_the_same_keywords():
    script = (ROOT / "scripts" / "translations.sh").read_text()
    assert "-k _l -k lazy_gettext -k lazy_pgettext:1c,2" in script


def test_the_pages_have_strings_to_translate():
    found = extracted()
    assert len(found) > 300
    # templates, form labels, page messages, error pages and PDFs are all extracted
    for msgid in ("Sign in", "Movements statement", "Low-stock threshold", "Wrong email or password.",
                  "Page not found", "Movements statement: %(customer)s", "By asset type"):
        assert (None, msgid) in found, msgid
    assert ("asset state", "Received") in found


def test_every_string_has_a_chinese_translation(catalog):
    problems = []
    for (context, msgid), where in sorted(extracted().items(), key=lambda item: item[1]):
        message = catalog.get(msgid, context=context)
        if message is None:
            problems.append(f"{where}: not in {PO.relative_to(ROOT)}: {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings) or message.fuzzy:
            problems.append(f"{where}: {'fuzzy' if message.fuzzy else 'untranslated'}: {msgid!r}")
    assert not problems, "run scripts/translations.sh update and translate:\n" + "\n".join(problems)


def test_translations_keep_placeholders_and_markup(catalog):
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in strings:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                problems.append(f"placeholders differ: {source!r} -> {translated!r}")
            if sorted(TAG.findall(source)) != sorted(TAG.findall(translated)):
                problems.append(f"markup differs: {source!r} -> {translated!r}")
    assert not problems, "\n".join(problems)


def test_the_catalog_has_no_strings_the_code_no_longer_uses(catalog):
    found = extracted()
    stale = [m.id for m in catalog if m.id and (m.context, m.id[0] if isinstance(m.id, tuple) else m.id) not in found]
    assert not stale, f"run scripts/translations.sh update: {stale}"


def test_the_compiled_catalog_is_up_to_date(catalog):
    assert MO.exists(), f"{MO.relative_to(ROOT)} missing: run scripts/translations.sh compile (setup-venv.sh does)"
    with open(MO, "rb") as f:
        compiled = read_mo(f)
    def entries(messages) -> dict:
        return {(m.context, _plain(m.id)): _plain(m.string) for m in messages if m.id and not m.fuzzy}

    assert entries(compiled) == entries(catalog), \
        "the .mo file is older than the .po file: run scripts/translations.sh compile"


def _plain(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value
