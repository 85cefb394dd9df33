"""Dates in words from a fixed English table: the same text whatever the machine's locale or zone."""

import datetime as dt
import locale
import time

import pytest

from newsarchive import dates

KYIV = dt.timezone(dt.timedelta(hours=2))


def test_days_and_months():
    assert dates.format_day(dt.date(2023, 1, 3)) == "3 January 2023"
    assert dates.format_day(dt.date(2024, 12, 31)) == "31 December 2024"
    assert dates.format_month(2023, 2) == "February 2023"
    assert [dates.month_name(m) for m in (1, 5, 9, 12)] == ["January", "May", "September", "December"]


@pytest.mark.parametrize("moment, text", [
    (dt.datetime(2023, 1, 3, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=3))), "3 January 2023, 14:05 UTC+03:00"),
    (dt.datetime(2023, 1, 3, 9, 0, tzinfo=dt.timezone.utc), "3 January 2023, 09:00 UTC"),
    (dt.datetime(2023, 1, 3, 23, 59, tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30))), "3 January 2023, 23:59 UTC-05:30"),
])
def test_moments_keep_the_time_and_offset_the_source_gave(moment, text):
    assert dates.format_moment(moment) == text


def test_atom_timestamps():
    assert dates.atom_timestamp(dt.datetime(2023, 1, 3, tzinfo=dt.timezone.utc)) == "2023-01-03T00:00:00Z"
    moment = dt.datetime(2023, 1, 3, 14, 5, tzinfo=KYIV)
    assert dates.atom_timestamp(moment) == "2023-01-03T14:05:00+02:00"


def test_independent_of_the_process_time_zone_and_locale(monkeypatch):
    moment = dt.datetime(2023, 1, 3, 23, 30, tzinfo=KYIV)
    expected = (dates.format_day(moment.date()), dates.format_moment(moment), dates.atom_timestamp(moment))
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    saved = locale.setlocale(locale.LC_ALL)
    try:
        for name in ("C", "C.UTF-8", "de_DE.UTF-8", "uk_UA.UTF-8"):
            try:
                locale.setlocale(locale.LC_ALL, name)
            except locale.Error:
                continue
            assert (dates.format_day(moment.date()), dates.format_moment(moment),
                    dates.atom_timestamp(moment)) == expected
    finally:
        locale.setlocale(locale.LC_ALL, saved)
        monkeypatch.undo()
        time.tzset()
    assert expected == ("3 January 2023", "3 January 2023, 23:30 UTC+02:00", "2023-01-03T23:30:00+02:00")
