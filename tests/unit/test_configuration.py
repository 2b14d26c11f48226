"""Every setting is read in one place (app/platform/config.py) and documented in README.md."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""env_(?:str|int|bool|datetime)\(\s*["']([A-Z0-9_]+)["']""")


def settings_read() -> set[str]:
    return set(READ.findall((ROOT / "app" / "platform" / "config.py").read_text()))


def readme_table() -> set[str]:
    text = (ROOT / "README.md").read_text()
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return {name for line in table.splitlines() if line.startswith("| `")
            for name in re.findall(r"`([A-Z0-9_]+)`", line.split("|")[1])}


def test_every_setting_is_in_the_readme_configuration_table():
    read = settings_read()
    assert {"DATABASE_URL", "MAX_BATCH_SCANS", "SIGNING_KEY_FILE", "SQL_ECHO"} <= read
    assert read - readme_table() == set(), "settings missing from the README configuration table"
    assert readme_table() - read == set(), "README documents variables the service does not read"


def test_the_service_reads_the_environment_only_through_settings():
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if path.name == "config.py" and path.parent.name == "platform":
            continue
        source = path.read_text()
        if re.search(r"os\.environ|os\.getenv|\benv_(?:str|int|bool)\(", source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
