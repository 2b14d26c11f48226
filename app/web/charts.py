"""Small inline SVG charts drawn on the server (no chart library, nothing loaded at run time).

Each chart is an <svg role="img"> with a title and description; the pages also render
the same numbers as a table, which is what screen readers and keyboard users get.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from app.platform.i18n import _

WIDTH, HEIGHT = 480, 250
PAD_L, PAD_R, PAD_T, PAD_B = 40, 12, 14, 46
INK, GRID, SERIES = "#1a1f24", "#c9d1d9", ("#0b4f8a", "#b34700")
# The widest slot a label's bars get: one month's bar reads as a bar, not a filled plot.
MAX_SLOT = 96


def _nice_max(value: float) -> float:
    """The top of the y axis: four equal, round (integer for counts) steps above `value`."""
    raw_step = max(value, 1) / 4
    magnitude = 10 ** (len(str(int(raw_step))) - 1)
    for m in (1, 2, 3, 4, 5, 6, 8, 10):
        step = m * magnitude
        if step >= raw_step:
            return step * 4
    return 40 * magnitude  # pragma: no cover - the loop always ends at 10 * magnitude >= raw_step


def _frame(title: str, desc: str, y_max: float, labels: list[str], x_of, body: list[str], uid: str,
           y_min: float = 0.0) -> Markup:
    plot_h = HEIGHT - PAD_T - PAD_B
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{uid}-t {uid}-d" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, sans-serif" font-size="14">',
             f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>']
    steps = 8 if y_min < 0 else 4  # a negative range mirrors the positive one
    for i in range(steps + 1):
        v = y_min + (y_max - y_min) * i / steps
        y = PAD_T + plot_h - plot_h * i / steps
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{WIDTH - PAD_R}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{v:g}</text>')
    every = max(1, -(-len(labels) // 5))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{x_of(i):.1f}" y="{HEIGHT - PAD_B + 18}" text-anchor="middle" fill="{INK}">'
                         f'{escape(label)}</text>')
    parts += body
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(uid: str, title: str, labels: list[str], values: list[float]) -> Markup:
    y_max = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    n = max(len(values) - 1, 1)

    def x_of(i):  # a single point stands in the middle, clear of the axis labels
        return PAD_L + (plot_w * i / n if len(values) > 1 else plot_w / 2)

    def y_of(v):
        return PAD_T + plot_h - plot_h * v / y_max

    points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
    body = [f'<polyline fill="none" stroke="{SERIES[0]}" stroke-width="2.5" points="{points}"/>']
    body += [f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3" fill="{SERIES[0]}"/>' for i, v in enumerate(values)]
    desc = _("%(n)d points from %(first)s to %(last)s; last value %(value)s.", n=len(values), first=labels[0],
             last=labels[-1], value=format(values[-1], "g")) if values else _("No data.")
    return _frame(title, desc, y_max, labels, x_of, body, uid)


def bar_chart(uid: str, title: str, labels: list[str], series: list[tuple[str, list[float]]]) -> Markup:
    """Bars from the zero line; negative values (e.g. avoided emissions below zero, which
    a certificate may honestly show) hang below it on a mirrored axis."""
    values_all = [v for _name, vs in series for v in vs]
    top = _nice_max(max([abs(v) for v in values_all], default=0))
    y_max, y_min = top, (-top if any(v < 0 for v in values_all) else 0.0)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def y_of(v):
        return PAD_T + plot_h * (y_max - v) / (y_max - y_min)

    slot = min(plot_w / max(len(labels), 1), MAX_SLOT)
    left = PAD_L + (plot_w - slot * len(labels)) / 2  # few labels: their bars centred
    bar_w = slot * 0.8 / max(len(series), 1)

    def x_of(i):
        return left + slot * (i + 0.5)

    body = []
    for s, (name, values) in enumerate(series):
        for i, v in enumerate(values):
            top_y, bottom_y = sorted((y_of(v), y_of(0)))
            x = left + slot * i + slot * 0.1 + bar_w * s
            body.append(f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{bar_w:.1f}" height="{bottom_y - top_y:.1f}" '
                        f'fill="{SERIES[s % len(SERIES)]}"><title>{escape(name)} {escape(labels[i])}: {v:g}</title></rect>')
    for s, (name, _values) in enumerate(series):
        x = PAD_L + s * 130
        body.append(f'<rect x="{x}" y="{HEIGHT - 15}" width="13" height="13" fill="{SERIES[s % len(SERIES)]}"/>'
                    f'<text x="{x + 16}" y="{HEIGHT - 4}" fill="{INK}">{escape(name)}</text>')
    desc = "; ".join(_("%(name)s: total %(total)s", name=name, total=format(sum(values), "g"))
                     for name, values in series)
    return _frame(title, desc, y_max, labels, x_of, body, uid, y_min)
