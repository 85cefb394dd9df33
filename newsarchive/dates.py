"""Dates in words, from a fixed English table: the output never depends on the machine's locale."""

from __future__ import annotations

import datetime as dt

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def month_name(month: int) -> str:
    return MONTHS[month - 1]


def format_day(day: dt.date) -> str:
    """'3 January 2023'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_short_day(day: dt.date) -> str:
    """'3 Jan 2023', where space is short (a chart's axis)."""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def format_month(year: int, month: int) -> str:
    """'January 2023'."""
    return f"{MONTHS[month - 1]} {year}"


def format_moment(moment: dt.datetime) -> str:
    """'3 January 2023, 14:05 UTC+03:00' — the time as the source gave it, with its offset."""
    offset = moment.strftime("%z")
    zone = "UTC" if offset in ("+0000", "-0000") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{format_day(moment.date())}, {moment:%H:%M} {zone}"


def atom_timestamp(moment: dt.datetime) -> str:
    """RFC 3339 time for feeds, 'Z' for UTC."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
