"""Day words and periods, resolved in the user's time zone.

Pure functions of an instant, a time zone and the first day of the week, so the same code serves
calls and `validate`'s worked examples. Dates are computed on the local calendar (so a week is always
7 days and a month its own length, whatever DST does); instants for the first and last moment of a
local day come from zoneinfo, so a day across a DST change is 23 or 25 hours long, as it really is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .argument_model import ClockKind

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_WORDS = ("today", "yesterday", *WEEKDAYS)
PERIOD_WORDS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CalendarError(ValueError):
    """A word or date the calendar cannot read; the message says what it accepts."""


@dataclass(frozen=True)
class Calendar:
    now: datetime  # aware
    zone: ZoneInfo
    week_start: int = 0  # 0 = Monday

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    def view(self) -> dict[str, str]:
        """The clock as workflow expressions see it (`clock.today`, `clock.now`, `clock.time_zone`)."""
        return {"now": format_instant(self.now), "today": self.today.isoformat(), "time_zone": self.zone.key}

    def day(self, text: str) -> date:
        word = text.strip().lower()
        today = self.today
        if word == "today":
            return today
        if word == "yesterday":
            return today - timedelta(days=1)
        if word in WEEKDAYS:  # the most recent such day, today included
            return today - timedelta(days=(today.weekday() - WEEKDAYS.index(word)) % 7)
        if _DATE.match(word):
            try:
                return date.fromisoformat(word)
            except ValueError:
                pass
        raise CalendarError(f"{text!r} is not a day: use YYYY-MM-DD, today, yesterday or a weekday name")

    def period(self, text: str) -> tuple[date, date]:
        word = text.strip().lower()
        today = self.today
        week_start = today - timedelta(days=(today.weekday() - self.week_start) % 7)
        month_start = today.replace(day=1)
        if word == "this_week":
            return week_start, week_start + timedelta(days=6)
        if word == "last_week":
            return week_start - timedelta(days=7), week_start - timedelta(days=1)
        if word == "this_month":
            return month_start, _month_end(month_start)
        if word == "last_month":
            last_start = (month_start - timedelta(days=1)).replace(day=1)
            return last_start, month_start - timedelta(days=1)
        spec = word.replace(" to ", "..")  # FROM..TO, or FROM to TO
        if ".." in spec:
            first, _, last = spec.partition("..")
            start, end = self._period_day(first), self._period_day(last)
            if end < start:
                raise CalendarError(f"{text!r} ends before it starts")
            return start, end
        single = self._period_day(word)
        return single, single

    def _period_day(self, text: str) -> date:
        try:
            return self.day(text)
        except CalendarError:
            raise CalendarError(
                f"{text!r} is not a period: use {', '.join(PERIOD_WORDS)}, a day (YYYY-MM-DD or a weekday "
                "name), or FROM..TO"
            ) from None

    def start_of(self, day: date) -> datetime:
        """The first instant of a local day. Where a DST change skips midnight, the wall time is read
        with the offset before the change, which is the instant the day really begins."""
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(UTC)

    def end_of(self, day: date) -> datetime:
        """The last millisecond of a local day: the next local day's first instant, minus 1 ms."""
        return self.start_of(day + timedelta(days=1)) - timedelta(milliseconds=1)


def _month_end(month_start: date) -> date:
    following = (month_start + timedelta(days=32)).replace(day=1)
    return following - timedelta(days=1)


def format_instant(moment: datetime) -> str:
    """UTC, ISO-8601 with Z, millisecond precision only when there is one."""
    utc = moment.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve_clock_value(calendar: Calendar, kind: ClockKind, value: Any) -> Any:
    """The value an argument of this kind sends: words resolved, anything else as given (the API judges
    a date or timestamp it receives). Raises CalendarError for a word it does not know."""
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    if kind == "period":
        start, end = calendar.period(value)
        return {"from": start.isoformat(), "to": end.isoformat()}
    if kind == "now":
        if word == "now":
            return format_instant(calendar.now)
        return value
    if not _is_word(word):
        return value
    day = calendar.day(word)
    if kind == "date":
        return day.isoformat()
    if kind == "start_of_day":
        return format_instant(calendar.start_of(day))
    return format_instant(calendar.end_of(day))


def _is_word(text: str) -> bool:
    """Letters only: a word for the calendar; anything else (a date, a timestamp) goes to the API."""
    return text.replace("_", "").isalpha()
