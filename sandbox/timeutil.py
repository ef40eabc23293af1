"""Dates and timestamps in the API's formats (dates YYYY-MM-DD, timestamps ISO-8601 UTC)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_ts(moment: datetime) -> str:
    """One fixed format (milliseconds, Z) so that timestamps also sort as strings."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_ts() -> str:
    return format_ts(utcnow())


def parse_date(text: str) -> date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_ts(text: str) -> datetime | None:
    """An ISO-8601 timestamp; a missing offset is read as UTC."""
    if "T" not in text and " " not in text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(days=1) - timedelta(milliseconds=1)
