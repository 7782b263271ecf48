"""Figures (ours, reference, ratio = ours / reference, goal) as a table and as JSON."""

import json
import os


class Figure:
    def __init__(self, key, name, unit, ours, reference=None, reference_name="", goal="", met=None, details=None):
        self.key = key
        self.name = name
        self.unit = unit
        self.ours = ours
        self.reference = reference
        self.reference_name = reference_name
        self.ratio = ours / reference if ours is not None and reference else None
        self.goal = goal
        self.details = details or {}
        self.goal_met = met(self.ours, self.reference, self.ratio) if met and ours is not None else None

    def as_json(self):
        return {"key": self.key, "name": self.name, "unit": self.unit, "ours": self.ours,
                "reference": self.reference, "reference_name": self.reference_name, "ratio": self.ratio,
                "goal": self.goal, "goal_met": self.goal_met, "details": self.details}


def number(value):
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 100_000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(figures):
    header = ["figure", "unit", "ours", "reference", "ours/ref", "goal", "met"]
    rows = [[f.name, f.unit, number(f.ours),
             f"{number(f.reference)} ({f.reference_name})" if f.reference is not None else "-",
             number(f.ratio), f.goal or "-", {True: "yes", False: "NO", None: "-"}[f.goal_met]] for f in figures]
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header] + rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def write_json(path, figures, errors, environment):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"environment": environment, "figures": [f.as_json() for f in figures], "errors": errors},
                  handle, indent=2)
        handle.write("\n")
