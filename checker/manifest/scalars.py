"""What an unquoted (plain) YAML scalar means: YAML 1.2 as ruamel.yaml reads it.

qlik-drift reads manifests with the YAML 1.2 core schema, extended the way
ruamel.yaml 0.18 extends it (its default loader): ``_`` digit separators,
``0b`` binary and ``0o`` octal integers, and dates and timestamps. Under
YAML 1.2, ``yes``, ``no``, ``on``, ``off``, ``y`` and ``n`` are strings; YAML
1.1 tools (PyYAML, many linters) read them as booleans, so qlik-drift warns
about them where a string is expected.

Both parsers of this package (the fast line reader and the libyaml one)
resolve plain scalars here, so they agree on the meaning. The tests check this
module against ruamel.yaml's own resolver and constructors.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

TAG_PREFIX = "tag:yaml.org,2002:"
STR_TAG = TAG_PREFIX + "str"
INT_TAG = TAG_PREFIX + "int"
FLOAT_TAG = TAG_PREFIX + "float"
BOOL_TAG = TAG_PREFIX + "bool"
NULL_TAG = TAG_PREFIX + "null"
TIMESTAMP_TAG = TAG_PREFIX + "timestamp"
MERGE_TAG = TAG_PREFIX + "merge"
SEQ_TAG = TAG_PREFIX + "seq"
MAP_TAG = TAG_PREFIX + "map"

# Plain scalars that YAML 1.1 reads as booleans but YAML 1.2 reads as strings.
YAML11_BOOL_WORDS = frozenset(
    [
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
    ]
)

_BOOL_RE = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL_RE = re.compile(r"~|null|Null|NULL|")
_INT_RE = re.compile(r"[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)")
# The exponent after a bare ".5" needs a sign in ruamel.yaml's table: ".5e+3"
# is a float there but ".5e3" is a string.
_FLOAT_RE = re.compile(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)"
)
_TIMESTAMP_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)
_TIMESTAMP_PARTS_RE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r":(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]*))?"
    r"(?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9]{1,2})"
    r"(?::(?P<tz_minute>[0-9]{2}))?))?)?"
)

# Implicit resolvers by first character, in the order ruamel.yaml tries them.
_RESOLVERS_BY_FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}


def _register(tag: str, pattern: re.Pattern[str], first: str) -> None:
    for char in first:
        _RESOLVERS_BY_FIRST[char] = (*_RESOLVERS_BY_FIRST.get(char, ()), (tag, pattern))


_register(BOOL_TAG, _BOOL_RE, "tTfF")
_register(FLOAT_TAG, _FLOAT_RE, "-+0123456789.")
_register(INT_TAG, _INT_RE, "-+0123456789")
_register(MERGE_TAG, re.compile("<<"), "<")
_register(NULL_TAG, _NULL_RE, "~nN")
_register(TIMESTAMP_TAG, _TIMESTAMP_RE, "0123456789")

# First characters for which a plain scalar may be something other than a string.
SPECIAL_FIRST_CHARS = frozenset(_RESOLVERS_BY_FIRST)


class ScalarError(ValueError):
    """A scalar whose tag is known but whose text cannot be converted."""


class TypedKey:
    """A mapping key that is not a string, compared by type and value.

    Python's dict stores ``1``, ``1.0`` and ``True`` as one key, but in YAML
    the keys ``1`` and ``true`` are different, and neither duplicates the
    other. ``str()`` returns the key as the file writes it.
    """

    __slots__ = ("text", "value")

    def __init__(self, value: Any, text: str) -> None:
        self.value = value
        self.text = text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TypedKey):
            return NotImplemented
        return type(self.value) is type(other.value) and self.value == other.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"TypedKey({self.value!r}, {self.text!r})"


def resolve_plain_tag(text: str) -> str:
    """Return the tag YAML 1.2 gives a plain scalar with this text."""
    if not text:
        return NULL_TAG
    for tag, pattern in _RESOLVERS_BY_FIRST.get(text[0], ()):
        if pattern.fullmatch(text):
            return tag
    return STR_TAG


def construct_plain(text: str) -> Any:
    """Return the Python value of a plain scalar; raise ScalarError if invalid."""
    if text and text[0] not in SPECIAL_FIRST_CHARS:
        return text
    tag = resolve_plain_tag(text)
    if tag == MERGE_TAG:
        # "<<" is a merge key only in key position; as a value it is text.
        return text
    return construct_tagged(tag, text)


def construct_tagged(tag: str, text: str) -> Any:
    """Return the Python value of a scalar with a YAML core schema tag."""
    if tag == STR_TAG:
        return text
    if tag == NULL_TAG:
        return None
    if tag == BOOL_TAG:
        return _construct_bool(text)
    if tag == INT_TAG:
        return _construct_int(text)
    if tag == FLOAT_TAG:
        return _construct_float(text)
    if tag == TIMESTAMP_TAG:
        return _construct_timestamp(text)
    raise ScalarError(f"unsupported tag {tag!r}")


# An explicit !!bool tag accepts the YAML 1.1 words too, as ruamel.yaml does.
_BOOL_VALUES = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "on": True,
    "off": False,
}


def _construct_bool(text: str) -> bool:
    try:
        return _BOOL_VALUES[text.lower()]
    except KeyError:
        raise ScalarError(f"{text!r} is not a boolean") from None


def _split_sign(text: str) -> tuple[int, str]:
    digits = text.replace("_", "")
    if digits[:1] == "-":
        return -1, digits[1:]
    if digits[:1] == "+":
        return 1, digits[1:]
    return 1, digits


def _construct_int(text: str) -> int:
    sign, digits = _split_sign(text)
    bases = {"0b": 2, "0o": 8, "0x": 16}
    base = bases.get(digits[:2], 10)
    if base != 10:
        digits = digits[2:]
    if not digits:
        raise ScalarError(f"{text!r} is not an integer")
    try:
        # A leading zero does not mean octal in YAML 1.2: "0755" is 755.
        return sign * int(digits, base)
    except ValueError:
        raise ScalarError(f"{text!r} is not an integer") from None


def _construct_float(text: str) -> float:
    sign, digits = _split_sign(text)
    digits = digits.lower()
    if digits == ".inf":
        return sign * float("inf")
    if digits == ".nan":
        return float("nan")
    try:
        return sign * float(digits)
    except ValueError:
        raise ScalarError(f"{text!r} is not a number") from None


def _fraction_microseconds(fraction: str | None) -> tuple[int, int]:
    """Return (microseconds, carried seconds) for the digits after the dot."""
    if not fraction:
        return 0, 0
    micro = int(fraction[:6].ljust(6, "0"))
    # Round on the seventh digit; a carry past 999999 becomes one more second,
    # as ruamel.yaml does.
    if len(fraction) > 6 and int(fraction[6]) > 4:
        micro += 1
    if micro > 999_999:
        return 0, 1
    return micro, 0


def _construct_timestamp(text: str) -> datetime.date | datetime.datetime:
    match = _TIMESTAMP_PARTS_RE.fullmatch(text)
    if match is None:
        raise ScalarError(f"{text!r} is not a date or timestamp")
    parts = match.groupdict()
    try:
        day = datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        if parts["hour"] is None:
            return day
        tzinfo: datetime.tzinfo | None = None
        if parts["tz_sign"]:
            offset = datetime.timedelta(
                hours=int(parts["tz_hour"]), minutes=int(parts["tz_minute"] or 0)
            )
            tzinfo = datetime.timezone(-offset if parts["tz_sign"] == "-" else offset)
        elif parts["tz"]:
            tzinfo = datetime.UTC
        micro, carry = _fraction_microseconds(parts["fraction"])
        stamp = datetime.datetime(
            day.year,
            day.month,
            day.day,
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"]),
            micro,
            tzinfo,
        )
        return stamp + datetime.timedelta(seconds=carry)
    except (ValueError, OverflowError) as error:
        # OverflowError: a fraction that rounds 9999-12-31T23:59:59.9999999
        # up to the next second, past the last date Python can represent.
        raise ScalarError(f"{text!r} is not a valid date: {error}") from None


def describe_type(value: Any) -> str:
    """Name the YAML type of a value for messages: "an integer", "a date"."""
    if value is None:
        return "null (no value)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, datetime.datetime):
        return "a timestamp"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
