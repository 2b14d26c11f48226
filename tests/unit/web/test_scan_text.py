"""The scanner's scripts and the table of their texts the page hands over
(app/web/scan_text.py) name the same English texts, so no sentence of the scanner stays
English on a Chinese page and the table holds nothing the scripts no longer say."""
from __future__ import annotations

import re
from pathlib import Path

from app.web.scan_text import SCRIPT_TEXTS

JS = Path(__file__).resolve().parents[3] / "app" / "web" / "static" / "js"
# t( called as a function of its own, not a method (x.t) or a longer name (start(t))
CALL = re.compile(r"(?<![\w.$])t\(")
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
COMMENT_LINE = re.compile(r"^\s*//.*$", re.MULTILINE)


def translated_scripts() -> list[Path]:
    return sorted(p for p in JS.glob("*.js") if 'from "./i18n.js"' in p.read_text())


def texts_called(source: str, where: str) -> set[str]:
    """The first argument of every t() call, which must be a string literal."""
    found = set()
    source = COMMENT_LINE.sub("", source)
    for call in CALL.finditer(source):
        literal = LITERAL.match(source, call.end())
        assert literal, f"{where}: t() needs the English text itself, got {source[call.end():call.end() + 40]!r}"
        found.add(literal.group(1).replace('\\"', '"'))
    return found


def test_the_scanner_scripts_translate_through_i18n():
    names = {p.name for p in translated_scripts()}
    assert {"scan.js", "setup.js", "camera.js", "text.js", "view.js"} <= names


def test_every_text_of_the_scripts_is_handed_over_and_nothing_else():
    called = set()
    for path in translated_scripts():
        called |= texts_called(path.read_text(), path.name)
    assert called - set(SCRIPT_TEXTS) == set(), "add these to app/web/scan_text.py"
    assert set(SCRIPT_TEXTS) - called == set(), "no script says these any more"
    assert len(SCRIPT_TEXTS) == len(set(SCRIPT_TEXTS))


def test_the_scanner_has_no_untranslated_text_table_left():
    for path in translated_scripts():
        source = path.read_text()
        assert "scan-text" not in source, path.name
        assert not re.search(r'\bt\("[a-z_]+\.[a-z_]+"', source), f"{path.name} still uses text keys"
