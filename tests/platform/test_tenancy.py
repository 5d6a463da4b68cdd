"""The tenancy boundary (DESIGN §4, §12): selectors and row-level security, each alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, connections, transaction
from django.test import Client

from outlets import selectors as outlet_selectors
from outlets.models import Outlet, OutletContact, OutletStatus, OutletTransition
from partners import selectors as partner_selectors
from partners.models import AuditEntry, CodeClaim, PartnerContact
from recycling_network import tenancy
from recycling_network.errors import NotFound
from recycling_network.rls import AudienceMixin
from recycling_network.tenancy import ANONYMOUS, SYSTEM, run_as
from tests.builders import admin_of, claim_code, make_outlet, make_partner, system_rows

REPO = Path(__file__).resolve().parents[2]
RLS_MODELS = [m for m in apps.get_models() if issubclass(m, AudienceMixin)]


@pytest.fixture
def two_partners(db):
    """Partners A and B, each with a draft outlet, an approved one, a code claim and contacts."""
    a = make_partner(kinds=["outlet_operator", "battery_maker"])
    b = make_partner(kinds=["outlet_operator", "battery_maker"])
    world = {"a": a, "b": b}
    for key, partner in (("a", a), ("b", b)):
        world[f"{key}_draft"] = make_outlet(partner, status=OutletStatus.DRAFT)
        world[f"{key}_approved"] = make_outlet(partner)
        world[f"{key}_claim"] = claim_code(partner, "manufacturer", "A1" + key.upper(), approve=False)
    return world


def _assert_rn_app() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "rn_app"


def _foreign_rows_exist(world: dict) -> None:
    b = world["b"]
    assert system_rows(Outlet, pk=world["b_draft"].pk)
    assert system_rows(CodeClaim, partner=b)
    assert system_rows(PartnerContact, partner=b)
    assert system_rows(OutletContact, outlet__operator=b)


def test_selectors_show_own_rows_and_none_of_another(two_partners):
    w = two_partners
    _assert_rn_app()
    _foreign_rows_exist(w)
    actor = admin_of(w["a"])
    with run_as(actor):
        outlets = set(outlet_selectors.visible_outlets(actor).values_list("pk", flat=True))
        assert w["a_draft"].pk in outlets and w["a_approved"].pk in outlets
        assert w["b_draft"].pk not in outlets
        # B's approved outlet is public: its public fields are visible, its private ones are not.
        assert w["b_approved"].pk in outlets
        assert not outlet_selectors.sees_private_fields(actor, w["b_approved"])
        assert list(outlet_selectors.outlet_contacts(actor, w["b_approved"])) == []
        assert list(outlet_selectors.outlet_history(actor, w["b_approved"])) == []
        claims = set(partner_selectors.visible_code_claims(actor).values_list("partner_id", flat=True))
        assert claims == {w["a"].pk}
        assert list(partner_selectors.partner_contacts(actor, w["b"])) == []
        assert set(partner_selectors.visible_partners(actor).values_list("pk", flat=True)) == {w["a"].pk}
        audit_partners = set()
        for audience in partner_selectors.visible_audit_entries(actor).values_list("audience", flat=True):
            audit_partners.update(audience)
        assert w["b"].pk not in audit_partners


def test_unscoped_orm_queries_in_a_partner_context_return_only_its_rows(two_partners):
    w = two_partners
    _assert_rn_app()
    _foreign_rows_exist(w)
    a = w["a"]
    with run_as(admin_of(a)):
        assert set(CodeClaim.objects.values_list("partner_id", flat=True)) == {a.pk}
        assert set(PartnerContact.objects.values_list("partner_id", flat=True)) == {a.pk}
        assert set(OutletContact.objects.values_list("outlet__operator_id", flat=True)) == {a.pk}
        assert set(OutletTransition.objects.values_list("outlet__operator_id", flat=True)) == {a.pk}
        outlets = Outlet.objects.all()
        assert not outlets.filter(pk=w["b_draft"].pk).exists()
        assert outlets.filter(pk=w["b_approved"].pk).exists()  # public row
        audit_audiences = list(AuditEntry.objects.values_list("audience", flat=True))
        assert audit_audiences and all(a.pk in audience for audience in audit_audiences)


def test_without_a_context_partner_visible_tables_return_no_rows(two_partners):
    _assert_rn_app()
    _foreign_rows_exist(two_partners)
    with transaction.atomic():
        tenancy.deactivate()
        for model in RLS_MODELS:
            assert model.objects.count() == 0, model
    with run_as(ANONYMOUS):
        # Anonymous callers see only public outlet rows and nothing private.
        assert set(Outlet.objects.values_list("status", flat=True)) <= {"approved", "suspended", "closed"}
        for model in RLS_MODELS:
            if model is not Outlet:
                assert model.objects.count() == 0, model


def test_every_partner_visible_table_has_forced_row_level_security(db):
    assert len(RLS_MODELS) >= 8
    with connection.cursor() as cursor:
        for model in RLS_MODELS:
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s", [model._meta.db_table]
            )
            assert cursor.fetchone() == (True, True), model._meta.db_table


def test_database_roles_are_neither_superuser_nor_bypass_rls_and_rn_app_owns_nothing(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname IN ('rn_app', 'rn_owner') ORDER BY 1"
        )
        assert cursor.fetchall() == [("rn_app", False, False), ("rn_owner", False, False)]
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.rolname = 'rn_app'"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.rolname = 'rn_owner' AND n.nspname = 'public'"
        )
        assert cursor.fetchone()[0] > 20


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_selectors_alone_hide_foreign_rows_when_row_level_security_is_off():
    from tests.builders import make_outlet as build_outlet
    from tests.builders import make_partner as build_partner

    a, b = build_partner(), build_partner(kinds=["outlet_operator", "battery_maker"])
    b_draft = build_outlet(b, status=OutletStatus.DRAFT)
    a_draft = build_outlet(a, status=OutletStatus.DRAFT)
    claim_code(b, "manufacturer", "B9B", approve=False)
    tables = [m._meta.db_table for m in (Outlet, CodeClaim, PartnerContact, OutletContact, OutletTransition)]
    owner = connections["owner"]
    with owner.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            cursor.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    try:
        actor = admin_of(a)
        with transaction.atomic():
            tenancy.deactivate()
            # The control: with RLS off, the raw table shows B's draft even without a context.
            assert Outlet.objects.filter(pk=b_draft.pk).exists()
            ids = set(outlet_selectors.visible_outlets(actor).values_list("pk", flat=True))
            assert a_draft.pk in ids and b_draft.pk not in ids
            with pytest.raises(NotFound):
                outlet_selectors.get_outlet(actor, b_draft.pk)
            assert set(partner_selectors.visible_code_claims(actor).values_list("partner_id", flat=True)) <= {a.pk}
            assert list(partner_selectors.partner_contacts(actor, b)) == []
            assert list(outlet_selectors.outlet_contacts(actor, b_draft)) == []
            assert list(outlet_selectors.outlet_history(actor, b_draft)) == []
    finally:
        with owner.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
                cursor.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')


@pytest.mark.django_db(transaction=True)
def test_a_context_set_in_one_request_is_gone_in_the_next(settings):
    settings.ROOT_URLCONF = "tests.platform.context_urls"
    partner = make_partner()
    from tests.builders import make_user

    user = make_user(partner)
    client = Client()
    client.force_login(user)
    assert client.get("/context/").json() == {"role": "partner", "partner_id": partner.pk}
    # Between requests the connection holds no context at all.
    assert tenancy.current_context() == ("", None)
    client.logout()
    assert client.get("/context/").json() == {"role": "anonymous", "partner_id": None}
    assert Client().get("/context/").json() == {"role": "anonymous", "partner_id": None}


def test_run_as_restores_the_outer_context(db):
    partner = make_partner()
    with run_as(admin_of(partner)):
        assert tenancy.current_context() == ("partner", partner.pk)
        with run_as(SYSTEM):
            assert tenancy.current_context() == ("system", None)
        assert tenancy.current_context() == ("partner", partner.pk)


def _parallel_workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)  # the setting must end with a real transaction
def test_a_requests_context_runs_without_parallel_workers_and_a_tasks_keeps_them():
    """A request reads a page: starting workers costs more than it saves (the planner
    overrates them on audience-filtered lists, docs/performance.md). Reports keep them."""
    partner = make_partner()
    default = _parallel_workers()
    assert default != "0"
    with transaction.atomic():
        tenancy.activate(admin_of(partner))
        assert _parallel_workers() == "0"
        tenancy.deactivate()
    assert _parallel_workers() == default  # set for the transaction only
    with run_as(admin_of(partner)):
        assert _parallel_workers() == default


@pytest.mark.django_db(transaction=True)
def test_setting_a_context_outside_a_transaction_is_refused():
    # Transaction-local settings would vanish with the statement that set them.
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        tenancy.activate(SYSTEM)


def test_nothing_but_tenancy_calls_set_config():
    offenders = []
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if relative.parts[0] in {".venv", "tests", "node_modules", ".data"}:
            continue
        if relative.as_posix() == "recycling_network/tenancy.py":
            continue
        if re.search(r"set_config\s*\(", path.read_text(encoding="utf-8")):
            offenders.append(relative.as_posix())
    assert offenders == []
    assert "set_config(" in (REPO / "recycling_network" / "tenancy.py").read_text()


def test_the_application_role_cannot_change_the_schema(db):
    from django.db import ProgrammingError

    with (
        pytest.raises(ProgrammingError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("CREATE TABLE rn_app_may_not (id int)")
    with pytest.raises(ProgrammingError, match="must be owner"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE batteries_battery DISABLE ROW LEVEL SECURITY")
