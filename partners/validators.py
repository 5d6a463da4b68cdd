"""Identifiers of enterprises and of the codes they claim.

- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters,
  registration authority (1), entity type (1), administrative division (6),
  organisation code (9, GB 11714-1997 with its own check character), check (1).
- Battery manufacturer code, GB/T 34014-2017: 3 characters A-Z 0-9.
- World manufacturer identifier (WMI), ISO 3780: the first 3 VIN characters,
  which exclude I, O and Q.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 excludes I, O, Z, S, V
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

MANUFACTURER_CODE_RE = re.compile(r"^[A-Z0-9]{3}$")
WMI_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{3}$")
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def normalize_code(value: str) -> str:
    """Trim, fold full-width characters to half-width (NFKC) and upper-case."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def credit_code_check_character(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def _organization_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def organization_code_check_character(body8: str) -> str:
    remainder = 11 - sum(_organization_value(c) * w for c, w in zip(body8, ORGANIZATION_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_credit_code(value: str) -> str:
    """Return the normalised code or raise ``ValidationError`` naming what is wrong."""
    code = normalize_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            code="credit_code_length",
            params={"length": len(code)},
        )
    bad = [c for c in code if c not in CREDIT_CODE_CHARSET]
    if bad:
        raise ValidationError(
            _(
                "The unified social credit code contains characters it may not use: %(chars)s (I, O, Z, S and V never occur)."
            ),
            code="credit_code_charset",
            params={"chars": "".join(dict.fromkeys(bad))},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of the unified social credit code must be an administrative division code (digits)."),
            code="credit_code_division",
        )
    organization = code[8:17]
    if organization_code_check_character(organization[:8]) != organization[8]:
        raise ValidationError(
            _("Characters 9 to 17 are not a valid organisation code: its check character (GB 11714) does not match."),
            code="credit_code_organization_check",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "The check character of the unified social credit code (GB 32100) does not match; please check for typing errors."
            ),
            code="credit_code_check",
        )
    return code


def validate_manufacturer_code(value: str) -> str:
    code = normalize_code(value)
    if not MANUFACTURER_CODE_RE.match(code):
        raise ValidationError(
            _("A battery manufacturer code (GB/T 34014) is 3 characters, letters A-Z or digits."),
            code="manufacturer_code_invalid",
        )
    return code


def validate_wmi(value: str) -> str:
    code = normalize_code(value)
    if not WMI_RE.match(code):
        raise ValidationError(
            _("A WMI is the first 3 characters of a VIN: letters or digits, never I, O or Q."),
            code="wmi_invalid",
        )
    return code


def validate_vin(value: str) -> str:
    vin = normalize_code(value)
    if not VIN_RE.match(vin):
        raise ValidationError(
            _("A VIN has 17 characters, letters or digits, never I, O or Q."),
            code="vin_invalid",
        )
    return vin
