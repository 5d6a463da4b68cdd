"""Automakers' sales footprints: where they sell and their fleet there (the input of the
obligations section). Set by the seeder or the data center, imported from CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outlets.models import Division, DivisionLevel
from partners.models import Partner, PartnerKind
from partners.services.audit import audit_record
from recycling_network.authz import require_partner_admin
from recycling_network.errors import InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor
from reports.models import SalesFootprint

MAX_ROWS = 50_000
MAX_COUNT = 100_000_000
MAX_REPORTED_ERRORS = 50
COLUMNS = ("prefecture", "year", "vehicles_sold", "fleet")


def _automaker(partner: Partner | int) -> Partner:
    found = Partner.objects.filter(pk=partner.pk if isinstance(partner, Partner) else partner).first()
    if found is None or PartnerKind.AUTOMAKER not in found.kinds:
        raise InvalidInput(
            _("Sales footprints belong to automakers."),
            code="partner_not_automaker",
            errors={"partner": [_("Not an automaker.")]},
        )
    return found


def _count(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif text.isdigit():
        number = int(text)
    else:
        return None
    return number if 0 <= number <= MAX_COUNT else None


def _clean_row(row: Mapping[str, Any], prefectures: set[str]) -> tuple[dict[str, Any] | None, Promise | None]:
    prefecture = str(row.get("prefecture") or "").strip()
    year = _count(row.get("year"))
    sold, fleet = _count(row.get("vehicles_sold", 0)), _count(row.get("fleet", 0))
    if prefecture not in prefectures:
        return None, lazy_format(_("%(adcode)s is not a prefecture-level adcode."), adcode=prefecture or "-")
    if year is None or not 2000 <= year <= 2100:
        return None, _("The year must be from 2000 to 2100.")
    if sold is None or fleet is None:
        return None, _("Vehicles sold and fleet are whole numbers, zero or more.")
    return {"prefecture": prefecture, "year": year, "vehicles_sold": sold, "fleet": fleet}, None


def _prefecture_adcodes() -> set[str]:
    return set(Division.objects.filter(level=DivisionLevel.PREFECTURE).values_list("adcode", flat=True))


def _upsert(partner: Partner, rows: list[dict[str, Any]]) -> int:
    SalesFootprint.objects.bulk_create(
        [
            SalesFootprint(
                partner=partner,
                prefecture_id=row["prefecture"],
                year=row["year"],
                vehicles_sold=row["vehicles_sold"],
                fleet=row["fleet"],
                audience=[partner.pk],
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["partner", "prefecture", "year"],
        update_fields=["vehicles_sold", "fleet", "updated_at"],
    )
    return len(rows)


@transaction.atomic
def sales_footprint_set(*, actor: Actor, partner: Partner | int, rows: Iterable[Mapping[str, Any]]) -> int:
    """Record an automaker's sales per prefecture and year (``prefecture`` adcode,
    ``year``, ``vehicles_sold``, ``fleet``), replacing the figures of the same
    prefecture and year; all or nothing. The automaker's admins or the data center."""
    automaker = _automaker(partner)
    require_partner_admin(actor, automaker.pk)
    prefectures = _prefecture_adcodes()
    cleaned, errors, seen = [], {}, set()
    for index, row in enumerate(rows):
        value, problem = _clean_row(row, prefectures)
        if value is not None and (value["prefecture"], value["year"]) in seen:
            # One upsert cannot set a row twice; which figure would be meant is unknown.
            value, problem = None, _("The same prefecture and year appear twice.")
        if problem is not None:
            errors[f"rows[{index}]"] = [problem]
        else:
            seen.add((value["prefecture"], value["year"]))
            cleaned.append(value)
    if errors:
        raise InvalidInput(_("Some rows are not valid."), code="footprint_invalid", errors=errors)
    if len(cleaned) > MAX_ROWS:
        raise InvalidInput(
            lazy_format(_("At most %(count)s rows at a time."), count=MAX_ROWS),
            code="too_many_rows",
            errors={"rows": [_("Too many.")]},
        )
    written = _upsert(automaker, cleaned)
    years = sorted({row["year"] for row in cleaned})
    audit_record(
        actor=actor,
        action="sales_footprint.set",
        target=automaker,
        after={"rows": written, "years": years, "prefectures": len({row["prefecture"] for row in cleaned})},
        audience=[automaker.pk],
    )
    return written


def _partner_from_cell(actor: Actor, cell: str) -> Partner | None:
    cell = cell.strip()
    if not cell:
        return Partner.objects.filter(pk=actor.partner_id).first() if actor.is_partner else None
    if cell.isdigit():
        return Partner.objects.filter(pk=int(cell)).first()
    return Partner.objects.filter(credit_code=cell.upper()).first()


@transaction.atomic
def sales_footprint_import(*, actor: Actor, csv_text: str) -> int:
    """Import footprints from CSV with a header row: ``partner`` (id or unified social
    credit code; optional for a partner's own import), ``prefecture`` (adcode), ``year``,
    ``vehicles_sold``, ``fleet``. All or nothing; returns the number of rows."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = {(name or "").strip() for name in (reader.fieldnames or [])}
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise InvalidInput(
            lazy_format(_("The CSV needs the columns: %(columns)s."), columns=", ".join(COLUMNS)),
            code="csv_columns_missing",
            errors={"csv_text": [lazy_format(_("Missing: %(columns)s."), columns=", ".join(missing))]},
        )
    by_partner: dict[int, tuple[Partner, list[dict[str, Any]]]] = {}
    problems: list[Promise] = []
    for line, row in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "") for key, value in row.items()}
        row["_line"] = line
        partner = _partner_from_cell(actor, row.get("partner", ""))
        if partner is None:
            problems.append(lazy_format(_("Line %(line)s: unknown partner."), line=line))
            continue
        by_partner.setdefault(partner.pk, (partner, []))[1].append(row)
        if sum(len(rows) for _, rows in by_partner.values()) > MAX_ROWS:
            raise InvalidInput(
                lazy_format(_("At most %(count)s rows at a time."), count=MAX_ROWS),
                code="too_many_rows",
                errors={"csv_text": [_("Too many.")]},
            )
    if problems:
        raise InvalidInput(
            _("Some lines are not valid."),
            code="footprint_invalid",
            errors={"csv_text": problems[:MAX_REPORTED_ERRORS]},
        )
    total = 0
    for partner, rows in by_partner.values():
        try:
            total += sales_footprint_set(actor=actor, partner=partner, rows=rows)
        except InvalidInput as error:
            lines = [
                lazy_format(_("Line %(line)s: %(problem)s"), line=_line_of(by_partner, partner, key), problem=msgs[0])
                for key, msgs in error.errors.items()
                if key.startswith("rows[")
            ]
            raise InvalidInput(
                error.message, code=error.code, errors={"csv_text": lines[:MAX_REPORTED_ERRORS] or [error.message]}
            ) from None
    return total


def _line_of(by_partner: dict[int, tuple[Partner, list[dict[str, Any]]]], partner: Partner, key: str) -> int:
    """The CSV line of ``rows[i]`` of ``partner`` (rows keep the order of the file)."""
    index = int(key[len("rows[") : -1])
    return by_partner[partner.pk][1][index]["_line"]
