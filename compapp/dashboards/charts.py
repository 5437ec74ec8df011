"""Horizontal stacked bar charts as plain geometry for an inline SVG (pure: no Flask).

A chart is drawn by templates/main/_charts.html: one bar per row, one coloured segment per
series, its total at the end, and a table of the same numbers beside it for screen readers
and print.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

# Colour-blind-safe palette (Okabe–Ito), dark enough against white for labels beside it.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#999999")

LABEL_WIDTH = 150
BAR_AREA = 330
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOTAL_WIDTH = 110
TOP = 8
# How much of a label fits left of the bars, in half-em units: a Chinese character takes two,
# a Latin letter or digit one, a quotation mark two (set wide beside Chinese; contest names
# stay Chinese on English pages).
LABEL_UNITS = 22


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    series: str
    value: int


@dataclass(frozen=True)
class Bar:
    label: str
    short: str  # the label as it fits beside the bar (the whole label is its tooltip)
    y: float
    segments: tuple[Segment, ...]
    total: int
    total_x: float


@dataclass
class Chart:
    """A stacked bar chart: ``rows`` are (label, {series: value}); values are integers
    (fen or counts), ``unit`` says how the template prints them ("fen" or "count")."""

    key: str
    title: str
    series: list[tuple[str, str]]  # (code, display name), in stacking order
    rows: list[tuple[str, dict[str, int]]]
    unit: str = "count"
    note: str = ""
    bars: list[Bar] = field(init=False)

    def __post_init__(self) -> None:
        self.bars = layout(self.series, self.rows)

    @property
    def width(self) -> int:
        return LABEL_WIDTH + BAR_AREA + TOTAL_WIDTH

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_HEIGHT * max(len(self.rows), 1)

    @property
    def colours(self) -> dict[str, str]:
        return {code: PALETTE[i % len(PALETTE)] for i, (code, _name) in enumerate(self.series)}

    def series_total(self, code: str) -> int:
        return sum(values.get(code, 0) for _label, values in self.rows)

    @property
    def grand_total(self) -> int:
        return sum(sum(values.values()) for _label, values in self.rows)

    @property
    def empty(self) -> bool:
        return not self.rows


def layout(series: list[tuple[str, str]], rows: list[tuple[str, dict[str, int]]]) -> list[Bar]:
    """Place each row's bar: segments scaled so the largest row fills the bar area."""
    largest = max((sum(values.values()) for _label, values in rows), default=0)
    colours = {code: PALETTE[i % len(PALETTE)] for i, (code, _name) in enumerate(series)}
    bars = []
    for index, (label, values) in enumerate(rows):
        x = float(LABEL_WIDTH)
        segments = []
        for code, name in series:
            value = values.get(code, 0)
            if value <= 0:
                continue
            width = BAR_AREA * value / largest if largest else 0.0
            segments.append(Segment(round(x, 1), round(width, 1), colours[code], name, value))
            x += width
        total = sum(values.values())
        y = TOP + index * ROW_HEIGHT
        bars.append(Bar(label, short_label(label), y, tuple(segments), total, round(x + 6, 1)))
    return bars


def _units(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def short_label(label: str, units: int = LABEL_UNITS) -> str:
    """``label`` cut to ``units`` half-em units (with "…"), whatever its script."""
    if sum(_units(c) for c in label) <= units:
        return label
    kept, used = [], _units("…")
    for char in label:
        used += _units(char)
        if used > units:
            break
        kept.append(char)
    return "".join(kept) + "…"
