"""Certificate PDF (rasterised, QR decoded), the CLI, and the signing key's life cycle."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATABASE_URL, REDIS_URL, auth
from tests.integration.test_certificates import (MONTH, URL, admin, issue, key_file, month_data, readable,  # noqa: F401
                                                 signing_key)

ROOT = Path(__file__).resolve().parents[2]


def test_pdf_is_valid_and_its_qr_opens_the_verify_page(app, client, admin, month_data, tmp_path):  # noqa: F811
    serial = issue(client, admin, customer="acme")["serials"][0]
    r = client.get(f"{URL}/{serial}.pdf", headers=admin)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = r.get_data()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "poppler-utils missing: scripts/test.sh installs it"
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for needle in (serial, "ISO 14067", "WBCSD", "not an offset", "Crate 600x400", "not credited", "VALID"):
        assert needle in text, needle
    import pyzbar.pyzbar as pyzbar
    from PIL import Image

    decoded = [d.data.decode() for p in pages for d in pyzbar.decode(Image.open(p))]
    base = app.config["SETTINGS"].public_base_url.rstrip("/")
    assert f"{base}/verify/{serial}" in decoded
    # re-issued: the old PDF now says superseded
    new = issue(client, admin, customer="acme")["serials"][0]
    (tmp_path / "old.pdf").write_bytes(client.get(f"{URL}/{serial}.pdf", headers=admin).get_data())
    if shutil.which("pdftotext"):
        old_text = subprocess.run(["pdftotext", str(tmp_path / "old.pdf"), "-"], capture_output=True, text=True).stdout
        assert "SUPERSEDED" in old_text and new in old_text


def invoke(app, *args):
    # `flask` (FlaskGroup) pushes an app context for every command; the test runner does not
    with app.app_context():
        return app.test_cli_runner().invoke(args=["certificates", *args])


def test_cli_issues_every_customer_and_the_operator_summary(app, client, admin, month_data):  # noqa: F811
    result = invoke(app, "issue", "--month", MONTH)
    assert result.exit_code == 0, result.output
    first = result.stdout.split()
    assert [readable(s) for s in first] == ["CO2-2026-09-ACME-R1", "CO2-2026-09-GLOBEX-R1", "CO2-2026-09-OPERATOR-R1"]
    result = invoke(app, "issue", "--month", MONTH, "--customer", "globex")
    assert result.exit_code == 0, result.output
    assert [readable(s) for s in result.stdout.split()] == ["CO2-2026-09-GLOBEX-R2"]
    assert client.get(f"{URL}/{first[1]}", headers=admin).get_json()["status"] == "superseded"


@pytest.mark.parametrize("args, option, words", [
    (["--month", "2026-13"], "--month", "YYYY-MM"),
    (["--month", "sept"], "--month", "YYYY-MM"),
    (["--month", "2099-01"], "--month", "future"),
    (["--month", MONTH, "--customer", "nobody"], "--customer", "unknown customer"),
    ([], "--month", "Missing option"),
])
def test_cli_bad_input_names_the_option(app, world, args, option, words):
    result = invoke(app, "issue", *args)
    assert result.exit_code != 0
    assert option in result.stderr and words in result.stderr, result.output


def test_cli_as_a_subprocess(app, world, key_file):  # noqa: F811
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "SIGNING_KEY_FILE": str(key_file)}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "certificates", "issue", "--month", MONTH,
                           "--customer", "acme"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [readable(s) for s in done.stdout.split()] == ["CO2-2026-09-ACME-R1"]
    bad = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "certificates", "issue", "--month", "2026-9"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--month" in bad.stderr


def test_signing_key_is_created_once_with_mode_0600(app, tmp_path):
    from app.certificates import signing

    path = tmp_path / "instance" / "signing-key.pem"
    first = signing.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = signing.load_or_create(path)
    assert first.key_id == again.key_id and len(first.key_id) == 64
    assert list(path.parent.iterdir()) == [path]  # no temporary files left behind
    with app.app_context():
        app.config["SIGNING_KEY_FILE"] = None
        app.instance_path = str(tmp_path / "inst2")
        key = signing.current_key()
        assert Path(key.path) == tmp_path / "inst2" / "signing-key.pem"
        assert signing.current_key() is key


def test_signing_key_file_is_a_setting_read_at_start_up(settings, key_file, tmp_path, monkeypatch):  # noqa: F811
    from dataclasses import replace

    from app import create_app
    from app.platform.config import Settings
    from app.certificates import signing

    monkeypatch.setenv("SIGNING_KEY_FILE", str(key_file))
    assert Settings().signing_key_file == str(key_file)
    configured = create_app({"SETTINGS": replace(settings, signing_key_file=str(key_file)), "TESTING": True})
    missing = tmp_path / "missing" / "signing-key.pem"
    monkeypatch.setenv("SIGNING_KEY_FILE", str(missing))  # too late: the app read its settings
    with configured.app_context():
        assert signing.current_key().path == str(key_file)
    absent = create_app({"SETTINGS": replace(settings, signing_key_file=str(missing)), "TESTING": True})
    with absent.app_context(), pytest.raises(RuntimeError, match="does not exist"):
        signing.current_key()
    assert not missing.parent.exists()  # a configured key is never generated
    for each in (configured, absent):
        each.extensions["engine"].dispose()


def test_public_key_endpoint_needs_no_auth(client, world):
    r = client.get(f"{URL}/public-key")
    assert r.status_code == 200
    body = r.get_json()
    assert body["algorithm"] == "Ed25519" and body["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert len(body["key_id"]) == 64


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/certificates", "/api/v1/certificates/{serial}", "/api/v1/certificates/{serial}.pdf",
                 "/api/v1/certificates/{serial}.json", "/api/v1/certificates/verify", "/api/v1/certificates/public-key"):
        assert path in paths, path
    assert paths["/api/v1/certificates/verify"]["post"]["security"] == []


def test_queued_when_a_worker_listens(app, client, admin, world, monkeypatch):
    from app.platform import jobs

    monkeypatch.setattr(jobs, "worker_listening", lambda: True)
    r = client.post(URL, json={"month": MONTH, "customer": "acme"}, headers=admin)
    assert r.status_code == 202, r.get_json()
    job_id = r.get_json()["job_id"]
    assert r.get_json()["mode"] == "queued" and job_id
    state = client.get(f"{URL}/jobs/{job_id}", headers=admin).get_json()
    assert state["status"] == "queued"
    # a worker would run the job; run it here with the same function
    from rq import Queue, SimpleWorker

    from app.platform import redis_store

    with app.app_context():
        SimpleWorker([Queue(jobs.QUEUE, connection=redis_store.client())], connection=redis_store.client()).work(burst=True)
    state = client.get(f"{URL}/jobs/{job_id}", headers=admin).get_json()
    assert state["status"] == "finished" and [readable(s) for s in state["serials"]] == ["CO2-2026-09-ACME-R1"]
    assert client.get(f"{URL}/jobs/nope", headers=admin).status_code == 404
