"""Sharing authorisations: grant, revoke, history (DESIGN §6)."""

from __future__ import annotations

import pytest

from outlets import selectors, services
from outlets.models import OutletStatus, SharingGrant
from partners.models import AuditEntry
from recycling_network.errors import Conflict, InvalidInput, NotFound
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import admin_of, call, make_outlet, make_partner


def test_grant_revoke_and_grant_again_keep_the_history(db):
    operator, automaker = make_partner(), make_partner(kinds=["automaker"])
    outlet = make_outlet(operator)
    admin = admin_of(operator)
    grant = call(admin, services.sharing_grant, outlet=outlet, grantee=automaker)
    with run_as(admin_of(automaker)):
        assert selectors.network_outlets(automaker.pk).filter(pk=outlet.pk).exists()
    with pytest.raises(Conflict):
        call(admin, services.sharing_grant, outlet=outlet, grantee=automaker)
    call(admin, services.sharing_revoke, grant=grant, reason="合作结束")
    with run_as(admin_of(automaker)):
        assert not selectors.network_outlets(automaker.pk).filter(pk=outlet.pk).exists()
    call(admin, services.sharing_grant, outlet=outlet, grantee=automaker)
    with run_as(SYSTEM):
        rows = list(SharingGrant.objects.filter(outlet=outlet).order_by("id").values_list("revoked_at", flat=True))
        actions = list(AuditEntry.objects.filter(action__startswith="sharing.").values_list("action", flat=True))
    assert len(rows) == 2
    assert rows[0] is not None
    assert rows[1] is None
    assert sorted(actions) == ["sharing.grant", "sharing.grant", "sharing.revoke"]


def test_only_the_operator_grants(db):
    operator, other, automaker = make_partner(), make_partner(), make_partner(kinds=["automaker"])
    outlet = make_outlet(operator)
    with pytest.raises(NotFound):
        call(admin_of(other), services.sharing_grant, outlet=outlet, grantee=automaker)


def test_a_grant_needs_an_approved_outlet_and_another_active_partner(db):
    operator, automaker = make_partner(), make_partner(kinds=["automaker"])
    admin = admin_of(operator)
    with pytest.raises(Conflict):
        call(admin, services.sharing_grant, outlet=make_outlet(operator, status=OutletStatus.DRAFT), grantee=automaker)
    with pytest.raises(InvalidInput):
        call(admin, services.sharing_grant, outlet=make_outlet(operator), grantee=operator)


def test_the_grantee_sees_the_grant_and_a_third_partner_does_not(db):
    operator, automaker, third = make_partner(), make_partner(kinds=["automaker"]), make_partner()
    grant = call(admin_of(operator), services.sharing_grant, outlet=make_outlet(operator), grantee=automaker)
    grantee_actor, third_actor = admin_of(automaker), admin_of(third)
    with run_as(grantee_actor):
        assert list(selectors.grants_for(grantee_actor)) == [grant]
    with run_as(third_actor):
        assert list(selectors.grants_for(third_actor)) == []
        assert not SharingGrant.objects.exists()
