"""Every figure as a bar chart (SVG written by hand, no plotting module): one row per measured
thing, ours beside each reference it was measured against in the same run (the C librdkafka
client, the Python peer, or another named reference), bars scaled within the row (units
differ between rows), each bar labelled with its value, and the goal with whether it was met."""

from xml.sax.saxutils import escape

from report import number

WIDTH = 1180
LABEL_WIDTH = 390
BAR_WIDTH = 430
BAR_HEIGHT = 11
ROW_GAP = 9
COLOURS = {"ours": "#2b6cb0", "c": "#4a5568", "peer": "#dd6b20", "other": "#a0aec0"}


def reference_kind(name):
    lowered = name.lower()
    if "c librdkafka" in lowered or lowered.startswith("c ") or "+ transport floor" in lowered:
        return "c"
    if "peer" in lowered or "python" in lowered or "awslambdaric" in lowered:
        return "peer"
    return "other"


def rows(figures):
    """Figures sharing a name and unit (ours next to C, then next to the peer) become one row."""
    ordered, by_name = [], {}
    for figure in figures:
        if figure.ours is None:
            continue
        row = by_name.get((figure.name, figure.unit))
        if row is None:
            shared = any(other.name == figure.name and other.unit != figure.unit for other in figures)
            name = f"{figure.name}, {figure.unit}" if shared else figure.name
            row = {"name": name, "unit": figure.unit, "ours": figure.ours, "references": [], "goals": []}
            by_name[(figure.name, figure.unit)] = row
            ordered.append(row)
        if figure.reference is not None:
            row["references"].append((figure.reference_name, figure.reference))
        if figure.goal:
            row["goals"].append((figure.goal, figure.goal_met))
    return ordered


def text(x, y, content, size=12, anchor="start", colour="#1a202c", weight="normal"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}" '
            f'font-weight="{weight}">{escape(str(content))}</text>')


def svg(figures, title, subtitle):
    body, y = [], 64
    for row in rows(figures):
        bars = [("ours", row["ours"], "ours")] + [(name, value, reference_kind(name)) for name, value in row["references"]]
        scale = max((value for _, value, _ in bars if value and value > 0), default=1)
        body.append(text(8, y + BAR_HEIGHT, row["name"], weight="bold"))
        goal_y = y + BAR_HEIGHT
        y += BAR_HEIGHT + 5
        for goal, met in row["goals"]:
            colour = {True: "#276749", False: "#c53030", None: "#4a5568"}[met]
            verdict = {True: "met", False: "missed", None: ""}[met]
            body.append(text(LABEL_WIDTH + BAR_WIDTH + 110, goal_y, f"goal {goal} {verdict}".strip(), 11,
                             colour=colour))
            goal_y += BAR_HEIGHT + 2
        unit = row["unit"]
        for label, value, kind in bars:
            tooltip = escape(f"{label}: {number(value)} {unit}")
            length = max(1.0, BAR_WIDTH * (value / scale)) if value and value > 0 else 1.0
            body.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                        f'fill="{COLOURS[kind]}"><title>{tooltip}</title></rect>')
            body.append(text(LABEL_WIDTH + length + 4, y + BAR_HEIGHT - 1, f"{number(value)} {unit}", 10))
            body.append(text(LABEL_WIDTH - 6, y + BAR_HEIGHT - 1, label if kind != "ours" else "ours", 10, "end",
                             COLOURS[kind]))
            y += BAR_HEIGHT + 2
        y = max(y, goal_y - BAR_HEIGHT) + ROW_GAP
        body.append(f'<line x1="8" x2="{WIDTH - 8}" y1="{y - ROW_GAP / 2:.1f}" y2="{y - ROW_GAP / 2:.1f}" '
                    f'stroke="#e2e8f0"/>')
    height = y + 24
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
            text(8, 22, title, 16, weight="bold"), text(8, 42, subtitle, 11, colour="#4a5568")]
    legend_x = WIDTH - 330
    for kind, label in (("ours", "ours"), ("c", "C librdkafka"), ("peer", "Python peer"), ("other", "other")):
        head.append(f'<rect x="{legend_x}" y="12" width="12" height="12" fill="{COLOURS[kind]}"/>')
        head.append(text(legend_x + 16, 22, label, 11))
        legend_x += 24 + 7 * len(label)
    return "\n".join(head + body + ["</svg>", ""])


def write_svg(path, figures, title, subtitle):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(svg(figures, title, subtitle))


class _Stored:
    """A figure read back from bench.json."""

    def __init__(self, entry):
        for field in ("name", "unit", "ours", "reference", "reference_name", "goal"):
            setattr(self, field, entry.get(field))
        self.goal_met = entry.get("goal_met")


def main():
    """Redraws a chart from a run's bench.json: chart.py BENCH_JSON OUTPUT_SVG."""
    import json
    import sys
    source, output = sys.argv[1:3]
    with open(source, encoding="utf-8") as handle:
        run = json.load(handle)
    environment = run["environment"]
    subtitle = f"{environment['date']}, {'--quick, ' if environment.get('quick') else ''}{environment['cpus']} CPUs; bars scaled within each row"
    write_svg(output, [_Stored(entry) for entry in run["figures"]],
              "scripts/bench: ours beside C librdkafka and the Python peer", subtitle)


if __name__ == "__main__":
    main()
