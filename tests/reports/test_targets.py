"""Yearly targets: seeded for the current year, changed by the data center only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recycling_network.errors import Forbidden, InvalidInput
from reports.models import YearlyTarget
from reports.reference_data import REGIONAL_TARGETS
from reports.services import yearly_target_set
from tests.builders import DATACENTER, admin_of, call, make_partner

pytestmark = pytest.mark.django_db


def test_the_current_year_is_seeded_with_150_new_outlets_split_over_the_regions():
    year = timezone.localdate().year
    assert YearlyTarget.objects.get(year=year, region__isnull=True).new_outlets == 150
    regional = dict(YearlyTarget.objects.filter(year=year, region__isnull=False).values_list("region", "new_outlets"))
    assert regional == REGIONAL_TARGETS
    assert sum(regional.values()) == 150


def test_the_data_center_sets_targets():
    call(DATACENTER, yearly_target_set, year=2031, new_outlets=200)
    call(DATACENTER, yearly_target_set, year=2031, new_outlets=30, region="PRD")
    call(DATACENTER, yearly_target_set, year=2031, new_outlets=220)
    assert dict(YearlyTarget.objects.filter(year=2031).values_list("region", "new_outlets")) == {None: 220, "PRD": 30}
    with pytest.raises(Forbidden):
        call(admin_of(make_partner()), yearly_target_set, year=2031, new_outlets=1)
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, yearly_target_set, year=1999, new_outlets=-1, region="MARS")
    assert set(error.value.errors) == {"year", "new_outlets", "region"}
