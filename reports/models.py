"""Coverage reports and the reference data they weigh (DESIGN §10).

A ``Report`` row is the guarantee, not the broker: a worker claims it with a lease,
commits each section as it goes, and writes the result once (``reports.services.compute``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from recycling_network.rls import AudienceMixin

MIN_K, MAX_K = 1, 50
MIN_RADIUS_KM, MAX_RADIUS_KM = 10, 1000


class ReportScope(models.TextChoices):
    NATIONAL = "national", _("National")
    PARTNER = "partner", _("Partner network")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Report(AudienceMixin, models.Model):
    """A coverage report: network, obligations, allocation and deadlines, as of a date.

    ``audience`` is the requesting partner; a report the data center requests has an
    empty audience, so only the data center sees it (DESIGN §4). ``sections`` holds the
    sections finished so far by the current lease holder; ``result`` is written once, in
    the same UPDATE that sets ``done`` (``result_written_count`` proves it)."""

    scope = models.CharField(_("scope"), max_length=10, choices=ReportScope.choices)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    as_of = models.DateField(_("as of"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    k = models.PositiveSmallIntegerField(_("new outlets to place"), default=10)
    radius_km = models.PositiveSmallIntegerField(_("service radius (km)"), default=100)

    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_note = models.CharField(max_length=40, blank=True)
    sections = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    result = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True)

    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    result_written_count = models.PositiveSmallIntegerField(default=0)

    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester_partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(AudienceMixin.Meta):
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-id"]
        indexes = [
            *AudienceMixin.Meta.indexes,
            # The re-queue job looks for running rows whose lease expired and stale queued rows.
            models.Index(fields=["status", "lease_until"], name="report_status_lease"),
            models.Index(fields=["requester_partner", "id"], name="report_requester_partner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="national") & Q(partner__isnull=True))
                | (Q(scope="partner") & Q(partner__isnull=False)),
                name="report_scope_partner",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_range"),
            models.CheckConstraint(condition=Q(k__gte=MIN_K) & Q(k__lte=MAX_K), name="report_k_range"),
            models.CheckConstraint(
                condition=Q(radius_km__gte=MIN_RADIUS_KM) & Q(radius_km__lte=MAX_RADIUS_KM), name="report_radius_range"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")) & Q(period_end__lte=F("as_of")),
                name="report_period_order",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(result__isnull=False), name="report_done_has_result"
            ),
            # Exactly one result per row: a second final write would violate this.
            models.CheckConstraint(condition=Q(result_written_count__lte=1), name="report_result_written_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_scope_display()} {self.as_of}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)


class YearlyTarget(models.Model):
    """How many new outlets the network should approve in a year, nationally (no region)
    or in one region. Global planning data, not under row-level security."""

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        "outlets.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    new_outlets = models.PositiveIntegerField(_("new outlets"))

    class Meta:
        verbose_name = _("yearly target")
        verbose_name_plural = _("yearly targets")
        ordering = ["year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="target_year_region"),
            models.UniqueConstraint(fields=["year"], condition=Q(region__isnull=True), name="target_year_national"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region_id or 'national'}: {self.new_outlets}"


class SalesFootprint(AudienceMixin, models.Model):
    """Where an automaker sells: vehicles sold in a prefecture in a year and its fleet
    (parc) there. The outlet guideline (MIIT 2019) asks for a collection outlet wherever it
    sells and a centralised-storage outlet where its fleet reaches 8,000 vehicles.
    Commercially sensitive: visible to the automaker and the data center only."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    prefecture = models.ForeignKey("outlets.Division", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    vehicles_sold = models.PositiveIntegerField(_("vehicles sold"), default=0)
    fleet = models.PositiveIntegerField(_("fleet (parc)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("sales footprint")
        verbose_name_plural = _("sales footprints")
        ordering = ["partner", "year", "prefecture"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "prefecture", "year"], name="footprint_partner_prefecture_year"),
        ]
        indexes = [*AudienceMixin.Meta.indexes, models.Index(fields=["partner", "year"], name="footprint_partner_year")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.prefecture_id} {self.year}"


class NevFleet(models.Model):
    """New NEVs per prefecture and year (``reports/data/nev_by_city.csv``, CC BY 4.0, see
    ``reports/data/NOTICE.md``). Summed over years it weights where the fleet is."""

    prefecture = models.ForeignKey("outlets.Division", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    passenger_new = models.PositiveIntegerField(null=True, blank=True)
    commercial_new = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("NEV fleet")
        verbose_name_plural = _("NEV fleet")
        ordering = ["prefecture", "year"]
        constraints = [models.UniqueConstraint(fields=["prefecture", "year"], name="nev_fleet_prefecture_year")]

    def __str__(self) -> str:
        return f"{self.prefecture_id} {self.year}"
