"""Traction battery codes (DESIGN §5).

GB/T 34014-2017 (汽车动力蓄电池编码规则) gives every pack, module and cell a 24-character
code::

    manufacturer(3) product type(1) battery type(1) specification(2) traceability(7)
    year(1) month(1) day(1) serial(7)

A battery re-coded for cascade use drops the 7-character traceability segment and ends
in ``R`` plus the product type of the re-coded product, 19 characters in all.

Validation follows the Catena-X regex (io.catenax.traction_battery_code 2.0.0) exactly,
because partners check codes against it too. Decoding the date characters is best effort:
the standard's tables are not public, so the year and day tables below are those that
two public implementations agree on, and a character the regex allows but the tables
do not cover decodes to ``None`` instead of being refused.
"""

from __future__ import annotations

import datetime
import string
import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from recycling_network.errors import InvalidInput
from recycling_network.i18n import lazy_format

CODE_LENGTH = 24
RECODE_LENGTH = 19

_ALNUM = string.ascii_uppercase + string.digits
# The regex's class [1-9A-GH-NPR-Y] spans H-N, so it allows I; only O, Q and Z are out.
_YEAR = "123456789ABCDEFGHIJKLMNPRSTUVWXY"
_DAY = "0" + _YEAR

PRODUCT_TYPES = {"P": "pack", "M": "module", "C": "cell"}
CHEMISTRIES = {
    "A": "nimh",
    "B": "lfp",
    "C": "lmo",
    "D": "lco",
    "E": "ternary",
    "F": "supercapacitor",
    "G": "lto",
    "Z": "other",
}
# I is valid per the regex but has no year in the tables (they skip I, O and Q).
_YEARS = {char: 2011 + i for i, char in enumerate("123456789")} | {
    char: 2020 + i for i, char in enumerate("ABCDEFGHJKLMNPRSTUVWXY")
}
_MONTHS = {char: i for i, char in enumerate("123456789ABC", start=1)}
# The day table skips I, O, Q, U and Z, so valid day characters I and U decode to None.
_DAYS = {char: i for i, char in enumerate("123456789ABCDEFGHJKLMNPRSTVWXY", start=1)} | {"0": 31}


@dataclass(frozen=True)
class _Segment:
    name: str
    length: int
    alphabet: str
    label: Promise
    allowed: Promise


_MANUFACTURER = _Segment("manufacturer", 3, _ALNUM, _("manufacturer code"), _("A-Z or 0-9"))
_PRODUCT_TYPE = _Segment("product_type", 1, "PMC", _("product type"), _("P, M or C"))
_BATTERY_TYPE = _Segment("battery_type", 1, "ABCDEFGZ", _("battery type"), _("A-G or Z"))
_SPECIFICATION = _Segment("specification", 2, _ALNUM, _("specification code"), _("A-Z or 0-9"))
_TRACEABILITY = _Segment("traceability", 7, _ALNUM, _("traceability code"), _("A-Z or 0-9"))
_YEAR_SEGMENT = _Segment("year", 1, _YEAR, _("production year"), _("1-9, or A-Y except O and Q"))
_MONTH = _Segment("month", 1, "123456789ABC", _("production month"), _("1-9 or A-C"))
_DAY_SEGMENT = _Segment("day", 1, _DAY, _("production day"), _("0-9, or A-Y except O and Q"))
_SERIAL = _Segment("serial", 7, string.digits, _("serial number"), _("a digit 0-9"))
_RECODE_MARKER = _Segment("recode_marker", 1, "R", _("cascade-use marker"), _("the letter R"))
_RECODE_PRODUCT_TYPE = _Segment("recode_product_type", 1, "PMC", _("cascade-use product type"), _("P, M or C"))

_LAYOUTS = {
    CODE_LENGTH: (
        _MANUFACTURER,
        _PRODUCT_TYPE,
        _BATTERY_TYPE,
        _SPECIFICATION,
        _TRACEABILITY,
        _YEAR_SEGMENT,
        _MONTH,
        _DAY_SEGMENT,
        _SERIAL,
    ),
    RECODE_LENGTH: (
        _MANUFACTURER,
        _PRODUCT_TYPE,
        _BATTERY_TYPE,
        _SPECIFICATION,
        _YEAR_SEGMENT,
        _MONTH,
        _DAY_SEGMENT,
        _SERIAL,
        _RECODE_MARKER,
        _RECODE_PRODUCT_TYPE,
    ),
}


class InvalidBatteryCode(InvalidInput, ValueError):
    """A code that does not follow the standard; ``segment`` and ``position`` say where."""

    code = "battery_code_invalid"

    def __init__(self, message: str | Promise, *, segment: str, position: int | None = None) -> None:
        self.segment = segment
        self.position = position
        super().__init__(message, extra={"segment": segment, "position": position})


@dataclass(frozen=True)
class BatteryCode:
    code: str
    manufacturer_code: str
    product_type: str
    chemistry: str
    specification: str
    traceability: str | None
    year_char: str
    month_char: str
    day_char: str
    production_year: int | None
    production_month: int
    production_day: int | None
    serial: str
    is_recode: bool
    recode_product_type: str | None

    @property
    def production_date(self) -> datetime.date | None:
        if self.production_year is None or self.production_day is None:
            return None
        try:
            return datetime.date(self.production_year, self.production_month, self.production_day)
        except ValueError:  # e.g. 30 February: the character is valid, the date is not
            return None

    def __str__(self) -> str:
        return self.code


def normalize_battery_code(text: str) -> str:
    """Full-width to half-width, no whitespace or invisible characters anywhere, upper case."""
    text = unicodedata.normalize("NFKC", text)
    # Codes are pasted from PDFs and spreadsheets, which bring spaces and zero-width characters (category Cf).
    text = "".join(char for char in text if not char.isspace() and unicodedata.category(char) != "Cf")
    return text.upper()


def parse_battery_code(text: str) -> BatteryCode:
    """Validate and decode a 24-character code or a 19-character cascade-use re-code."""
    if not isinstance(text, str):  # a JSON number or null must still be a 400, not a 500
        raise InvalidBatteryCode(_("The battery code must be text."), segment="characters")
    code = normalize_battery_code(text)
    layout = _LAYOUTS.get(len(code))
    if layout is None:
        raise InvalidBatteryCode(
            lazy_format(
                _("The battery code has %(length)s characters; it must have 24 (or 19 for a cascade-use re-code)."),
                length=len(code),
            ),
            segment="length",
        )
    parts: dict[str, str] = {}
    start = 0
    for segment in layout:
        value = code[start : start + segment.length]
        for offset, char in enumerate(value):
            if char not in segment.alphabet:
                raise _bad_character(segment, start + offset + 1, char)
        parts[segment.name] = value
        start += segment.length
    is_recode = len(code) == RECODE_LENGTH
    return BatteryCode(
        code=code,
        manufacturer_code=parts["manufacturer"],
        product_type=PRODUCT_TYPES[parts["product_type"]],
        chemistry=CHEMISTRIES[parts["battery_type"]],
        specification=parts["specification"],
        traceability=parts.get("traceability"),
        year_char=parts["year"],
        month_char=parts["month"],
        day_char=parts["day"],
        production_year=_YEARS.get(parts["year"]),
        production_month=_MONTHS[parts["month"]],
        production_day=_DAYS.get(parts["day"]),
        serial=parts["serial"],
        is_recode=is_recode,
        recode_product_type=PRODUCT_TYPES[parts["recode_product_type"]] if is_recode else None,
    )


def _bad_character(segment: _Segment, position: int, char: str) -> InvalidBatteryCode:
    # A NUL or a control character would be invisible in the message.
    shown = char if char.isprintable() else f"U+{ord(char):04X}"
    return InvalidBatteryCode(
        lazy_format(
            _("Character %(position)s (%(segment)s) is '%(character)s'; it must be %(allowed)s."),
            position=position,
            segment=segment.label,
            character=shown,
            allowed=segment.allowed,
        ),
        segment=segment.name,
        position=position,
    )


def build_battery_code(
    *,
    manufacturer: str,
    product_type_char: str,
    battery_type_char: str,
    spec: str,
    trace: str,
    year_char: str,
    month_char: str,
    day_char: str,
    serial: str,
) -> str:
    """A 24-character code from its parts (for demo data and tests); raises if they do not make a valid one."""
    values = (manufacturer, product_type_char, battery_type_char, spec, trace, year_char, month_char, day_char, serial)
    return _assemble(_LAYOUTS[CODE_LENGTH], values)


def build_recode(
    *,
    manufacturer: str,
    product_type_char: str,
    battery_type_char: str,
    spec: str,
    year_char: str,
    month_char: str,
    day_char: str,
    serial: str,
    recode_product_char: str,
) -> str:
    """A 19-character cascade-use re-code from its parts; raises if they do not make a valid one."""
    values = (manufacturer, product_type_char, battery_type_char, spec, year_char, month_char, day_char, serial)
    return _assemble(_LAYOUTS[RECODE_LENGTH], (*values, "R", recode_product_char))


def _assemble(layout: tuple[_Segment, ...], values: tuple[str, ...]) -> str:
    # Parts of the wrong sizes can still add up to a length that parses, shifted.
    for segment, value in zip(layout, values, strict=True):
        if len(value) != segment.length:
            raise ValueError(f"{segment.name} must have {segment.length} characters, not {value!r}")
    return parse_battery_code("".join(values)).code
