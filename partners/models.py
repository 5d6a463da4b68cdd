"""Partners (the tenants), their users, code claims, API keys, the audit log and the outbox."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recycling_network.rls import AudienceMixin


class PartnerKind(models.TextChoices):
    AUTOMAKER = "automaker", _("Automaker")
    BATTERY_MAKER = "battery_maker", _("Battery maker")
    OUTLET_OPERATOR = "outlet_operator", _("Outlet operator")
    CASCADE_USER = "cascade_user", _("Cascade user")
    RECYCLER = "recycler", _("Recycler")
    DISMANTLER = "dismantler", _("Dismantler")


class PartnerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


_KINDS_SQL = "ARRAY[" + ", ".join(f"'{k}'" for k in PartnerKind.values) + "]::varchar[]"


class Partner(models.Model):
    """An enterprise in the network. Not under row-level security: authentication reads it
    before any context exists, and its directory fields are visible to every signed-in
    user; selectors decide who sees the full record (DESIGN §4)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kinds = ArrayField(models.CharField(max_length=20, choices=PartnerKind.choices), verbose_name=_("kinds"))
    status = models.CharField(_("status"), max_length=12, choices=PartnerStatus.choices, default=PartnerStatus.APPLIED)
    demonstration_unit = models.BooleanField(_("demonstration unit"), default=False)
    demonstration_agreed_on = models.DateField(_("demonstration agreement date"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"),
                name="partner_credit_code_format",
                violation_error_message=_("The unified social credit code is not well formed."),
            ),
            models.CheckConstraint(
                condition=Q(demonstration_unit=False) | Q(demonstration_agreed_on__isnull=False),
                name="partner_demonstration_has_agreement_date",
                violation_error_message=_("A demonstration unit needs the date of its agreement."),
            ),
            models.CheckConstraint(
                condition=models.lookups.GreaterThan(models.Func("kinds", function="cardinality"), 0)
                & Q(kinds__contained_by=PartnerKind.values),
                name="partner_kinds_known_and_not_empty",
                violation_error_message=_("A partner has at least one kind, each a known one."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == PartnerStatus.ACTIVE

    def has_kind(self, kind: str) -> bool:
        return kind in self.kinds


class PartnerContact(AudienceMixin, models.Model):
    """A contact person of a partner; private to the partner and the data center."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("contact name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")

    def __str__(self) -> str:
        return self.name


class CodeKind(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Battery manufacturer code")
    WMI = "wmi", _("VIN world manufacturer identifier (WMI)")


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CodeClaim(AudienceMixin, models.Model):
    """A partner's claim to a battery manufacturer code or a WMI; effective once approved."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="code_claims")
    kind = models.CharField(_("kind"), max_length=12, choices=CodeKind.choices)
    code = models.CharField(_("code"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("partners.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    backfill_progress = models.PositiveSmallIntegerField(default=0)
    backfill_done_at = models.DateTimeField(null=True, blank=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("code claim")
        verbose_name_plural = _("code claims")
        ordering = ["id"]
        constraints = [
            # One holder per code: a pending claim already blocks a second claimant.
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=~Q(status="rejected"),
                name="code_claim_unique_code",
                violation_error_message=_("This code is already claimed by another partner."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="manufacturer") & Q(code__regex=r"^[A-Z0-9]{3}$"))
                | (Q(kind="wmi") & Q(code__regex=r"^[A-HJ-NPR-Z0-9]{3}$")),
                name="code_claim_format",
                violation_error_message=_("The code is not well formed for its kind."),
            ),
        ]
        indexes = [*AudienceMixin.Meta.indexes, models.Index(fields=["partner", "status"], name="code_claim_partner")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


class UserRole(models.TextChoices):
    DATACENTER_ADMIN = "datacenter_admin", _("Data-center admin")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    OUTLET_STAFF = "outlet_staff", _("Outlet staff")


class User(AbstractUser):
    """A person signing in: data-center staff (no partner) or a partner's admin or outlet staff."""

    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("role"), max_length=20, choices=UserRole.choices, default=UserRole.OUTLET_STAFF)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="datacenter_admin") & Q(partner__isnull=True))
                | (~Q(role="datacenter_admin") & Q(partner__isnull=False)),
                name="user_role_matches_partner",
                violation_error_message=_("Data-center admins belong to no partner; every other user belongs to one."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    @property
    def partner_is_active(self) -> bool:
        return self.partner_id is not None and self.partner.status == PartnerStatus.ACTIVE


class ApiKey(models.Model):
    """A key acting for one partner (or for the data center when ``partner`` is null).

    Only ``prefix`` (to find the row) and an HMAC of the whole key with a server-side
    pepper are stored; the key itself is shown once, at creation."""

    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=10), verbose_name=_("scopes"))
    allowed_networks = ArrayField(
        models.CharField(max_length=50), default=list, blank=True, verbose_name=_("allowed IP ranges")
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.lookups.GreaterThan(models.Func("scopes", function="cardinality"), 0)
                & Q(scopes__contained_by=["read", "write"]),
                name="api_key_scopes_known",
                violation_error_message=_("Scopes are read and/or write."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class AuditEntry(AudienceMixin, models.Model):
    """Who changed what, when, from what to what, and why. Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_partner_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [*AudienceMixin.Meta.indexes, models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxEmail(models.Model):
    """An email to send. Written in the transaction of the change it reports and sent by
    a task after commit, so a rolled-back change never mails anyone."""

    to = ArrayField(models.EmailField())
    subject = models.CharField(max_length=255)
    body = models.TextField()
    kind = models.CharField(max_length=60, db_index=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox email")
        verbose_name_plural = _("email outbox")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.kind} → {', '.join(self.to)}"


class IdempotencyRecord(AudienceMixin, models.Model):
    """A POST or PATCH made with an ``Idempotency-Key`` and the response it got (DESIGN §8).

    Inserted first, in the same transaction as the write: a concurrent duplicate waits on
    the unique index, then replays the stored response. Kept 24 hours."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=1024)
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    location = models.CharField(max_length=1024, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta(AudienceMixin.Meta):
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
