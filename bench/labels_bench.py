"""Benchmark of PDF label sheets against raw QR generation.

    .venv/bin/python bench/labels_bench.py [--n 10000] [--small 1000] [--repeats 3] [--out FILE]

Every measurement runs in a fresh subprocess (``--worker``) so peak RSS
(ru_maxrss) belongs to that measurement alone. Measurements:

* qr (the baseline): for each of N Digital Link URIs, the qrcode matrix the
  sheet needs: ``qrcode.QRCode(error_correction=Q, border=0)``, ``add_data``,
  ``make(fit=True)`` (version fit + choice of the best of 8 masks),
  ``get_matrix()``; i.e. ``labels.render_qr.qr_matrix``. Nothing is drawn or
  kept.
* sheet: ``labels.label_sheet_pdf`` writing N labels (A4 3x8, logo) to a file,
  specs produced lazily by a generator. Includes the same qr_matrix calls.
* qr and sheet alternate ``--repeats`` times at N; medians are reported and
  the ratio sheet / qr is the cost the sheet adds on top of QR generation.
* memory: sheet at ``--small`` and N labels, ru_maxrss and tracemalloc peak
  (separate runs: tracemalloc slows Python down ~3x, so its runs are not timed).
* alternatives at ``--small`` labels, for the design choice: reportlab
  Canvas drawing the same vector rectangles, and reportlab Canvas embedding one
  PNG per QR symbol (qrcode PIL image, 10 px modules); and reportlab Canvas
  with vectors at N labels to show its memory growth.

Wall and CPU time are both recorded: CPU time (user + system of the worker)
is less disturbed when other processes share the machine.

Prints JSON and writes bench/results/labels.json (or the --out file).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labels.grai import make_grai  # noqa: E402
from labels.layout import SheetLayout, label_boxes, label_spec, module_size_pt  # noqa: E402
from labels.render_pdf import label_sheet_pdf  # noqa: E402
from labels.render_qr import QUIET_ZONE_MODULES, dark_runs, qr_matrix, qr_png  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "labels.json"
BASE_URL = "https://id.example.com"


def _specs(n: int):
    for i in range(n):
        yield label_spec(make_grai("4012345", "12345", f"{i:08d}"), base_url=BASE_URL,
                         asset_type_name="Euro crate 600x400 grey", operator_name="Example Pooling Services GmbH")


def _uris(n: int):
    for i in range(n):
        yield make_grai("4012345", "12345", f"{i:08d}").digital_link(BASE_URL)


def _logo() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (240, 96), (0, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _canvas_sheet(n: int, path: str, *, png: bool) -> int:
    """Same labels through reportlab's Canvas (kept only for comparison)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    layout = SheetLayout.a4_3x8()
    boxes = label_boxes(layout)
    origins = layout.label_origins_pt()
    canvas = Canvas(path, pagesize=(595.2756, 841.8898), pageCompression=1)
    pages = 0
    for i, spec in enumerate(_specs(n)):
        slot = i % len(origins)
        if i and slot == 0:
            canvas.showPage()
            pages += 1
        x0, y0 = origins[slot]
        matrix = qr_matrix(spec.uri)
        module = module_size_pt(boxes, len(matrix), spec.uri)
        quiet = QUIET_ZONE_MODULES * module
        if png:
            image = ImageReader(io.BytesIO(qr_png(spec.uri, module_px=10, border_modules=0)))
            canvas.drawImage(image, x0 + quiet, y0 + quiet, len(matrix) * module, len(matrix) * module)
        else:
            n_mod = len(matrix)
            canvas.saveState()
            canvas.transform(module, 0, 0, module, x0 + quiet, y0 + quiet)
            canvas.addLiteral("".join(f"{c} {n_mod - 1 - r} {k} 1 re\n" for r, c, k in dark_runs(matrix)) + "f")
            canvas.restoreState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(x0 + boxes.text_x_pt, y0 + 80, spec.asset_type_name)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(x0 + boxes.text_x_pt, y0 + 70, spec.operator_name)
        canvas.drawString(x0 + boxes.text_x_pt, y0 + 14, spec.human_readable[:20])
        canvas.drawString(x0 + boxes.text_x_pt, y0 + 5, spec.human_readable[20:])
    canvas.save()
    return pages + 1


def worker(kind: str, n: int, trace: bool) -> dict:
    """One measurement; runs in its own process."""
    rss_start = _maxrss_mib()
    if trace:
        tracemalloc.start()
    path = tempfile.mktemp(suffix=".pdf")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    pages = size = None
    if kind == "qr":
        symbols = 0
        for uri in _uris(n):
            qr_matrix(uri)
            symbols += 1
        assert symbols == n
    elif kind == "sheet":
        with open(path, "wb") as out:
            pages = label_sheet_pdf(_specs(n), SheetLayout.a4_3x8(logo_png=_logo()), out)
    elif kind in ("canvas_vector", "canvas_png"):
        pages = _canvas_sheet(n, path, png=kind == "canvas_png")
    else:
        raise SystemExit(f"unknown worker {kind}")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    result = {"kind": kind, "labels": n, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
              "ms_per_label": round(wall * 1000 / n, 3),
              "maxrss_start_mib": round(rss_start, 1), "maxrss_mib": round(_maxrss_mib(), 1)}
    if trace:
        result["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
        tracemalloc.stop()
    if pages is not None:
        size = os.path.getsize(path)
        result.update(pages=pages, pdf_bytes=size, bytes_per_label=round(size / n))
    if os.path.exists(path):
        os.unlink(path)
    return result


def run(kind: str, n: int, trace: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--n", str(n)] + (["--trace"] if trace else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    print(json.dumps(result), file=sys.stderr)  # progress
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON result (default: %(default)s)")
    ap.add_argument("--worker")
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.trace)))
        return

    timed = {"qr": [], "sheet": []}
    for _ in range(args.repeats):
        for kind in ("qr", "sheet"):  # alternate so drifts hit both alike
            timed[kind].append(run(kind, args.n))
    memory = {
        "sheet_small": run("sheet", args.small),
        "sheet_small_traced": run("sheet", args.small, trace=True),
        "sheet_n_traced": run("sheet", args.n, trace=True),
        "canvas_vector_small": run("canvas_vector", args.small),
        "canvas_vector_n": run("canvas_vector", args.n),
    }
    alternatives = {
        "sheet_vector_streaming": memory["sheet_small"],
        "canvas_vector": memory["canvas_vector_small"],
        "canvas_png": run("canvas_png", args.small),
    }
    result = _summary(args, timed, memory, alternatives)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _summary(args: argparse.Namespace, timed: dict, memory: dict, alternatives: dict) -> dict:
    """The result document: medians, ratios and memory figures from the raw runs."""
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in timed.items()}
    med_cpu = {k: statistics.median(r["cpu_s"] for r in v) for k, v in timed.items()}
    sheet_runs = timed["sheet"]
    return {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "labels": args.n,
        "repeats": args.repeats,
        "median_wall_s": {"qr_baseline": med["qr"], "sheet": med["sheet"]},
        # CPU time is less disturbed than wall time when other work shares the machine.
        "median_cpu_s": {"qr_baseline": med_cpu["qr"], "sheet": med_cpu["sheet"]},
        "sheet_over_qr_ratio": round(med["sheet"] / med["qr"], 3),
        "sheet_over_qr_cpu_ratio": round(med_cpu["sheet"] / med_cpu["qr"], 3),
        "sheet_overhead_pct": round((med["sheet"] / med["qr"] - 1) * 100, 1),
        "target_overhead_pct": 50,
        "median_ms_per_label": {"qr_baseline": round(med["qr"] * 1000 / args.n, 3),
                                "sheet": round(med["sheet"] * 1000 / args.n, 3)},
        "sheet_pdf_bytes": sheet_runs[0]["pdf_bytes"],
        "sheet_pages": sheet_runs[0]["pages"],
        "memory": {
            "sheet_maxrss_mib": {str(args.small): memory["sheet_small"]["maxrss_mib"],
                                 str(args.n): statistics.median(r["maxrss_mib"] for r in sheet_runs)},
            "qr_baseline_maxrss_mib": {str(args.n): statistics.median(r["maxrss_mib"] for r in timed["qr"])},
            "sheet_tracemalloc_peak_mib": {str(args.small): memory["sheet_small_traced"]["tracemalloc_peak_mib"],
                                           str(args.n): memory["sheet_n_traced"]["tracemalloc_peak_mib"]},
            "reportlab_canvas_maxrss_mib": {str(args.small): memory["canvas_vector_small"]["maxrss_mib"],
                                            str(args.n): memory["canvas_vector_n"]["maxrss_mib"]},
        },
        "alternatives_at_small": alternatives,
        "runs": timed,
    }


if __name__ == "__main__":
    main()
