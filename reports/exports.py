"""Downloads of a finished report: CSV, XLSX and JSON, built from its result on demand.

CSV and XLSX cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading single quote (OWASP "CSV
injection"): partner, outlet and place names come from users.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from batteries.models import Condition
from outlets.models import OutletKind
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.tenancy import Actor
from reports.models import Report, ReportStatus
from reports.selectors import get_report

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Table:
    title: Any
    columns: list[Any]
    rows: list[list[Any]]


def _region(row: dict[str, Any]) -> str:
    english = (get_language() or "").startswith("en")
    return row.get("region_name_en" if english else "region_name") or row.get("region", "")


def _kind(kind: str) -> str:
    return str(OutletKind(kind).label) if kind in OutletKind.values else kind


def _hazard(hazard: str) -> str:
    return str(Condition(hazard).label) if hazard in Condition.values else hazard


def _summary(report: Report) -> Table:
    partner = "" if report.partner_id is None else str(report.partner or report.partner_id)
    allocation = (report.result or {}).get("allocation", {})
    rows = [
        [_("Report"), report.pk],
        [_("Scope"), report.get_scope_display()],
        [_("Partner"), partner],
        [_("As of"), report.as_of.isoformat()],
        [_("Period start"), report.period_start.isoformat()],
        [_("Period end"), report.period_end.isoformat()],
        [_("New outlets to place (K)"), report.k],
        [_("Service radius (km)"), report.radius_km],
        [_("Finished at"), report.finished_at.isoformat() if report.finished_at else ""],
        [_("NEV fleet weight, total"), allocation.get("total_demand")],
        [_("Share covered now"), allocation.get("covered_before_share")],
        [_("Share covered after the new outlets"), allocation.get("covered_after_share")],
    ]
    return Table(_("Report"), [_("Field"), _("Value")], rows)


def _network_tables(network: dict[str, Any]) -> list[Table]:
    outlets, coverage = network["outlets"], network["coverage"]
    capacity, flows, dwell = network["capacity"], network["flows"], network["dwell"]
    kinds = [_("Collection outlets"), _("Centralised-storage outlets"), _("Total")]
    counts = ("collection", "centralized_storage", "total")
    return [
        Table(
            _("Outlets by kind"),
            [_("Kind"), _("Outlets")],
            [[_kind(kind), n] for kind, n in outlets["by_kind"].items()],
        ),
        Table(
            _("Outlets by region"),
            [_("Region"), *kinds],
            [[_region(r), *(r[c] for c in counts)] for r in outlets["by_region"]],
        ),
        Table(
            _("Outlets by province"),
            [_("Adcode"), _("Province"), *kinds],
            [[r["adcode"], r["name"], *(r[c] for c in counts)] for r in outlets["by_province"]],
        ),
        Table(
            _("Outlets by prefecture"),
            [_("Adcode"), _("Prefecture"), _("Province"), *kinds],
            [[r["adcode"], r["name"], r["province_name"], *(r[c] for c in counts)] for r in outlets["by_prefecture"]],
        ),
        Table(
            _("Coverage by region"),
            [_("Region"), _("Prefectures"), _("Covered"), _("Share covered")],
            [[_region(r), r["prefectures"], r["covered"], r["covered_share"]] for r in coverage["by_region"]],
        ),
        Table(
            _("Uncovered prefectures"),
            [_("Adcode"), _("Prefecture"), _("Province"), _("Region")],
            [[r["adcode"], r["name"], r["province_name"], r["region"]] for r in coverage["uncovered_prefectures"]],
        ),
        Table(
            _("Capacity and stock by region"),
            [_("Region"), _("Outlets"), _("Capacity (kg)"), _("Stock (kg)"), _("Utilisation")],
            [
                [_region(r), r["outlets"], r["capacity_kg"], r["stock_kg"], r["utilisation"]]
                for r in capacity["by_region"]
            ]
            + [
                [
                    _("All regions"),
                    capacity["outlets"],
                    capacity["capacity_kg"],
                    capacity["stock_kg"],
                    capacity["utilisation"],
                ]
            ],
        ),
        Table(
            _("Intake and dispatch in the period"),
            [_("Region"), _("Intakes"), _("Intake (kg)"), _("Dispatches"), _("Dispatch (kg)")],
            [
                [_region(r), r["intake_count"], r["intake_kg"], r["dispatch_count"], r["dispatch_kg"]]
                for r in flows["by_region"]
            ]
            + [
                [
                    _("All regions"),
                    flows["intake"]["count"],
                    flows["intake"]["weight_kg"],
                    flows["dispatch"]["count"],
                    flows["dispatch"]["weight_kg"],
                ]
            ],
        ),
        Table(
            _("Dwell time at outlets"),
            [_("Departures"), _("Average (days)"), _("Median (days)")],
            [[dwell["departures"], dwell["average_days"], dwell["median_days"]]],
        ),
        Table(
            _("Hazardous batteries"),
            [_("Hazard"), _("Batteries"), _("Weight (kg)"), _("At outlets")],
            [
                [_hazard(r["hazard"]), r["count"], r["weight_kg"], r["at_outlets"]]
                for r in network["hazards"]["by_kind"]
            ],
        ),
        Table(
            _("New outlets per year"),
            [_("Year"), _("New outlets"), _("Target"), _("Achieved")],
            [[r["year"], r["new_outlets"], r["target"], r["achieved"]] for r in network["growth"]["by_year"]],
        ),
        Table(
            _("New outlets per year and region"),
            [_("Year"), _("Region"), _("New outlets"), _("Target"), _("Achieved")],
            [
                [r["year"], _region(r), r["new_outlets"], r["target"], r["achieved"]]
                for r in network["growth"]["by_region"]
            ],
        ),
    ]


def _obligation_tables(obligations: dict[str, Any]) -> list[Table]:
    gaps = []
    for automaker in obligations["automakers"]:
        name = automaker["partner"]["name"]
        for requirement, rows in (
            (_("Collection outlet"), automaker["gaps"]),
            (_("Centralised-storage outlet"), automaker["storage_gaps"]),
        ):
            gaps += [[name, requirement, r["adcode"], r["name"], r["vehicles_sold"], r["fleet"]] for r in rows]
    return [
        Table(
            _("Automakers' coverage"),
            [
                _("Automaker"),
                _("Sales year"),
                _("Prefectures with sales"),
                _("Covered"),
                _("Gaps"),
                _("Prefectures needing storage"),
                _("Storage gaps"),
            ],
            [
                [
                    a["partner"]["name"],
                    a["footprint_year"],
                    a["selling_prefectures"],
                    a["covered_prefectures"],
                    len(a["gaps"]),
                    a["storage_required"],
                    len(a["storage_gaps"]),
                ]
                for a in obligations["automakers"]
            ],
        ),
        Table(
            _("Coverage gaps"),
            [_("Automaker"), _("Missing"), _("Adcode"), _("Prefecture"), _("Vehicles sold"), _("Fleet")],
            gaps,
        ),
    ]


def _allocation_table(allocation: dict[str, Any]) -> Table:
    return Table(
        _("Proposed new outlets"),
        [
            _("Rank"),
            _("Adcode"),
            _("Prefecture"),
            _("Province"),
            _("Added NEV weight"),
            _("Added share"),
            _("Cumulative share"),
            _("Newly covered prefectures"),
        ],
        [
            [
                p["rank"],
                p["adcode"],
                p["name"],
                p["province_name"],
                p["added_demand"],
                p["added_share"],
                p["cumulative_share"],
                " ".join(p["newly_covered_prefectures"]),
            ]
            for p in allocation["picks"]
        ],
    )


def _deadline_table(deadlines: dict[str, Any]) -> Table:
    rows = [
        [p["partner"]["name"], p["open"], p["due"], p["overdue"], p["due_next_30_days"]] for p in deadlines["partners"]
    ]
    rows.append([_("Unassigned"), deadlines["unassigned"], "", "", ""])
    return Table(
        _("Reporting deadlines"),
        [_("Partner"), _("Open"), _("Due"), _("Overdue"), _("Due in 30 days")],
        rows,
    )


def report_tables(report: Report) -> list[Table]:
    """The result as titled tables, in the order of the report."""
    result = report.result or {}
    tables = [_summary(report)]
    builders: list[tuple[str, Callable[[dict[str, Any]], Iterable[Table]]]] = [
        ("network", _network_tables),
        ("obligations", _obligation_tables),
        ("allocation", lambda data: [_allocation_table(data)]),
        ("deadlines", lambda data: [_deadline_table(data)]),
    ]
    for key, build in builders:
        if key in result:
            tables += build(result[key])
    return tables


def _csv(tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    # A byte-order mark, so that spreadsheet programs read the Chinese names as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(c) for c in table.columns])
        writer.writerows([safe_cell(v) if v is not None else "" for v in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def _sheet_title(title: Any, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", str(title)).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:26]} {n}", n + 1
    taken.add(name.lower())
    return name


def _xlsx(tables: list[Table]) -> bytes:
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        sheet.append([safe_cell(c) for c in table.columns])
        for row in table.rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json(report: Report) -> bytes:
    document = {
        "id": report.pk,
        "scope": report.scope,
        "partner": report.partner_id,
        "as_of": report.as_of,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "k": report.k,
        "radius_km": report.radius_km,
        "finished_at": report.finished_at,
        "result": report.result,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def report_download(*, actor: Actor, report: Report | int, format: str) -> tuple[bytes, str, str]:
    """The report as a file: ``(content, content_type, filename)``. Only a finished report
    the actor can see (another partner's: 404)."""
    if format not in FORMATS:
        raise InvalidInput(
            _("Choose csv, xlsx or json."), code="format_invalid", errors={"format": [_("Not a valid choice.")]}
        )
    report = get_report(actor, report.pk if isinstance(report, Report) else report)
    if report.status != ReportStatus.DONE:
        raise Conflict(_("The report is not ready yet."), code="report_not_ready")
    filename = f"report-{report.pk}-{report.scope}-{report.as_of.isoformat()}.{format}"
    if format == "json":
        content = _json(report)
    elif format == "csv":
        content = _csv(report_tables(report))
    else:
        content = _xlsx(report_tables(report))
    return content, FORMATS[format], filename
