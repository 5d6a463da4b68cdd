"""The outlet screens' lists (django-tables2). Pages are counted lazily (no COUNT(*) over
a partner's whole stock): the paginator only learns whether a next page exists."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from batteries.models import Battery, Consignment, Obligation, ObligationStatus
from recycling_network.i18n import lazy_format

TEMPLATE = "batteries/partials/table.html"
RULE_LABELS = {
    "outlet_receipt": _("Receipt at an outlet"),
    "outlet_handover": _("Handover from an outlet"),
    "dismantler_facility": _("Receipt at a dismantler"),
    "cascade_facility": _("Receipt at a cascade user"),
    "recycler_facility": _("Receipt at a recycler"),
}
PER_PAGE = 50


def _badge(value: str, label: Any) -> str:
    return format_html('<span class="badge badge--status-{}">{}</span>', value, label)


def _local(value: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class BatteryTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="code",
        orderable=False,
        attrs={
            "input": {"form": "dispatch-form", "name": "battery", "class": "js-select-row"},
            "th__input": {"class": "js-select-all", "aria-label": _("Select all on this page")},
            "td": {"class": "table__select"},
            "th": {"class": "table__select"},
        },
    )
    code = tables.Column(verbose_name=_("Battery code"), attrs={"td": {"class": "code"}})
    chemistry = tables.Column(verbose_name=_("Type"), order_by=("product_type", "chemistry", "id"))
    weight_kg = tables.Column(verbose_name=_("Weight (kg)"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    vin = tables.Column(verbose_name=_("VIN"), attrs={"td": {"class": "code"}}, empty_values=("",), default="—")
    outlet = tables.Column(verbose_name=_("Outlet"), accessor="outlet__code", order_by=("outlet__code", "id"))
    status = tables.Column(verbose_name=_("Status"))
    hazard = tables.Column(verbose_name=_("Hazard"), empty_values=("",), default="—")
    received_at = tables.Column(verbose_name=_("Received at"), order_by=("received_at", "id"))

    class Meta:
        model = Battery
        fields = ("select", "code", "chemistry", "weight_kg", "vin", "outlet", "status", "hazard")
        sequence = (*fields, "received_at")
        template_name = TEMPLATE
        attrs = {"class": "table table--compact table--list"}
        order_by = ("-received_at",)
        order_by_field = "sort"
        empty_text = _("No batteries match.")
        row_attrs = {"data-code": lambda record: record.code}

    def render_code(self, record: Battery) -> str:
        return format_html('<a href="{}">{}</a>', reverse("batteries:battery", args=[record.code]), record.code)

    def render_chemistry(self, record: Battery) -> str:
        return format_html("{} · {}", record.get_product_type_display(), record.get_chemistry_display())

    def render_status(self, record: Battery) -> str:
        return _badge(record.status, record.get_status_display())

    def render_hazard(self, record: Battery) -> str:
        return format_html('<span class="badge badge--hazard">⚠ {}</span>', record.get_hazard_display())

    def render_received_at(self, value: Any) -> str:
        return _local(value)


class ConsignmentTable(tables.Table):
    id = tables.Column(verbose_name=_("No."), order_by=("id",))
    direction = tables.Column(verbose_name=_("Direction"), accessor="from_partner_id", orderable=False)
    from_outlet = tables.Column(verbose_name=_("Sender"), accessor="from_outlet__code", orderable=False)
    to_partner = tables.Column(verbose_name=_("Receiver"), accessor="to_partner__name", orderable=False)
    battery_count = tables.Column(verbose_name=_("Batteries"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    total_weight_kg = tables.Column(
        verbose_name=_("Weight (kg)"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    status = tables.Column(verbose_name=_("Status"))
    dispatched_at = tables.Column(verbose_name=_("Dispatched at"), order_by=("dispatched_at", "id"))
    waybill = tables.Column(
        verbose_name=_("Waybill"), empty_values=("",), default="—", orderable=False, attrs={"td": {"class": "wrap"}}
    )
    carrier = tables.Column(
        verbose_name=_("Carrier"), empty_values=("",), default="—", orderable=False, attrs={"td": {"class": "wrap"}}
    )

    class Meta:
        model = Consignment
        fields = (
            "id",
            "direction",
            "from_outlet",
            "to_partner",
            "battery_count",
            "total_weight_kg",
            "status",
            "dispatched_at",
            "waybill",
            "carrier",
        )
        template_name = TEMPLATE
        attrs = {"class": "table table--compact table--list"}
        order_by = ("-id",)
        order_by_field = "sort"
        empty_text = _("No consignments match.")

    def __init__(self, *args: Any, partner_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner_id = partner_id

    def render_id(self, record: Consignment) -> str:
        return format_html('<a href="{}">#{}</a>', reverse("batteries:consignment", args=[record.pk]), record.pk)

    def render_direction(self, record: Consignment) -> str:
        if record.from_partner_id == self.partner_id:
            return format_html('<span class="direction direction--out">↗ {}</span>', _("Outgoing"))
        if record.to_partner_id == self.partner_id:
            return format_html('<span class="direction direction--in">↘ {}</span>', _("Incoming"))
        return "—"

    def render_from_outlet(self, record: Consignment) -> str:
        return format_html(
            '{}<br><span class="muted code">{}</span>', record.from_partner.name, record.from_outlet.code
        )

    def render_to_partner(self, record: Consignment) -> str:
        place = record.to_outlet.code if record.to_outlet_id else _("own facility")
        return format_html('{}<br><span class="muted code">{}</span>', record.to_partner.name, place)

    def render_status(self, record: Consignment) -> str:
        return _badge(record.status, record.get_status_display())

    def render_dispatched_at(self, value: Any) -> str:
        return _local(value)


class ObligationTable(tables.Table):
    battery_code = tables.Column(verbose_name=_("Battery code"), attrs={"td": {"class": "code"}})
    rule = tables.Column(verbose_name=_("Rule"), orderable=False)
    occurred_on = tables.Column(verbose_name=_("Event date"))
    due_on = tables.Column(verbose_name=_("Due on"), default="—")
    status = tables.Column(verbose_name=_("Status"))
    obligated = tables.Column(verbose_name=_("Reported by"), accessor="obligated__name", default="—", orderable=False)
    creator = tables.Column(verbose_name=_("Recorded by"), accessor="creator__name", default="—", orderable=False)
    receipt_number = tables.Column(verbose_name=_("Receipt number"), empty_values=(), orderable=False)

    class Meta:
        model = Obligation
        fields = ("battery_code", "rule", "occurred_on", "due_on", "status", "obligated", "creator", "receipt_number")
        template_name = TEMPLATE
        attrs = {"class": "table table--compact table--list"}
        order_by = ("due_on",)
        order_by_field = "sort"
        empty_text = _("No obligations match.")

    def __init__(
        self, *args: Any, acknowledging_partner: int | None = None, values: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        #: The partner whose admin may enter receipt numbers here (None: read-only).
        self.acknowledging_partner = acknowledging_partner
        self.values = values or {}

    def render_battery_code(self, record: Obligation) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("batteries:battery", args=[record.battery_code]), record.battery_code
        )

    def render_rule(self, record: Obligation) -> str:
        return format_html(
            '{}<br><span class="muted">{}</span>',
            RULE_LABELS.get(record.rule, record.rule),
            lazy_format(_("%(days)s working days"), days=record.working_days),
        )

    def render_status(self, record: Obligation) -> str:
        return _badge(record.status, record.get_status_display())

    def render_receipt_number(self, record: Obligation) -> str:
        open_statuses = (ObligationStatus.PENDING, ObligationStatus.OVERDUE)
        if record.receipt_number:
            return format_html('<span class="code">{}</span>', record.receipt_number)
        owed = self.acknowledging_partner is not None and record.obligated_id == self.acknowledging_partner
        if owed and record.status in open_statuses:
            name = f"receipt_{record.pk}"
            return format_html(
                '<input type="text" form="acknowledge-form" name="{}" value="{}" maxlength="64" '
                'class="input--inline" aria-label="{} {}">',
                name,
                self.values.get(name, ""),
                _("Receipt number for"),
                record.battery_code,
            )
        return "—"
