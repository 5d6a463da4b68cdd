"""Battery codes (DESIGN §5): GB/T 34014-2017 layout, checked against the Catena-X regex."""

from __future__ import annotations

import re
import string

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from batteries.codes import (
    BatteryCode,
    InvalidBatteryCode,
    build_battery_code,
    build_recode,
    normalize_battery_code,
    parse_battery_code,
)
from recycling_network.errors import InvalidInput

# io.catenax.traction_battery_code 2.0.0, copied verbatim: the oracle for what is valid.
CATENA_X = re.compile(
    r"(^[A-Z0-9]{3}[PMC]{1}[A-GZ]{1}[A-Z0-9]{2}[A-Z0-9]{7}[1-9A-GH-NPR-Y]{1}[1-9A-C]{1}[0-9A-GH-NPR-Y]{1}[0-9]{7}$)"
    r"|(^[A-Z0-9]{3}[PMC]{1}[A-GZ]{1}[A-Z0-9]{2}[1-9A-GH-NPR-Y]{1}[1-9A-C]{1}[0-9A-GH-NPR-Y]{1}[0-9]{7}[R]{1}[PMC]{1}$)"
)

# The layout written out here from the standard rather than read from the code:
# (segment, first position, length, allowed characters).
ALNUM = string.ascii_uppercase + string.digits
YEAR = "123456789ABCDEFGHIJKLMNPRSTUVWXY"
DAY = "0" + YEAR
FULL = [
    ("manufacturer", 1, 3, ALNUM),
    ("product_type", 4, 1, "PMC"),
    ("battery_type", 5, 1, "ABCDEFGZ"),
    ("specification", 6, 2, ALNUM),
    ("traceability", 8, 7, ALNUM),
    ("year", 15, 1, YEAR),
    ("month", 16, 1, "123456789ABC"),
    ("day", 17, 1, DAY),
    ("serial", 18, 7, string.digits),
]
RECODE = [
    ("manufacturer", 1, 3, ALNUM),
    ("product_type", 4, 1, "PMC"),
    ("battery_type", 5, 1, "ABCDEFGZ"),
    ("specification", 6, 2, ALNUM),
    ("year", 8, 1, YEAR),
    ("month", 9, 1, "123456789ABC"),
    ("day", 10, 1, DAY),
    ("serial", 11, 7, string.digits),
    ("recode_marker", 18, 1, "R"),
    ("recode_product_type", 19, 1, "PMC"),
]
CHINESE_NAMES = {
    "manufacturer": "厂商代码",
    "product_type": "产品类型",
    "battery_type": "电池类型",
    "specification": "规格代码",
    "traceability": "追溯信息代码",
    "year": "生产年份",
    "month": "生产月份",
    "day": "生产日",
    "serial": "序列号",
    "recode_marker": "梯次利用标识",
    "recode_product_type": "梯次产品类型",
}
PRODUCT_TYPES = {"P": "pack", "M": "module", "C": "cell"}
CHEMISTRIES = dict(
    zip("ABCDEFGZ", ["nimh", "lfp", "lmo", "lco", "ternary", "supercapacitor", "lto", "other"], strict=True)
)
YEARS = dict(zip("123456789ABCDEFGHJKLMNPRSTUVWXY", range(2011, 2042), strict=True))
MONTHS = dict(zip("123456789ABC", range(1, 13), strict=True))
DAYS = dict(zip("0123456789ABCDEFGHJKLMNPRSTVWXY", [31, *range(1, 31)], strict=True))

CATENA_X_EXAMPLE = "X12MCPM27KLPCLX2M2382320"
NIO_EXAMPLE = "001PF000000000B111234567"
RECODE_EXAMPLE = "X12MCPMX2M2382320RP"
# Printable, and not removed or changed by normalising: what a corrupted character can be.
VISIBLE_ASCII = [char for char in string.printable if not char.isspace() and not char.islower()]


def _replace(code: str, position: int, char: str) -> str:
    return code[: position - 1] + char + code[position:]


def _refusal(text: str) -> InvalidBatteryCode | None:
    try:
        parse_battery_code(text)
    except InvalidBatteryCode as error:
        return error
    return None


def _bad_characters(allowed: str) -> list[str]:
    return [char for char in VISIBLE_ASCII if char not in allowed]


def test_the_catena_x_example_decodes():
    parsed = parse_battery_code(CATENA_X_EXAMPLE)
    assert parsed == BatteryCode(
        code=CATENA_X_EXAMPLE,
        manufacturer_code="X12",
        product_type="module",
        chemistry="lmo",
        specification="PM",
        traceability="27KLPCL",
        year_char="X",
        month_char="2",
        day_char="M",
        production_year=2040,
        production_month=2,
        production_day=21,
        serial="2382320",
        is_recode=False,
        recode_product_type=None,
    )
    assert str(parsed) == CATENA_X_EXAMPLE


def test_the_nio_example_decodes():
    parsed = parse_battery_code(NIO_EXAMPLE)
    assert (parsed.manufacturer_code, parsed.product_type, parsed.chemistry) == ("001", "pack", "supercapacitor")
    assert (parsed.production_year, parsed.production_month, parsed.production_day) == (2021, 1, 1)
    assert parsed.production_date.isoformat() == "2021-01-01"
    assert parsed.serial == "1234567"


def test_a_cascade_use_recode_decodes():
    parsed = parse_battery_code(RECODE_EXAMPLE)
    assert parsed.is_recode
    assert parsed.traceability is None
    assert (parsed.product_type, parsed.recode_product_type) == ("module", "pack")
    assert (parsed.specification, parsed.serial) == ("PM", "2382320")
    assert parsed.production_date.isoformat() == "2040-02-21"


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        ("1", "1", "1", "2011-01-01"),
        ("9", "C", "0", "2019-12-31"),
        ("A", "A", "Y", "2020-10-30"),
        ("H", "B", "J", "2027-11-18"),
        ("J", "1", "1", "2028-01-01"),
        ("Y", "1", "1", "2041-01-01"),
        ("B", "2", "Y", None),  # 30 February
        ("B", "4", "0", None),  # 31 April
        ("I", "1", "1", None),  # allowed by the regex, not in the year table
        ("B", "1", "I", None),  # allowed by the regex, not in the day table
        ("B", "1", "U", None),
    ],
)
def test_production_dates_are_best_effort(year, month, day, expected):
    parsed = parse_battery_code(CATENA_X_EXAMPLE[:14] + year + month + day + CATENA_X_EXAMPLE[17:])
    assert (parsed.production_date.isoformat() if parsed.production_date else None) == expected


def test_characters_outside_the_date_tables_still_make_a_valid_code():
    parsed = parse_battery_code(_replace(_replace(CATENA_X_EXAMPLE, 15, "I"), 17, "U"))
    assert (parsed.production_year, parsed.production_month, parsed.production_day) == (None, 2, None)


SEGMENT_CASES = [
    pytest.param(example, name, position, id=f"{len(example)}-{name}-{position}")
    for example, layout in ((CATENA_X_EXAMPLE, FULL), (RECODE_EXAMPLE, RECODE))
    for name, first, length, _allowed in layout
    for position in sorted({first, first + length - 1})
]


@pytest.mark.parametrize(("example", "segment", "position"), SEGMENT_CASES)
def test_every_wrong_segment_is_named_with_its_position(example, segment, position):
    allowed = next(entry[3] for entry in (FULL if len(example) == 24 else RECODE) if entry[0] == segment)
    bad = next(char for char in "XOQ-" if char not in allowed)
    with pytest.raises(InvalidBatteryCode) as caught:
        parse_battery_code(_replace(example, position, bad))
    assert (caught.value.segment, caught.value.position) == (segment, position)
    message = caught.value.message_in("en")
    assert f"Character {position} " in message
    assert f"'{bad}'" in message
    assert CHINESE_NAMES[segment] in caught.value.message_in("zh-hans")


@pytest.mark.parametrize(
    ("text", "length"),
    [("", 0), ("X12MCPM", 7), (CATENA_X_EXAMPLE + "1", 25), (CATENA_X_EXAMPLE[:-1], 23), (RECODE_EXAMPLE + "1", 20)],
)
def test_a_wrong_length_is_named(text, length):
    with pytest.raises(InvalidBatteryCode) as caught:
        parse_battery_code(text)
    assert (caught.value.segment, caught.value.position) == ("length", None)
    assert caught.value.message_in("en") == (
        f"The battery code has {length} characters; it must have 24 (or 19 for a cascade-use re-code)."
    )
    assert caught.value.message_in("zh-hans") == f"电池编码为 {length} 位，应为 24 位（梯次利用重新编码为 19 位）。"


@pytest.mark.parametrize("value", [None, 123, b"X12MCPM27KLPCLX2M2382320"])
def test_a_value_that_is_not_text_is_refused_as_invalid(value):
    with pytest.raises(InvalidBatteryCode) as caught:
        parse_battery_code(value)
    assert caught.value.segment == "characters"


@pytest.mark.parametrize(
    "text",
    [
        "".join(chr(ord(char) + 0xFEE0) for char in CATENA_X_EXAMPLE),  # full-width, as typed with a Chinese IME
        CATENA_X_EXAMPLE.lower(),
        f"  {CATENA_X_EXAMPLE}\n",
        "X12 MCPM 27KLPCL\tX2M 2382320",
        "X12\u3000MCPM\u200b27KLPCL\ufeffX2M\u00a02382320",  # ideographic space, zero-width space, BOM, nbsp
    ],
)
def test_typing_variants_normalise_to_the_same_code(text):
    assert parse_battery_code(text).code == CATENA_X_EXAMPLE


def test_normalising_leaves_a_clean_code_alone():
    assert normalize_battery_code(CATENA_X_EXAMPLE) == CATENA_X_EXAMPLE


@pytest.mark.parametrize(
    ("position", "char", "segment", "shown"),
    [(5, "中", "battery_type", "'中'"), (1, "\x00", "manufacturer", "'U+0000'"), (20, "😀", "serial", "'😀'")],
)
def test_odd_characters_are_named_with_the_segment_they_fall_in(position, char, segment, shown):
    with pytest.raises(InvalidBatteryCode) as caught:
        parse_battery_code(_replace(CATENA_X_EXAMPLE, position, char))
    assert (caught.value.segment, caught.value.position) == (segment, position)
    assert shown in caught.value.message_in("en")


def test_the_message_is_in_the_language_it_is_read_in():
    with translation.override("zh-hans"), pytest.raises(InvalidBatteryCode) as caught:
        parse_battery_code(_replace(CATENA_X_EXAMPLE, 5, "X"))
    error = caught.value
    with translation.override("en"):
        assert str(error.message) == "Character 5 (battery type) is 'X'; it must be A-G or Z."
    with translation.override("zh-hans"):
        assert str(error.message) == "第 5 位（电池类型）为“X”，应为 A-G 或 Z。"
    assert error.message_in("en") != error.message_in("zh-hans")


def test_the_error_is_an_api_error():
    with pytest.raises(InvalidBatteryCode) as caught:
        parse_battery_code(_replace(CATENA_X_EXAMPLE, 16, "D"))
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert isinstance(error, ValueError)
    assert (error.code, error.status) == ("battery_code_invalid", 400)
    assert error.extra == {"segment": "month", "position": 16}


def test_every_single_character_change_agrees_with_the_regex():
    for example in (CATENA_X_EXAMPLE, RECODE_EXAMPLE):
        for position in range(1, len(example) + 1):
            for char in VISIBLE_ASCII:
                code = _replace(example, position, char)
                refusal = _refusal(code)
                assert (refusal is None) == bool(CATENA_X.fullmatch(code)), code
                assert refusal is None or refusal.position == position


def test_codes_are_built_from_parts():
    assert (
        build_battery_code(
            manufacturer="X12",
            product_type_char="M",
            battery_type_char="C",
            spec="PM",
            trace="27KLPCL",
            year_char="X",
            month_char="2",
            day_char="M",
            serial="2382320",
        )
        == CATENA_X_EXAMPLE
    )
    recode = {"manufacturer": "X12", "product_type_char": "M", "battery_type_char": "C", "spec": "PM"}
    recode |= {"year_char": "X", "month_char": "2", "day_char": "M", "serial": "2382320", "recode_product_char": "P"}
    assert build_recode(**recode) == RECODE_EXAMPLE
    with pytest.raises(InvalidBatteryCode):
        build_recode(**{**recode, "recode_product_char": "R"})
    with pytest.raises(ValueError, match="manufacturer"):
        build_recode(**{**recode, "manufacturer": "X1", "spec": "PMM"})


# Properties -----------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@st.composite
def valid_codes(draw: st.DrawFn) -> tuple[list[tuple[str, int, int, str]], dict[str, str]]:
    layout = draw(st.sampled_from([FULL, RECODE]))
    parts = {
        name: draw(st.text(alphabet=allowed, min_size=length, max_size=length))
        for name, _first, length, allowed in layout
    }
    return layout, parts


@PROPERTY_SETTINGS
@given(valid_codes())
def test_a_valid_code_parses_back_to_its_parts(drawn):
    layout, parts = drawn
    code = "".join(parts.values())
    assert CATENA_X.fullmatch(code)
    parsed = parse_battery_code(code)
    is_recode = layout is RECODE
    assert parsed == BatteryCode(
        code=code,
        manufacturer_code=parts["manufacturer"],
        product_type=PRODUCT_TYPES[parts["product_type"]],
        chemistry=CHEMISTRIES[parts["battery_type"]],
        specification=parts["specification"],
        traceability=None if is_recode else parts["traceability"],
        year_char=parts["year"],
        month_char=parts["month"],
        day_char=parts["day"],
        production_year=YEARS.get(parts["year"]),
        production_month=MONTHS[parts["month"]],
        production_day=DAYS.get(parts["day"]),
        serial=parts["serial"],
        is_recode=is_recode,
        recode_product_type=PRODUCT_TYPES[parts["recode_product_type"]] if is_recode else None,
    )


@PROPERTY_SETTINGS
@given(valid_codes(), st.data())
def test_a_code_with_one_wrong_segment_is_refused_naming_it(drawn, data):
    layout, parts = drawn
    name, first, length, allowed = data.draw(st.sampled_from(layout))
    position = data.draw(st.integers(first, first + length - 1))
    code = _replace("".join(parts.values()), position, data.draw(st.sampled_from(_bad_characters(allowed))))
    with pytest.raises(InvalidBatteryCode) as caught:
        parse_battery_code(code)
    assert (caught.value.segment, caught.value.position) == (name, position)
    assert not CATENA_X.fullmatch(code)


@PROPERTY_SETTINGS
@given(st.text())
def test_any_text_is_either_a_code_or_an_invalid_battery_code(text):
    refusal = _refusal(text)  # anything but InvalidBatteryCode propagates and fails the test
    assert (refusal is None) == bool(CATENA_X.fullmatch(normalize_battery_code(text)))
