"""`flask --app wsgi labels sheet|reprint`: real PDFs decoded with zbar, and bad input refused cleanly."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labels.layout import SheetLayout
from tests.conftest import DATABASE_URL, REDIS_URL
from tests.integration.test_labels_api import assert_sheet, digital_link, label_prints, logo_b64, stored_state

ROOT = Path(__file__).resolve().parents[2]


def invoke(app, *args):
    # `flask` (FlaskGroup) pushes an app context for every command; the test runner does not
    with app.app_context():
        return app.test_cli_runner().invoke(args=["labels", *args])


def test_sheet_registers_and_writes_a_decodable_pdf(app, world, tmp_path):
    out = tmp_path / "out" / "crates.pdf"
    out.parent.mkdir()
    result = invoke(app, "sheet", "--type", "ibc", "--count", "30", "--out", str(out), "--site", "depot-b")
    assert result.exit_code == 0, result.output
    codes = result.stdout.split()
    assert len(codes) == 30 and [c[14:] for c in codes] == [str(n).zfill(8) for n in range(21, 51)]
    assert "registered 30 ibc assets" in result.stderr and "wrote 2 page(s)" in result.stderr
    assert os.listdir(out.parent) == ["crates.pdf"]  # no temporary file left
    assert_sheet(out.read_bytes(), SheetLayout.a4_3x8(), [digital_link(app, c) for c in codes], tmp_path / "r")
    assert stored_state(app)["next_serial"]["ibc"] == 51


def test_sheet_by_grai_digits_on_the_smallest_labels_with_logo(app, world, tmp_path):
    import base64

    logo = tmp_path / "logo.png"
    logo.write_bytes(base64.b64decode(logo_b64()))
    out = tmp_path / "small.pdf"
    result = invoke(app, "sheet", "--type", "12345", "--count", "45", "--out", str(out), "--preset", "a4-smallest",
                    "--logo", str(logo))
    assert result.exit_code == 0, result.output
    codes = result.stdout.split()
    assert len(codes) == 45
    assert_sheet(out.read_bytes(), SheetLayout.a4_smallest(), [digital_link(app, c) for c in codes], tmp_path / "r")


def test_reprint_keeps_the_code_and_counts_the_reprint(app, client, world, tmp_path):
    codes = world["codes"][:3]
    out = tmp_path / "reprint.pdf"
    result = invoke(app, "reprint", codes[0], f"(8003){codes[1]}", digital_link(app, codes[2]), "--out", str(out),
                    "--preset", "letter-2x5")
    assert result.exit_code == 0, result.output
    assert "reprinted 3 label(s)" in result.stderr
    assert_sheet(out.read_bytes(), SheetLayout.letter_2x5(), [digital_link(app, c) for c in codes], tmp_path / "r")
    assert label_prints(app, codes) == [1, 1, 1]
    before = stored_state(app)
    assert invoke(app, "reprint", codes[0], "--out", str(out)).exit_code == 0  # overwrites the earlier file
    assert label_prints(app, codes) == [2, 1, 1]
    assert stored_state(app)["assets"] == before["assets"]


def _ambiguous_type(app):
    from app.catalog import services as catalog

    with app.app_context():
        catalog.create("asset_type", {"id": "ibc-other", "name": "IBC (other pool)", "company_prefix": "4098765",
                                      "grai_asset_type": "12345", "tare_mass_kg": 70.0})


@pytest.mark.parametrize("args, option, words", [
    (["--type", "nope", "--count", "3"], "--type", "unknown asset type"),
    (["--type", "12345", "--count", "3"], "--type", "use the asset type id"),  # ambiguous once two types share it
    (["--type", "ibc", "--count", "0"], "--count", "between 1 and 10000"),
    (["--type", "ibc", "--count", "10001"], "--count", "between 1 and 10000"),
    (["--type", "ibc", "--count", "three"], "--count", "not a valid integer"),
    (["--type", "ibc", "--count", "3", "--site", "acme-site"], "--site", "unknown depot"),
    (["--type", "ibc", "--count", "3", "--preset", "a5"], "--preset", "a5"),
    (["--type", "ibc", "--count", "3", "--out", "{tmp}/missing/x.pdf"], "--out", "does not exist"),
    (["--type", "ibc", "--count", "3", "--out", "{tmp}"], "--out", "directory"),
    (["--type", "ibc", "--count", "3", "--logo", "{tmp}/broken.png"], "--logo", "PNG"),
    (["--count", "3"], "--type", "Missing option"),
])
def test_sheet_bad_input_names_the_option_and_writes_nothing(app, world, tmp_path, args, option, words):
    _ambiguous_type(app)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    args = [a.format(tmp=tmp_path) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "x.pdf")]
    before = stored_state(app)
    listing = sorted(os.listdir(tmp_path))
    result = invoke(app, "sheet", *args)
    assert result.exit_code != 0
    assert option in result.stderr and words in result.stderr, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert sorted(os.listdir(tmp_path)) == listing
    assert stored_state(app) == before


@pytest.mark.parametrize("codes, words", [
    (["{c0}", "NOPE-1"], "'CODE' #2"),
    (["(8003)0401234512345700000001"], "'CODE' #1"),
])
def test_reprint_unknown_code_writes_nothing(app, world, tmp_path, codes, words):
    before = stored_state(app)
    out = tmp_path / "r.pdf"
    result = invoke(app, "reprint", *[c.format(c0=world["codes"][0]) for c in codes], "--out", str(out))
    assert result.exit_code != 0 and words in result.stderr, result.output
    assert "Traceback" not in result.output
    assert not out.exists() and os.listdir(tmp_path) == []
    assert stored_state(app) == before


def test_reprint_failing_mid_sheet_leaves_no_file(app, world, tmp_path):
    # A resolver URL too long for the smallest label: the first label fails after the
    # PDF header went to the temporary file, which must disappear.
    app.config["SETTINGS"].resolver_base_url = "https://resolver.example.org/" + "digital-link/" * 10
    out = tmp_path / "r.pdf"
    before = stored_state(app)
    result = invoke(app, "reprint", *world["codes"][:2], "--out", str(out), "--preset", "a4-smallest")
    assert result.exit_code != 0 and "'CODE' #1" in result.stderr and "taller label" in result.stderr, result.output
    assert os.listdir(tmp_path) == []
    assert stored_state(app) == before


def test_reprint_needs_a_code(app, world, tmp_path):
    result = invoke(app, "reprint", "--out", str(tmp_path / "r.pdf"))
    assert result.exit_code != 0 and "CODE" in result.stderr


def test_cli_as_a_subprocess(app, world, tmp_path):
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL}
    out = tmp_path / "sub.pdf"
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "labels", "sheet", "--type", "ibc",
                           "--count", "25", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.split()) == 25 and "pages" in done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    bad = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "labels", "sheet", "--type", "ibc",
                          "--count", "0", "--out", str(tmp_path / "bad.pdf")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode != 0 and "--count" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad.pdf").exists()
