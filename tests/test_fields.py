"""Typed field converters: the value, or a FieldError saying what was expected."""

import datetime as dt

import pytest

from newsarchive import fields
from newsarchive.fields import FieldError


def message_of(convert, value) -> str:
    with pytest.raises(FieldError) as info:
        convert(value)
    return str(info.value)


def test_text_is_trimmed_and_nfc_normalised():
    assert fields.as_text("  Cafe\u0301 \n") == "Café"


@pytest.mark.parametrize("value, message", [
    (False, "expected text, got a yes/no value False; quote it"),
    (1.1, "expected text, got a number 1.1; quote it"),
    (12, "expected text, got a number 12; quote it"),
    (None, "expected text, got nothing"),
    (["a"], "expected text, got a list"),
    ("   ", "must not be empty"),
])
def test_text_refuses_other_types_and_says_so(value, message):
    assert message_of(fields.as_text, value).rstrip() == message


def test_bool():
    assert fields.as_bool(True) is True
    assert message_of(fields.as_bool, "yes") == "expected true or false, got text 'yes'"


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "3"])
def test_positive_int_refuses(value):
    assert message_of(fields.as_positive_int, value).startswith("expected a whole number of 1 or more")


def test_positive_int():
    assert fields.as_positive_int(2) == 2


def test_list_accepts_a_single_value_as_a_list_of_one():
    assert fields.as_list("Samara") == ["Samara"]
    assert fields.as_list(["a", "b"]) == ["a", "b"]
    assert message_of(fields.as_list, {"a": 1}) == "expected a list, got a mapping"


def test_date():
    assert fields.as_date("2023-01-05") == dt.date(2023, 1, 5)
    assert fields.as_date("2024-02-29") == dt.date(2024, 2, 29)


@pytest.mark.parametrize("value, message", [
    ("2023-02-30", "'2023-02-30' is not a real date (day is out of range for month)"),
    ("2023-02-29", "'2023-02-29' is not a real date (day is out of range for month)"),
    ("2023-1-5", "expected a date as YYYY-MM-DD, got '2023-1-5'"),
    ("05.01.2023", "expected a date as YYYY-MM-DD, got '05.01.2023'"),
    ("0023-01-05", "'0023-01-05' is not a plausible report date"),
])
def test_date_refuses(value, message):
    assert message_of(fields.as_date, value) == message


def test_date_or_datetime_keeps_the_offset():
    moment = fields.as_date_or_datetime("2023-01-03T14:05:00+03:00")
    assert moment == dt.datetime(2023, 1, 3, 11, 5, tzinfo=dt.timezone.utc)
    assert moment.utcoffset() == dt.timedelta(hours=3)
    assert fields.as_date_or_datetime("2023-01-03 14:05+03:00") == moment
    assert fields.as_date_or_datetime("2023-01-03T11:05:00Z") == moment
    assert fields.as_date_or_datetime("2023-01-03") == dt.date(2023, 1, 3)


def test_datetime_without_offset_is_refused():
    assert message_of(fields.as_date_or_datetime, "2023-01-03T14:05:00") == (
        "the date-time '2023-01-03T14:05:00' has no UTC offset; add one, e.g. 2023-01-03T14:05:00+00:00")


def test_impossible_datetime_is_refused():
    assert message_of(fields.as_date_or_datetime, "2023-02-30T10:00:00+00:00") == (
        "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]+HH:MM, got '2023-02-30T10:00:00+00:00'")


@pytest.mark.parametrize("url", ["https://example.org/a?b=c#d", "http://example.org"])
def test_url(url):
    assert fields.as_url(url) == url


@pytest.mark.parametrize("url, message", [
    ("javascript:alert(1)", "expected an address starting with http: or https:, got 'javascript:alert(1)'"),
    ("JavaScript:alert(1)", "expected an address starting with http: or https:, got 'JavaScript:alert(1)'"),
    ("data:text/html,x", "expected an address starting with http: or https:, got 'data:text/html,x'"),
    ("//example.org/a", "expected an address starting with http: or https:, got '//example.org/a'"),
    ("example.org/a", "expected an address starting with http: or https:, got 'example.org/a'"),
    ("https:///path", "expected an address starting with http: or https:, got 'https:///path'"),
    ("https://example.org/a b", "the address 'https://example.org/a b' contains spaces or control characters"),
])
def test_url_refuses(url, message):
    assert message_of(fields.as_url, url) == message


def test_unknown_key_message_suggests_or_lists():
    assert fields.unknown_key_message("topcs", ("title", "topics")) == "unknown field; did you mean 'topics'?"
    assert fields.unknown_key_message("zzz", ("title", "date")) == "unknown field (allowed: date, title)"


def test_count_accepts_zero_and_says_how_to_write_a_quoted_number():
    assert fields.as_count(0) == 0 and fields.as_count(1300) == 1300
    assert message_of(fields.as_count, "1,300") == (
        "expected a whole number of 0 or more, got '1,300'; write the digits alone, without quotes or separators")


def test_one_of_names_the_nearest_choice():
    measure = fields.one_of(("killed", "wounded"), "measure")
    assert measure("killed") == "killed"
    assert message_of(measure, "Killed") == "unknown measure 'Killed' (did you mean 'killed'?); use one of: killed, wounded"
    assert message_of(measure, "dead") == "unknown measure 'dead'; use one of: killed, wounded"
