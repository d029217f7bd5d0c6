"""Rows of the summary table and plain-text tables."""

from __future__ import annotations

from dataclasses import dataclass

#: Status values. PASS/MISS: a measured target; FAIL: a correctness check failed; INFO: a
#: measurement without target; SKIP: not measured (e.g. the feature does not exist yet);
#: ERROR: the benchmark itself failed.
STATUSES = ("PASS", "MISS", "FAIL", "INFO", "SKIP", "ERROR")


@dataclass
class Row:
    """One line of the summary table.

    section : str   e.g. "rnnlib vs torch", "truncated BPTT", "widget latency", "notebooks"
    case : str      what was measured, e.g. "T=100 B=32 D=64 H=128"
    value : str     the measurement, formatted (e.g. "0.71", "43.2 ms"); "" when skipped
    target : str    e.g. "<= 0.8"; "" when there is none
    status : str    one of STATUSES
    note : str      anything else worth a line (medians, reasons for a skip, errors)
    """

    section: str
    case: str
    value: str = ""
    target: str = ""
    status: str = "INFO"
    note: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}; got {self.status!r}")


def table(headers, rows, align=None) -> str:
    """A plain-text table; ``align`` is a string of 'l'/'r' per column (default: left)."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    align = align or "l" * len(headers)

    def fmt(cells):
        return "  ".join(c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, align)).rstrip()

    line = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(headers), line] + [fmt(r) for r in rows])


def summary(rows: list[Row]) -> str:
    return table(
        ["section", "case", "value", "target", "status", "note"],
        [[r.section, r.case, r.value, r.target, r.status, r.note] for r in rows],
        align="llrlll",
    )
