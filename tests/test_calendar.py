"""Day words and periods in the user's time zone: week and month edges, DST changes, and the errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hoursmith_mcp.engine.calls.clock import host_zone, resolve_clock
from hoursmith_mcp.engine.calls.connection import StartupError
from hoursmith_mcp.engine.manifest.calendar import Calendar, CalendarError, resolve_clock_value
from hoursmith_mcp.engine.manifest.model import ClockSettings


def at(text: str, zone: str = "Europe/Berlin", week_start: int = 0) -> Calendar:
    return Calendar(datetime.fromisoformat(text).astimezone(UTC), ZoneInfo(zone), week_start)


def test_today_is_the_users_day_not_utcs() -> None:
    # 23:30 UTC on Sunday 1 March is already Monday 2 March in Berlin, and still Sunday in New York.
    assert at("2026-03-01T23:30:00+00:00").today == date(2026, 3, 2)
    assert at("2026-03-01T23:30:00+00:00", "America/New_York").today == date(2026, 3, 1)
    assert at("2026-03-01T10:30:00+00:00", "Pacific/Kiritimati").day("yesterday") == date(
        2026, 3, 1
    )  # +14:00


def test_weekday_names_are_the_most_recent_such_day_today_included() -> None:
    wednesday = at("2026-03-04T10:00:00+01:00")
    assert wednesday.day("wednesday") == date(2026, 3, 4)
    assert wednesday.day("Monday") == date(2026, 3, 2)
    assert wednesday.day("thursday") == date(2026, 2, 26)
    assert wednesday.day(" 2026-02-28 ") == date(2026, 2, 28)


def test_weeks_follow_the_configured_first_day() -> None:
    wednesday = at("2026-03-04T10:00:00+01:00")
    assert wednesday.period("this_week") == (date(2026, 3, 2), date(2026, 3, 8))
    assert wednesday.period("last_week") == (date(2026, 2, 23), date(2026, 3, 1))
    sunday_first = at("2026-03-04T10:00:00+01:00", week_start=6)
    assert sunday_first.period("this_week") == (date(2026, 3, 1), date(2026, 3, 7))
    assert sunday_first.period("last_week") == (date(2026, 2, 22), date(2026, 2, 28))


def test_months_end_where_they_end_leap_years_included() -> None:
    assert at("2024-03-01T00:30:00+01:00").period("last_month") == (date(2024, 2, 1), date(2024, 2, 29))
    assert at("2026-01-15T12:00:00+01:00").period("last_month") == (date(2025, 12, 1), date(2025, 12, 31))
    assert at("2026-12-31T23:59:00+01:00").period("this_month") == (date(2026, 12, 1), date(2026, 12, 31))
    # The first minutes of April in Berlin are still March in UTC: the user's month wins.
    april = at("2026-03-31T22:30:00+00:00")
    assert april.period("this_month") == (date(2026, 4, 1), date(2026, 4, 30))
    assert april.period("last_month") == (date(2026, 3, 1), date(2026, 3, 31))


def test_a_week_across_the_spring_dst_change_is_seven_days_and_its_sunday_23_hours() -> None:
    # Berlin moves from +01:00 to +02:00 at 02:00 on Sunday 29 March 2026.
    monday_after = at("2026-03-30T00:15:00+02:00")  # 22:15 UTC on Sunday
    assert monday_after.today == date(2026, 3, 30)
    assert monday_after.period("last_week") == (date(2026, 3, 23), date(2026, 3, 29))
    sunday = date(2026, 3, 29)
    start, end = monday_after.start_of(sunday), monday_after.end_of(sunday)
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 21, 59, 59, 999000, tzinfo=UTC)
    assert (end - start).total_seconds() == 23 * 3600 - 0.001


def test_the_autumn_dst_day_is_25_hours_and_a_skipped_midnight_begins_at_one() -> None:
    autumn = at("2026-10-26T12:00:00+01:00")
    day = date(2026, 10, 25)
    assert (autumn.end_of(day) - autumn.start_of(day)).total_seconds() == 25 * 3600 - 0.001
    # Santiago skips from 00:00 to 01:00 on 6 September 2026: that day starts at 01:00 local (04:00 UTC).
    santiago = at("2026-09-06T12:00:00+00:00", "America/Santiago")
    assert santiago.start_of(date(2026, 9, 6)) == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)


def test_kinds_resolve_words_and_pass_everything_else_to_the_api() -> None:
    cal = at("2026-03-29T22:30:00+02:00")
    assert resolve_clock_value(cal, "date", "yesterday") == "2026-03-28"
    assert resolve_clock_value(cal, "start_of_day", "today") == "2026-03-28T23:00:00Z"  # still +01:00
    assert resolve_clock_value(cal, "end_of_day", "today") == "2026-03-29T21:59:59.999Z"
    assert resolve_clock_value(cal, "now", "now") == "2026-03-29T20:30:00Z"
    assert resolve_clock_value(cal, "period", "last_week") == {"from": "2026-03-16", "to": "2026-03-22"}
    assert resolve_clock_value(cal, "period", "monday..today") == {"from": "2026-03-23", "to": "2026-03-29"}
    for untouched in ("2026-03-02", "2026-03-02T10:00:00Z", "2026-3-2"):
        assert resolve_clock_value(cal, "date", untouched) == untouched
    assert resolve_clock_value(cal, "now", "2026-03-02T10:00:00Z") == "2026-03-02T10:00:00Z"


def test_ranges_and_the_errors_that_name_what_is_accepted() -> None:
    cal = at("2026-04-02T10:00:00+02:00")
    assert cal.period("2026-03-25..2026-04-02") == (date(2026, 3, 25), date(2026, 4, 2))
    assert cal.period("monday to today") == (date(2026, 3, 30), date(2026, 4, 2))
    assert cal.period("2026-03-31") == (date(2026, 3, 31), date(2026, 3, 31))
    with pytest.raises(CalendarError, match="'tomorrow' is not a day"):
        resolve_clock_value(cal, "date", "tomorrow")
    with pytest.raises(CalendarError, match="ends before it starts"):
        cal.period("2026-04-02..2026-03-01")
    with pytest.raises(CalendarError, match="this_week, last_week"):
        cal.period("fortnight")
    with pytest.raises(CalendarError, match="is not a day"):
        cal.day("2026-02-30")


def test_the_zone_comes_from_the_variable_the_manifest_names() -> None:
    settings = ClockSettings("UTC", "DEMO_TIME_ZONE", "sunday")
    assert resolve_clock(settings, {}).zone.key == "UTC"
    clock = resolve_clock(settings, {"DEMO_TIME_ZONE": " Asia/Tokyo "})
    assert (clock.zone.key, clock.week_start) == ("Asia/Tokyo", 6)
    with pytest.raises(StartupError, match="DEMO_TIME_ZONE is 'Mars/Olympus'"):
        resolve_clock(settings, {"DEMO_TIME_ZONE": "Mars/Olympus"})
    with pytest.raises(StartupError, match=r"DEMO_TIME_ZONE is '\.\./\.\./etc/passwd'"):
        resolve_clock(settings, {"DEMO_TIME_ZONE": "../../etc/passwd"})


def test_local_means_the_machines_zone() -> None:
    assert host_zone({"TZ": ":America/Chicago"}).key == "America/Chicago"
    assert resolve_clock(ClockSettings("local"), {"TZ": "Asia/Kolkata"}).zone.key == "Asia/Kolkata"
    # A TZ that is not an IANA name falls back to /etc/localtime, then to UTC: never a crash.
    assert host_zone({"TZ": "CET-1CEST"}, localtime=Path("/nonexistent")).key == "UTC"
