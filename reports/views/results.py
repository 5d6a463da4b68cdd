"""What the report page shows of a finished report: figures, charts and tables, prepared
from the result so that the templates only lay them out."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from outlets.selectors import prefectures
from reports import charts
from reports.charts import count, percent, region_name
from reports.models import Report, ReportStatus
from reports.sections import SECTION_LABELS

#: Gaps listed per automaker and requirement on the page; the downloads list them all.
GAPS_SHOWN = 30


def progress_stage(report: Report) -> Any:
    """What a queued or running report is doing, in words."""
    if report.status == ReportStatus.QUEUED:
        return _("Waiting for a worker")
    note = report.progress_note
    if note in SECTION_LABELS:
        return SECTION_LABELS[note]
    if note == "finishing":
        return _("Writing the result")
    return ""


def _centroids(adcodes: set[str]) -> dict[str, tuple[Any, Any]]:
    rows = prefectures().filter(adcode__in=adcodes).values_list("adcode", "longitude", "latitude")
    return {adcode: (lon, lat) for adcode, lon, lat in rows}


def _figures(network: dict[str, Any]) -> list[dict[str, Any]]:
    coverage, capacity, flows, dwell = network["coverage"], network["capacity"], network["flows"], network["dwell"]
    return [
        {"key": "outlets", "value": count(network["outlets"]["total"]), "label": _("Approved outlets")},
        {
            "key": "coverage",
            "value": percent(coverage["covered_share"]),
            "label": _("Prefectures covered"),
            "detail": f"{coverage['covered']:,} / {coverage['prefectures']:,}",
        },
        {
            "key": "utilisation",
            "value": percent(capacity["utilisation"]),
            "label": _("Utilisation"),
            "detail": f"{count(capacity['stock_kg'])} / {count(capacity['capacity_kg'])} kg",
        },
        {
            "key": "intake",
            "value": count(flows["intake"]["count"]),
            "label": _("Intakes in the period"),
            "detail": f"{count(flows['intake']['weight_kg'])} kg",
        },
        {
            "key": "dispatch",
            "value": count(flows["dispatch"]["count"]),
            "label": _("Dispatches in the period"),
            "detail": f"{count(flows['dispatch']['weight_kg'])} kg",
        },
        {
            "key": "dwell",
            "value": "—" if dwell["median_days"] is None else f"{dwell['median_days']:.1f}",
            "label": _("Median days at an outlet"),
        },
        {
            "key": "hazards",
            "value": count(network["hazards"]["total"]),
            "label": _("Hazardous batteries"),
            "attention": network["hazards"]["total"] > 0,
        },
    ]


def _automakers(obligations: dict[str, Any]) -> list[dict[str, Any]]:
    automakers = []
    for automaker in obligations["automakers"]:
        gaps, storage = automaker["gaps"], automaker["storage_gaps"]
        automakers.append(
            {
                **automaker,
                "gaps_shown": gaps[:GAPS_SHOWN],
                "gaps_hidden": max(len(gaps) - GAPS_SHOWN, 0),
                "storage_gaps_shown": storage[:GAPS_SHOWN],
                "storage_gaps_hidden": max(len(storage) - GAPS_SHOWN, 0),
                "gap_count": len(gaps),
                "storage_gap_count": len(storage),
            }
        )
    return automakers


def _picks(allocation: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **pick,
            "added_demand_label": count(pick["added_demand"]),
            "added_share_label": percent(pick["added_share"]),
            "cumulative_share_label": percent(pick["cumulative_share"]),
        }
        for pick in allocation["picks"]
    ]


def result_context(report: Report) -> dict[str, Any]:
    """Everything the results part of the report page draws; one query (the centres)."""
    result = report.result or {}
    network = result["network"]
    allocation, obligations, deadlines = result["allocation"], result["obligations"], result["deadlines"]
    return {
        "figures": _figures(network),
        "charts": {
            "outlets": charts.outlets_by_region(network),
            "utilisation": charts.utilisation_by_region(network),
            "growth": charts.growth_against_target(network),
        },
        "map": charts.report_map(result, _centroids(set(charts.prefecture_adcodes(result)))),
        "network": network,
        "coverage_regions": [
            {**row, "name": region_name(row), "share": percent(row["covered_share"])}
            for row in network["coverage"]["by_region"]
        ],
        "allocation": allocation,
        "allocation_before": percent(allocation["covered_before_share"]),
        "allocation_after": percent(allocation["covered_after_share"]),
        "picks": _picks(allocation),
        "automakers": _automakers(obligations),
        "obligation_totals": obligations["totals"],
        "storage_threshold": f"{obligations['storage_fleet_threshold']:,}",
        "deadlines": deadlines,
        "gaps_shown": GAPS_SHOWN,
    }
