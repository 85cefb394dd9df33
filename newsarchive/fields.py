"""Typed field values for config and front-matter: each converter returns the value or raises FieldError.

YAML 1.1 turns `no` into False, `012` into 10 and `1.10` into 1.1; a converter that expects
text says so instead of silently accepting the changed value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from urllib.parse import urlsplit


class FieldError(ValueError):
    """A value of the wrong type or form; the message says what was expected."""


# Control characters are invisible in an editor and make feeds invalid XML; line and paragraph
# separators break lines where the editor shows none.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def find_control_character(text: str) -> tuple[int, int, str] | None:
    """(line, column, character) of the first control character in ``text``, both 1-based."""
    found = CONTROL_CHARACTER.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    return line, found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1, found.group()


def control_character_message(character: str, column: int | None = None) -> str:
    where = f" at column {column}" if column else ""
    return f"contains the invisible control character U+{ord(character):04X}{where}; delete it"


def describe(value: object) -> str:
    """The YAML type name of a parsed value, for messages."""
    names = {bool: "a yes/no value", int: "a number", float: "a number", type(None): "nothing",
             list: "a list", dict: "a mapping", str: "text"}
    return names.get(type(value), type(value).__name__)


def as_text(value: object) -> str:
    """Non-empty text, trimmed."""
    if not isinstance(value, str):
        hint = "; quote it" if isinstance(value, (bool, int, float)) else ""
        raise FieldError(f"expected text, got {describe(value)} {_shown(value)}{hint}")
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        raise FieldError("must not be empty")
    found = find_control_character(value)
    if found:
        raise FieldError(control_character_message(found[2]))
    return value


def as_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, got {describe(value)} {_shown(value)}")
    return value


def as_positive_int(value: object) -> int:
    return _whole_number(value, 1)


def as_count(value: object) -> int:
    """A number of people or things: a whole number, zero included."""
    return _whole_number(value, 0)


def _whole_number(value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        hint = "; write the digits alone, without quotes or separators" if isinstance(value, str) else ""
        raise FieldError(f"expected a whole number of {minimum} or more, got {_shown(value)}{hint}")
    return value


def one_of(choices: tuple[str, ...], noun: str):
    """A converter accepting exactly one of ``choices`` (text), naming the nearest when it is not."""
    def convert(value: object) -> str:
        text = as_text(value)
        if text not in choices:
            close = difflib.get_close_matches(text.casefold(), choices, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise FieldError(f"unknown {noun} {text!r}{hint}; use one of: {', '.join(choices)}")
        return text
    return convert


def as_list(value: object) -> list:
    """A list; a single value is accepted as a list of one."""
    if isinstance(value, list):
        return value
    if isinstance(value, (str, int, float, bool)):
        return [value]
    raise FieldError(f"expected a list, got {describe(value)}")


def as_date(value: object) -> dt.date:
    """A calendar date written YYYY-MM-DD."""
    text = as_text(value) if not isinstance(value, dt.date) else value.isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise FieldError(f"expected a date as YYYY-MM-DD, got {text!r}")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise FieldError(f"{text!r} is not a real date ({exc})") from None
    if day.year < 1900:
        raise FieldError(f"{text!r} is not a plausible report date")
    return day


def as_date_or_datetime(value: object) -> dt.date | dt.datetime:
    """A date, or a date-time that carries its UTC offset (a bare local time is ambiguous)."""
    text = as_text(value)
    if len(text) == 10:
        return as_date(text)
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise FieldError(
            f"expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]+HH:MM, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise FieldError(f"the date-time {text!r} has no UTC offset; add one, e.g. {text}+00:00")
    as_date(moment.date().isoformat())
    return moment


_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")  # \s is str.isspace()'s set


def as_url(value: object, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute address with one of ``schemes``."""
    text = as_text(value)
    parts = urlsplit(text)
    if parts.scheme.lower() not in schemes or not (parts.netloc or parts.scheme == "mailto"):
        raise FieldError(f"expected an address starting with {' or '.join(s + ':' for s in schemes)}, got {text!r}")
    if _SPACE_OR_CONTROL.search(text):
        raise FieldError(f"the address {text!r} contains spaces or control characters")
    return text


def unknown_key_message(key: str, allowed, noun: str = "field") -> str:
    """'unknown field' with the nearest allowed name as a hint, or the list of allowed names."""
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(sorted(allowed))})"
    return f"unknown {noun}{hint}"


def _shown(value: object) -> str:
    return "" if value is None or isinstance(value, (list, dict)) else repr(value)


REQUIRED = object()  # the default of a key that must be given


class SchemaChecker:
    """Checks mappings against a schema of ``key -> (converter, default)``, recording problems.

    Subclasses say where a problem is by implementing ``problem(keypath, message)``.
    """

    noun = "field"

    def problem(self, keypath: tuple, message: str) -> None:
        raise NotImplementedError

    def section(self, value: dict, keypath: tuple, schema: dict) -> dict:
        """Convert each key of ``value``; report unknown, missing and bad keys. Bad values become None."""
        result = {}
        for key in value:
            if key not in schema:
                self.problem(keypath + (key,), unknown_key_message(key, schema, self.noun))
        for key, (convert, default) in schema.items():
            if value.get(key) is None:
                if default is REQUIRED:
                    self.problem(keypath + (key,), "is required")
                result[key] = None if default is REQUIRED else default
                continue
            result[key] = self.convert(keypath + (key,), convert, value[key])
        return result

    def convert(self, keypath: tuple, convert, value: object):
        """``convert(value)``, or None after recording why it failed."""
        try:
            return convert(value)
        except FieldError as exc:
            self.problem(keypath, str(exc))
            return None
