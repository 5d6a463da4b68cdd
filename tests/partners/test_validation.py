"""Identifiers: credit codes, manufacturer codes and WMIs, with messages in both languages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from partners import services
from partners.models import Partner
from partners.validators import validate_credit_code, validate_manufacturer_code, validate_wmi
from recycling_network.errors import Conflict, InvalidInput
from tests.builders import DATACENTER, call, claim_code, credit_code, make_partner

# Published codes of real enterprises (public registry data).
REAL_CODES = ["91350100M000100Y43", "91110000100011743X", "91440300708461136T", "91110108551385082Q"]


def _message(error: ValidationError, language: str) -> str:
    with translation.override(language):
        return str(error.messages[0])


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_are_accepted(code):
    assert validate_credit_code(code) == code


def test_credit_codes_are_normalised_before_checking():
    code = REAL_CODES[0]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert validate_credit_code(f"  {full_width} ") == code


@pytest.mark.parametrize(
    ("code", "error_code", "zh", "en"),
    [
        ("91350100M000100Y4", "credit_code_length", "18", "18 characters"),
        ("91350100M000100Y43X", "credit_code_length", "18", "18 characters"),
        ("91350100M0001O0Y43", "credit_code_charset", "O", "I, O, Z, S and V"),
        ("913501A0M000100Y43", "credit_code_division", "行政区划", "administrative division"),
        ("91350100M000100Y53", "credit_code_organization_check", "组织机构代码", "organisation code"),
        ("91350100M000100Y44", "credit_code_check", "校验码", "check character"),
    ],
)
def test_each_kind_of_invalid_credit_code_is_named_in_both_languages(code, error_code, zh, en):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.code == error_code
    assert zh in _message(error.value, "zh-hans")
    assert en in _message(error.value, "en")


@pytest.mark.parametrize("code", ["001", "03U", "X12"])
def test_manufacturer_codes(code):
    assert validate_manufacturer_code(code.lower()) == code


@pytest.mark.parametrize("code", ["01", "0012", "0-1", "中01"])
def test_bad_manufacturer_codes(code):
    with pytest.raises(ValidationError) as error:
        validate_manufacturer_code(code)
    assert "GB/T 34014" in _message(error.value, "en")
    assert "GB/T 34014" in _message(error.value, "zh-hans")
    assert _message(error.value, "zh-hans") != _message(error.value, "en")


@pytest.mark.parametrize("code", ["LSV", "LFV", "5YJ", "WBA"])
def test_wmis(code):
    assert validate_wmi(code) == code


@pytest.mark.parametrize("code", ["LIV", "LOV", "LQV", "LS", "LSVA"])
def test_bad_wmis(code):
    with pytest.raises(ValidationError) as error:
        validate_wmi(code)
    assert "VIN" in _message(error.value, "en")
    assert "VIN" in _message(error.value, "zh-hans")
    assert _message(error.value, "zh-hans") != _message(error.value, "en")


def test_the_database_rejects_a_malformed_credit_code_even_without_the_service(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="坏企业", credit_code="91350100M000100YO3", kinds=["recycler"])


def test_a_code_claimed_by_two_partners(db):
    first = make_partner(kinds=["battery_maker"])
    second = make_partner(kinds=["battery_maker"])
    claim_code(first, "manufacturer", "C4T")
    with pytest.raises(Conflict) as error:
        call(DATACENTER, services.code_claim_submit, partner=second, kind="manufacturer", code="c4t")
    assert error.value.code == "code_already_claimed"
    with translation.override("zh-hans"):
        assert "已被" in str(error.value)


def test_a_pending_claim_also_blocks_a_second_claimant_but_a_rejected_one_does_not(db):
    first = make_partner(kinds=["automaker"])
    second = make_partner(kinds=["automaker"])
    pending = claim_code(first, "wmi", "LNB", approve=False)
    with pytest.raises(Conflict):
        call(DATACENTER, services.code_claim_submit, partner=second, kind="wmi", code="LNB")
    call(DATACENTER, services.code_claim_reject, claim=pending, reason="无备案记录")
    assert call(DATACENTER, services.code_claim_submit, partner=second, kind="wmi", code="LNB").partner_id == second.pk


def test_only_matching_kinds_may_claim(db):
    recycler = make_partner(kinds=["recycler"])
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, services.code_claim_submit, partner=recycler, kind="wmi", code="LSV")
    assert error.value.code == "code_kind_not_allowed"


def test_partner_creation_rejects_a_bad_credit_code_with_its_reason(db):
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, services.partner_create, name="某企业", credit_code="91350100M000100Y44", kinds=["recycler"])
    assert error.value.code == "credit_code_check"
    assert "credit_code" in error.value.errors


def test_duplicate_partners_are_a_conflict(db):
    code = credit_code(424242)
    call(DATACENTER, services.partner_create, name="甲企业", credit_code=code, kinds=["recycler"])
    with pytest.raises(Conflict):
        call(DATACENTER, services.partner_create, name="乙企业", credit_code=code, kinds=["recycler"])
