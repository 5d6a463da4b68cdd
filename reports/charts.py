"""Charts of a finished report, drawn by the app as inline SVG (DESIGN §9, §10): no chart
library, no CDN. The geometry is computed here from the report's result; the templates in
``templates/reports/partials/`` draw it.

- ``outlets_by_region``: stacked horizontal bars, collection and centralised-storage outlets;
- ``utilisation_by_region``: horizontal bars, stock against capacity;
- ``growth_against_target``: a column per year with the yearly target as a marker;
- ``report_map``: prefectures with outlets, uncovered prefectures and the proposed new
  outlets as points, projected linearly into China's bounding box with
  ``outlets.maps`` (no boundaries, no tiles).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from outlets.maps import Frame, GridLine, outlet_map
from outlets.models import Region
from recycling_network.i18n import lazy_format

_ids = itertools.count(1)
Label = str | Promise


def _px(value: float) -> str:
    return f"{value:.1f}"


def region_name(row: Mapping[str, Any] | Region) -> str:
    """A region's name in the page's language (a report's result carries both)."""
    english = (get_language() or "").startswith("en")
    if isinstance(row, Region):
        return (row.name_en if english else row.name) or row.code
    return row.get("region_name_en" if english else "region_name") or row.get("region", "")


def percent(value: float | None, places: int = 1) -> str:
    """``0.4567`` -> ``45.7%``; a dash when there was nothing to divide by."""
    return "—" if value is None else f"{value * 100:.{places}f}%"


def count(value: float | int | None) -> str:
    return "—" if value is None else f"{round(value):,}"


def _nice_max(value: float) -> float:
    """The axis end: 1, 2, 2.5 or 5 times a power of ten, at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


@dataclass(frozen=True)
class Segment:
    x: str
    width: str
    series: str
    title: str


@dataclass(frozen=True)
class BarRow:
    label: str
    y: str
    text_y: str
    value_label: str
    value_x: str
    segments: list[Segment]


@dataclass(frozen=True)
class Tick:
    x: str
    label: str


@dataclass
class BarChart:
    """Horizontal bars, one row per category, stacked by series."""

    title: Label
    rows: list[BarRow]
    ticks: list[Tick]
    legend: list[tuple[str, Label]]
    width: int
    height: int
    plot_left: int
    plot_right: int
    bar_height: int
    dom_id: str = field(default_factory=lambda: f"report-chart-{next(_ids)}")

    @property
    def plot_bottom(self) -> int:
        return self.height - 22

    @property
    def axis_label_y(self) -> int:
        return self.height - 6


LABEL_WIDTH = 120
ROW_HEIGHT = 30


def horizontal_bars(
    title: Label,
    rows: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    series_labels: Mapping[str, Label],
    value_label: Callable[[float], str],
    axis_label: Callable[[float], str],
    maximum: float | None = None,
    width: int = 560,
) -> BarChart:
    """``rows``: ``(category, [(series, value), ...])``; the series are stacked left to right."""
    totals = [sum(v for _s, v in values) for _label, values in rows]
    end = _nice_max(max([maximum or 0, *totals]))
    left, right = LABEL_WIDTH, width - 56
    scale = (right - left) / end
    drawn = []
    for index, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        top = 8 + index * ROW_HEIGHT
        x, segments = float(left), []
        for series, value in values:
            if value <= 0:
                continue
            span = value * scale
            segments.append(
                Segment(_px(x), _px(span), series, f"{label} · {series_labels[series]}: {value_label(value)}")
            )
            x += span
        drawn.append(
            BarRow(
                label=label,
                y=str(top),
                text_y=str(top + 15),
                value_label=value_label(total),
                value_x=_px(x + 6),
                segments=segments,
            )
        )
    ticks = [Tick(_px(left + end * step / 4 * scale), axis_label(end * step / 4)) for step in range(5)]
    return BarChart(
        title=title,
        rows=drawn,
        ticks=ticks,
        legend=[(series, series_labels[series]) for series in series_labels],
        width=width,
        height=8 + len(rows) * ROW_HEIGHT + 30,
        plot_left=left,
        plot_right=right,
        bar_height=ROW_HEIGHT - 10,
    )


def outlets_by_region(network: Mapping[str, Any]) -> BarChart:
    labels = {"collection": _("Collection outlets"), "centralized_storage": _("Centralised-storage outlets")}
    rows = [
        (region_name(r), [("collection", r["collection"]), ("centralized_storage", r["centralized_storage"])])
        for r in network["outlets"]["by_region"]
    ]
    return horizontal_bars(
        _("Approved outlets by region"),
        rows,
        series_labels=labels,
        value_label=count,
        axis_label=lambda v: f"{v:g}",
    )


def utilisation_by_region(network: Mapping[str, Any]) -> BarChart:
    rows = [(region_name(r), [("utilisation", r["utilisation"] or 0.0)]) for r in network["capacity"]["by_region"]]
    return horizontal_bars(
        _("Utilisation by region (stock against capacity)"),
        rows,
        series_labels={"utilisation": _("Utilisation")},
        value_label=lambda v: percent(v),
        axis_label=lambda v: percent(v, 0),
        maximum=1.0,
    )


@dataclass(frozen=True)
class Column:
    label: str
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_label: str
    value_y: str
    title: str
    #: The target marker (a line across the column), when the year has a target.
    target_y: str = ""
    target_x1: str = ""
    target_x2: str = ""
    target_label: str = ""
    achieved: bool = False


@dataclass
class ColumnChart:
    title: Label
    columns: list[Column]
    gridlines: list[tuple[str, str]]  # (y, label)
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    has_targets: bool
    dom_id: str = field(default_factory=lambda: f"report-chart-{next(_ids)}")


def columns_with_targets(
    title: Label, rows: Sequence[tuple[str, int, int | None]], *, width: int = 560, height: int = 240
) -> ColumnChart:
    """``rows``: ``(label, value, target or None)``, one column each."""
    left, right, top, bottom = 44, width - 12, 16, height - 28
    end = _nice_max(max([1, *(v for _l, v, _t in rows), *(t or 0 for _l, _v, t in rows)]))
    scale = (bottom - top) / end
    slot = (right - left) / max(len(rows), 1)
    bar = min(64.0, slot * 0.6)
    columns = []
    for index, (label, value, target) in enumerate(rows):
        middle = left + slot * (index + 0.5)
        y = bottom - value * scale
        extra: dict[str, Any] = {}
        title_text = f"{label}: {value}"
        if target is not None:
            target_y = bottom - target * scale
            extra = {
                "target_y": _px(target_y),
                "target_x1": _px(middle - bar / 2 - 6),
                "target_x2": _px(middle + bar / 2 + 6),
                "target_label": str(target),
                "achieved": value >= target,
            }
            title_text = str(
                lazy_format(_("%(year)s: %(n)s new outlets, target %(target)s"), year=label, n=value, target=target)
            )
        columns.append(
            Column(
                label=label,
                x=_px(middle - bar / 2),
                y=_px(y),
                width=_px(bar),
                height=_px(bottom - y),
                label_x=_px(middle),
                value_label=str(value),
                value_y=_px(y - 4),
                title=title_text,
                **extra,
            )
        )
    gridlines = [(_px(bottom - end * step / 4 * scale), f"{end * step / 4:g}") for step in range(5)]
    return ColumnChart(
        title=title,
        columns=columns,
        gridlines=gridlines,
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        has_targets=any(t is not None for _l, _v, t in rows),
    )


def growth_against_target(network: Mapping[str, Any]) -> ColumnChart:
    rows = [(str(r["year"]), r["new_outlets"], r["target"]) for r in network["growth"]["by_year"]]
    return columns_with_targets(_("New outlets per year against the target"), rows)


# --- the map --------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    x: str
    y: str
    r: str
    #: ``uncovered`` (a prefecture without a collection outlet), ``outlets`` (a prefecture
    #: with outlets, sized by their number), ``pick`` (a proposed new outlet, with its rank)
    role: str
    label: str
    text: str = ""


@dataclass
class ReportMap:
    title: Label
    width: int
    height: int
    grid: list[GridLine]
    scale_px: str
    scale_label: str
    points: list[MapPoint]
    counts: dict[str, int]
    #: Points without coordinates or outside the frame (not drawn).
    missing: int = 0
    dom_id: str = field(default_factory=lambda: f"report-map-{next(_ids)}")


def _outlet_radius(n: int) -> float:
    return min(3.5 + 2.5 * math.sqrt(n), 14.0)


def report_map(result: Mapping[str, Any], centroids: Mapping[str, tuple[Any, Any]], *, width: int = 640) -> ReportMap:
    """Uncovered prefectures, prefectures with outlets and the proposed new outlets, at
    their prefectures' centres (``centroids``: adcode -> (longitude, latitude)).

    Outlets are drawn one point per prefecture: the report keeps counts as of its date,
    not the outlets' own positions, and a report is read as that snapshot."""
    frame = Frame.china(width)
    base = outlet_map(frame, title="")  # only its graticule and scale bar
    network = result.get("network", {})
    points: list[MapPoint] = []
    counts = {"uncovered": 0, "outlets": 0, "pick": 0}
    missing = 0

    def add(adcode: str, lon: Any, lat: Any, role: str, label: str, r: float, text: str = "") -> None:
        nonlocal missing
        if lon is None or lat is None:
            lon, lat = centroids.get(adcode, (None, None))
        if lon is None or lat is None or not frame.contains(float(lon), float(lat)):
            missing += 1
            return
        x, y = frame.project(float(lon), float(lat))
        points.append(MapPoint(_px(x), _px(y), _px(r), role, label, text))
        counts[role] += 1

    for row in network.get("coverage", {}).get("uncovered_prefectures", []):
        label = str(lazy_format(_("%(prefecture)s: no collection outlet"), prefecture=row["name"]))
        add(row["adcode"], None, None, "uncovered", label, 2.5)
    for row in sorted(network.get("outlets", {}).get("by_prefecture", []), key=lambda r: -r["total"]):
        label = str(lazy_format(_("%(prefecture)s, outlets: %(n)s"), prefecture=row["name"], n=row["total"]))
        add(row["adcode"], None, None, "outlets", label, _outlet_radius(row["total"]))
    for pick in result.get("allocation", {}).get("picks", []):
        label = str(
            lazy_format(_("Proposed new outlet %(rank)s: %(prefecture)s"), rank=pick["rank"], prefecture=pick["name"])
        )
        add(pick["adcode"], pick.get("longitude"), pick.get("latitude"), "pick", label, 8, str(pick["rank"]))
    return ReportMap(
        title=_("Outlets, uncovered prefectures and proposed new outlets"),
        width=base.width,
        height=base.height,
        grid=base.grid,
        scale_px=base.scale_px,
        scale_label=base.scale_label,
        points=points,
        counts=counts,
        missing=missing,
    )


def prefecture_adcodes(result: Mapping[str, Any]) -> Iterable[str]:
    """The prefectures the map places, whose centres the caller looks up."""
    network = result.get("network", {})
    yield from (r["adcode"] for r in network.get("coverage", {}).get("uncovered_prefectures", []))
    yield from (r["adcode"] for r in network.get("outlets", {}).get("by_prefecture", []))
