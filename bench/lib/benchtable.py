"""Shared by every bench/<stage>/table.py: the raw runs, medians, the machine line, ratios with
the goal beside them (issue 12's table), and markdown tables.

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
    from benchtable import ...
"""
import csv
import datetime
import os
import re
import statistics


def read_runs(path, *keys):
    """The raw TSV's rows grouped by the values of KEYS, in first-seen order."""
    runs = {}
    with open(path) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            runs.setdefault(tuple(r[k] for k in keys), []).append(r)
    return runs


def median(rows, field):
    """Median of FIELD over ROWS (blank values skipped); None when there is none."""
    xs = [float(r[field]) for r in rows if r.get(field) not in (None, "")]
    return statistics.median(xs) if xs else None


def failures(rows):
    """The first non-ok status of ROWS, or None."""
    return next((r["status"] for r in rows if r.get("status", "ok") != "ok"), None)


def machine(**versions):
    """The line every table opens with: date, cores, memory, versions, load average."""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    vs = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.date.today()}, {os.cpu_count()} cores, {mem:.0f} GiB{'; ' + vs if vs else ''}. "
            f"Load average at the end (1/5/15 min): {load}: other work on the machine adds noise, so the "
            f"ratios (runs alternate, in the same run) are what counts.")


_GOAL = re.compile(r"^(<=|>=|≤|≥)\s*([0-9.]+)x$")


def met(value, goal):
    """Whether VALUE meets GOAL ("<= 1.3x", ">= 5x"); None without a value."""
    if value is None:
        return None
    m = _GOAL.match(goal.strip())
    if not m:
        raise ValueError(f"goal {goal!r}: write '<= N x' or '>= N x', e.g. '<= 1.3x'")
    op, bound = m.group(1), float(m.group(2))
    return value <= bound if op in ("<=", "≤") else value >= bound


def ratio_with_goal(value, goal=None, digits=2):
    """'1.65x (goal ≤ 1.0x: missed)'; 'n/a' without a value."""
    if value is None:
        return "n/a" + (f" (goal {pretty(goal)})" if goal else "")
    text = f"{value:.{digits}f}x"
    if not goal:
        return text
    return f"{text} (goal {pretty(goal)}: {'met' if met(value, goal) else 'missed'})"


def pretty(goal):
    return goal.replace("<=", "≤").replace(">=", "≥")


def ratio(a, b):
    """a / b, None when either is missing or b is 0."""
    return a / b if a is not None and b else None


def markdown(headers, rows, align=None):
    """A markdown table; ALIGN is one of 'l'/'r' per column (default: left)."""
    align = align or "l" * len(headers)
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(":--" if a == "l" else "--:" for a in align) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
