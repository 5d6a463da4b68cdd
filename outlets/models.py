"""Administrative divisions, regions, outlets, their lifecycle and sharing (DESIGN §6)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recycling_network.rls import AudienceMixin

# China's extent including the South China Sea islands; a point outside is a typing error.
CHINA_BBOX = {
    "min_lon": Decimal("73.4"),
    "max_lon": Decimal("135.1"),
    "min_lat": Decimal("3.8"),
    "max_lat": Decimal("53.6"),
}
# Outlet guideline (MIIT 2019) sizes: collection >= 10 m2 and <= 5 t; centralised >= 30 t.
COLLECTION_MIN_AREA_M2 = Decimal("10")
COLLECTION_MAX_CAPACITY_KG = Decimal("5000")
CENTRALIZED_MIN_CAPACITY_KG = Decimal("30000")
LOCATION_WARNING_KM = 300


class Region(models.Model):
    """A grouping of provinces used for planning (京津冀, 长三角, 珠三角, 华中, ...)."""

    code = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")


class Division(models.Model):
    """A province or prefecture-level division (GB/T 2260 adcode). Global reference data."""

    adcode = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="divisions")
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    prd_core = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["adcode"]
        constraints = [
            models.CheckConstraint(condition=Q(adcode__regex=r"^[1-9][0-9]{5}$"), name="division_adcode_format"),
            models.CheckConstraint(
                condition=(Q(level="province") & Q(parent__isnull=True))
                | (Q(level="prefecture") & Q(parent__isnull=False)),
                name="division_level_parent",
            ),
        ]

    def __str__(self) -> str:
        if self.level == DivisionLevel.PREFECTURE and self.parent_id and self.name in ("市辖区", "县"):
            # Municipalities list their districts as 市辖区; the province name is the useful one.
            return f"{self.parent.name}{self.name}"
        return self.name

    @property
    def province_adcode(self) -> str:
        return self.adcode[:2] + "0000"


class OutletKind(models.TextChoices):
    COLLECTION = "collection", _("Collection outlet")
    CENTRALIZED_STORAGE = "centralized_storage", _("Centralised-storage outlet")


class OutletStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


PUBLIC_STATUSES = (OutletStatus.APPROVED, OutletStatus.SUSPENDED, OutletStatus.CLOSED)


class Outlet(AudienceMixin, models.Model):
    """A recycling service outlet run by one partner (its operator) and shared with others.

    Row-level security: approved, suspended and closed outlets are readable in every
    context; drafts, submissions and rejections only by the operator and the data
    center. ``stock_kg`` is private too, which selectors and serializers enforce."""

    code = models.CharField(_("outlet code"), max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OutletKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=OutletStatus.choices, default=OutletStatus.DRAFT)
    operator = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="outlets")
    prefecture = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="outlets")
    address = models.CharField(_("address"), max_length=300)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    storage_area_m2 = models.DecimalField(_("storage area (m²)"), max_digits=10, decimal_places=2)
    capacity_kg = models.DecimalField(_("capacity (kg)"), max_digits=12, decimal_places=2)
    stock_kg = models.DecimalField(_("stock (kg)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    review_comments = models.TextField(_("review comments"), blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["id"]
        indexes = [
            *AudienceMixin.Meta.indexes,
            models.Index(fields=["operator", "status"], name="outlet_operator_status"),
            models.Index(fields=["prefecture", "status"], name="outlet_prefecture_status"),
            models.Index(fields=["status", "kind"], name="outlet_status_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="collection")
                | (Q(storage_area_m2__gte=COLLECTION_MIN_AREA_M2) & Q(capacity_kg__lte=COLLECTION_MAX_CAPACITY_KG)),
                name="outlet_collection_limits",
                violation_error_message=_(
                    "A collection outlet needs at least 10 m² of storage and holds at most 5,000 kg."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="centralized_storage") | Q(capacity_kg__gte=CENTRALIZED_MIN_CAPACITY_KG),
                name="outlet_centralized_limits",
                violation_error_message=_("A centralised-storage outlet holds at least 30,000 kg."),
            ),
            models.CheckConstraint(
                condition=Q(capacity_kg__gt=0) & Q(storage_area_m2__gt=0) & Q(stock_kg__gte=0),
                name="outlet_positive_sizes",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=CHINA_BBOX["min_lon"])
                & Q(longitude__lte=CHINA_BBOX["max_lon"])
                & Q(latitude__gte=CHINA_BBOX["min_lat"])
                & Q(latitude__lte=CHINA_BBOX["max_lat"]),
                name="outlet_inside_china",
                violation_error_message=_("The coordinates are outside China."),
            ),
            models.CheckConstraint(
                condition=Q(code__isnull=True) | Q(code__regex=r"^RN-[0-9]{6}-[0-9]{4}$"),
                name="outlet_code_format",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "suspended", "closed"]) | Q(code__isnull=False),
                name="outlet_public_has_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def free_capacity_kg(self) -> Decimal:
        return self.capacity_kg - self.stock_kg


class OutletContact(AudienceMixin, models.Model):
    """Contact people of an outlet: private to the operator and the data center."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("contact name"), max_length=100)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("outlet contact")
        verbose_name_plural = _("outlet contacts")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class OutletTransition(AudienceMixin, models.Model):
    """One arrow of the lifecycle: who moved the outlet from what to what, when and why."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=OutletStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=OutletStatus.choices)
    action = models.CharField(max_length=30)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("outlet status change")
        verbose_name_plural = _("outlet status history")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.outlet_id}: {self.from_status or '-'} → {self.to_status}"


class OutletCodeCounter(models.Model):
    """The last number handed out per prefecture; it only grows, so codes are never reused."""

    prefecture = models.OneToOneField(Division, on_delete=models.PROTECT, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefecture_id}: {self.last_number}"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OutletChangeRequest(AudienceMixin, models.Model):
    """A change of kind, size or location of an approved outlet, applied once approved."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="change_requests")
    status = models.CharField(max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING)
    kind = models.CharField(_("kind"), max_length=20, choices=OutletKind.choices)
    prefecture = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    storage_area_m2 = models.DecimalField(_("storage area (m²)"), max_digits=10, decimal_places=2)
    capacity_kg = models.DecimalField(_("capacity (kg)"), max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("outlet change request")
        verbose_name_plural = _("outlet change requests")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet"],
                condition=Q(status="pending"),
                name="change_request_one_pending",
                violation_error_message=_("This outlet already has a pending change request."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outlet} ({self.get_status_display()})"


class SharingGrant(AudienceMixin, models.Model):
    """The operator authorises a partner (usually an automaker) to use an outlet.

    Revoking sets ``revoked_at``; granting again adds a row, so the history stays."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="grants")
    grantee = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="outlet_grants")
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("sharing authorisation")
        verbose_name_plural = _("sharing authorisations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "grantee"],
                condition=Q(revoked_at__isnull=True),
                name="sharing_grant_one_active",
                violation_error_message=_("This partner may already use this outlet."),
            ),
        ]
        indexes = [*AudienceMixin.Meta.indexes, models.Index(fields=["grantee", "revoked_at"], name="grant_grantee")]

    def __str__(self) -> str:
        return f"{self.outlet} → {self.grantee}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StaffAssignment(models.Model):
    """Outlets an outlet-staff user works at. Like users, read during authentication and
    filtered by partner in selectors, not by row-level security."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outlet_assignments")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="staff_assignments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "outlet"], name="staff_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.outlet_id}"
