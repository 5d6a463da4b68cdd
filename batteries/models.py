"""Batteries, the custody ledger, the feed, consignments, review cases and reporting
obligations (DESIGN §5, §7)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recycling_network.rls import AudienceMixin


class ProductType(models.TextChoices):
    PACK = "pack", _("Pack")
    MODULE = "module", _("Module")
    CELL = "cell", _("Cell")


class Chemistry(models.TextChoices):
    NIMH = "nimh", _("Nickel-metal hydride")
    LFP = "lfp", _("Lithium iron phosphate")
    LMO = "lmo", _("Lithium manganese oxide")
    LCO = "lco", _("Lithium cobalt oxide")
    TERNARY = "ternary", _("Ternary (NCM/NCA)")
    SUPERCAPACITOR = "supercapacitor", _("Supercapacitor")
    LTO = "lto", _("Lithium titanate")
    OTHER = "other", _("Other")


class BatteryStatus(models.TextChoices):
    AT_OUTLET = "at_outlet", _("At an outlet")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_FACILITY = "at_facility", _("At a facility")
    CASCADE_USE = "cascade_use", _("Cascade use")
    RECYCLED = "recycled", _("Recycled")
    VOID = "void", _("Void")


class Condition(models.TextChoices):
    INTACT = "intact", _("Intact")
    DAMAGED = "damaged", _("Damaged")
    LEAKING = "leaking", _("Leaking")
    SWOLLEN = "swollen", _("Swollen")
    SMOKING = "smoking", _("Smoking")
    INSULATION_FAULT = "insulation_fault", _("Insulation fault")


HAZARDS = [c for c in Condition.values if c != Condition.INTACT]


class Source(models.TextChoices):
    OWNER = "owner", _("Vehicle owner")
    DEALER = "dealer", _("Dealer (4S store)")
    REPAIR_SHOP = "repair_shop", _("Repair shop")
    SWAP_STATION = "swap_station", _("Battery swap station")
    DISMANTLER = "dismantler", _("End-of-life vehicle dismantler")
    FLEET = "fleet", _("Fleet operator")


class Battery(AudienceMixin, models.Model):
    """One coded battery (pack, module or cell) and where it is now.

    ``custodian``, ``outlet``, ``status`` and ``hazard`` say where it is now; selectors
    show them only to the custodian, a consignee in transit, the producers and the data
    center (DESIGN §4). ``audience`` grows with every holder and consignee."""

    code = models.CharField(_("battery code"), max_length=24, unique=True)
    manufacturer_code = models.CharField(_("manufacturer code"), max_length=3)
    product_type = models.CharField(_("product type"), max_length=6, choices=ProductType.choices)
    chemistry = models.CharField(_("chemistry"), max_length=16, choices=Chemistry.choices)
    production_year = models.PositiveSmallIntegerField(_("production year"), null=True, blank=True)
    production_month = models.PositiveSmallIntegerField(_("production month"), null=True, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=2)
    energy_kwh = models.DecimalField(_("energy (kWh)"), max_digits=10, decimal_places=2, null=True, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    soh_percent = models.DecimalField(_("state of health (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BatteryStatus.choices)
    hazard = models.CharField(_("hazard"), max_length=20, blank=True, choices=Condition.choices)
    counterfeit = models.BooleanField(_("counterfeit code"), default=False)
    over_capacity = models.BooleanField(_("returned above capacity"), default=False)
    custodian = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="batteries"
    )
    consignee = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consignment = models.ForeignKey("Consignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    producer_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="components")
    original = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="recode")
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    received_at = models.DateTimeField(_("received at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("battery")
        verbose_name_plural = _("batteries")
        ordering = ["id"]
        indexes = [
            *AudienceMixin.Meta.indexes,
            models.Index(fields=["outlet", "status"], name="battery_outlet_status"),
            models.Index(fields=["custodian", "status"], name="battery_custodian_status"),
            models.Index(fields=["updated_at", "id"], name="battery_updated"),
            models.Index(fields=["received_at", "id"], name="battery_received"),
            models.Index(fields=["manufacturer_code"], name="battery_manufacturer"),
            models.Index(fields=["vin"], name="battery_vin", condition=~Q(vin="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(weight_kg__gt=0), name="battery_weight_positive"),
            models.CheckConstraint(
                condition=Q(soh_percent__isnull=True) | (Q(soh_percent__gte=0) & Q(soh_percent__lte=100)),
                name="battery_soh_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="at_outlet") | Q(outlet__isnull=False), name="battery_at_outlet_has_outlet"
            ),
            models.CheckConstraint(
                condition=~Q(status="in_transit") | (Q(consignee__isnull=False) & Q(consignment__isnull=False)),
                name="battery_in_transit_has_consignee",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    HAZARD_REPORTED = "hazard_reported", _("Hazard reported")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDOVER_RECEIVED = "handover_received", _("Handover received")
    HANDOVER_REJECTED = "handover_rejected", _("Handover rejected")
    CONSIGNMENT_CANCELLED = "consignment_cancelled", _("Consignment cancelled")
    CASCADE_RECODED = "cascade_recoded", _("Re-coded for cascade use")
    RECYCLED = "recycled", _("Recycled")
    CORRECTED = "corrected", _("Corrected")
    VOIDED = "voided", _("Voided")
    REVIEW_RESOLVED = "review_resolved", _("Review resolved")


class CustodyEvent(AudienceMixin, models.Model):
    """The ledger: append-only, hash-chained per battery (DESIGN §7, "Hash chains").

    The database refuses UPDATE and DELETE (a trigger), except an UPDATE of ``audience``
    alone in the system context (the audience backfill)."""

    battery = models.ForeignKey(Battery, on_delete=models.PROTECT, related_name="events")
    battery_code = models.CharField(max_length=24)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counterparty = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outlet = models.ForeignKey("outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outlet_code = models.CharField(max_length=20, blank=True)
    consignment = models.ForeignKey(
        "Consignment", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "partners.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["battery", "seq"], name="event_battery_seq"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="event_seq_positive"),
        ]
        indexes = [
            *AudienceMixin.Meta.indexes,
            models.Index(fields=["partner", "kind", "occurred_at"], name="event_partner_kind"),
            models.Index(fields=["outlet", "occurred_at"], name="event_outlet_time"),
            models.Index(fields=["kind", "occurred_at"], name="event_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.battery_code}#{self.seq} {self.kind}"


class Xid8Field(models.Field):
    """PostgreSQL ``xid8``: a transaction id that never wraps around."""

    description = "PostgreSQL xid8"

    def db_type(self, connection) -> str:
        return "xid8"

    def from_db_value(self, value, expression, connection):
        return None if value is None else int(value)

    def get_prep_value(self, value):
        return None if value is None else str(value)


class FeedEntry(models.Model):
    """One event for one partner, in the order its transaction became visible.

    Written with raw SQL in the event's own transaction (``txid`` defaults to it); read
    through ``batteries.feed``. Under row-level security by ``partner_id``."""

    pk = models.CompositePrimaryKey("partner_id", "txid", "event")
    partner_id = models.BigIntegerField()
    txid = Xid8Field(db_default=models.Func(function="pg_current_xact_id"))
    event = models.ForeignKey(CustodyEvent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.txid}:{self.event_id}"


class ConsignmentStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    PARTIALLY_REJECTED = "partially_rejected", _("Partially rejected")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Consignment(AudienceMixin, models.Model):
    """A handover of batteries from one partner's outlet to another partner (交接)."""

    from_partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    from_outlet = models.ForeignKey("outlets.Outlet", on_delete=models.PROTECT, related_name="+")
    to_partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    to_outlet = models.ForeignKey("outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    received_outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=ConsignmentStatus.choices, default=ConsignmentStatus.IN_TRANSIT)
    waybill = models.CharField(_("waybill number"), max_length=64, blank=True)
    carrier = models.CharField(_("carrier"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    battery_count = models.PositiveIntegerField(default=0)
    total_weight_kg = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    dispatched_at = models.DateTimeField()
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("consignment")
        verbose_name_plural = _("consignments")
        ordering = ["id"]
        indexes = [
            *AudienceMixin.Meta.indexes,
            models.Index(fields=["from_partner", "status"], name="consignment_sender"),
            models.Index(fields=["to_partner", "status"], name="consignment_receiver"),
            models.Index(fields=["to_outlet", "status"], name="consignment_to_outlet"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(from_partner=models.F("to_partner")), name="consignment_two_parties"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class RejectionReason(models.TextChoices):
    DAMAGED = "damaged", _("Damaged")
    NOT_IN_SHIPMENT = "not_in_shipment", _("Not in the shipment")
    WRONG_CODE = "wrong_code", _("Wrong code")
    MISSING = "missing", _("Missing")
    OTHER = "other", _("Other")


class ConsignmentItem(AudienceMixin, models.Model):
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="items")
    battery = models.ForeignKey(Battery, on_delete=models.PROTECT, related_name="+")
    battery_code = models.CharField(max_length=24)
    weight_kg = models.DecimalField(max_digits=10, decimal_places=2)
    outcome = models.CharField(max_length=10, choices=ItemOutcome.choices, default=ItemOutcome.PENDING)
    rejection_reason = models.CharField(max_length=20, blank=True, choices=RejectionReason.choices)
    rejection_note = models.TextField(blank=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("consignment item")
        verbose_name_plural = _("consignment items")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["consignment", "battery"], name="consignment_item_unique")]

    def __str__(self) -> str:
        return self.battery_code


class ReviewKind(models.TextChoices):
    CUSTODY_CONFLICT = "custody_conflict", _("Code held by another partner")
    MISSING = "missing", _("Missing on receipt")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    CONFIRM_HOLDER = "confirm_holder", _("Holder confirmed")
    TRANSFER = "transfer", _("Custody transferred")
    COUNTERFEIT = "counterfeit", _("Code marked counterfeit")


class ReviewCase(AudienceMixin, models.Model):
    """A question about a battery's custody for the data center to settle.

    Visible to the claimant only (and the data center): showing it to the holder would
    reveal who else has a battery with that code."""

    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    battery = models.ForeignKey(Battery, null=True, blank=True, on_delete=models.PROTECT, related_name="review_cases")
    battery_code = models.CharField(max_length=24)
    claimant = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    claimant_outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consignment = models.ForeignKey(Consignment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    resolution = models.CharField(max_length=20, blank=True, choices=Resolution.choices)
    details = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    note = models.TextField(blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(AudienceMixin.Meta):
        verbose_name = _("review case")
        verbose_name_plural = _("review cases")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["battery_code", "claimant"], condition=Q(status="open"), name="review_case_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.battery_code} ({self.get_kind_display()})"


class ObligationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REPORTED = "reported", _("Reported")
    OVERDUE = "overdue", _("Overdue")
    UNASSIGNED = "unassigned", _("Unassigned")


class Obligation(AudienceMixin, models.Model):
    """A duty to upload an event to the national traceability platform by a working day
    (2018 traceability provisions, art. 11, 13-15; DESIGN §7 "Deadlines")."""

    event = models.OneToOneField(CustodyEvent, on_delete=models.PROTECT, related_name="obligation")
    battery = models.ForeignKey(Battery, on_delete=models.PROTECT, related_name="+")
    battery_code = models.CharField(max_length=24)
    obligated = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    creator = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=40)
    working_days = models.PositiveSmallIntegerField()
    occurred_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ObligationStatus.choices)
    receipt_number = models.CharField(_("receipt number"), max_length=64, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(AudienceMixin.Meta):
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        ordering = ["id"]
        indexes = [
            *AudienceMixin.Meta.indexes,
            models.Index(fields=["obligated", "status", "due_on"], name="obligation_due"),
            models.Index(fields=["status", "due_on"], name="obligation_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="unassigned") & Q(obligated__isnull=True))
                | (~Q(status="unassigned") & Q(obligated__isnull=False) & Q(due_on__isnull=False)),
                name="obligation_assigned_has_due_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="reported") | ~Q(receipt_number=""), name="obligation_reported_has_receipt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.battery_code} {self.rule} → {self.due_on}"
