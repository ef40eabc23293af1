"""The server's clock: the user's time zone (the manifest's, or the environment variable it names), the
first day of their week, and the current instant, read once per tool call.

A bad time zone in the environment stops start-up with one line, like a bad token: answering every
"yesterday" in the wrong zone would be worse than not starting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..manifest.calendar import WEEKDAYS, Calendar
from ..manifest.model import LOCAL_ZONE, ClockSettings
from .connection import StartupError

log = logging.getLogger(__name__)
_LOCALTIME = Path("/etc/localtime")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    zone: ZoneInfo
    week_start: int = 0  # 0 = Monday
    now: Callable[[], datetime] = field(default=_utc_now, compare=False)  # tests pin it

    def calendar(self) -> Calendar:
        return Calendar(self.now(), self.zone, self.week_start)


def resolve_clock(settings: ClockSettings, environ: Mapping[str, str]) -> Clock:
    """The clock for serving; raises StartupError when the environment names an unknown zone."""
    name = settings.time_zone_env
    override = environ.get(name, "").strip() if name else ""
    zone_name = override or settings.time_zone
    if zone_name == LOCAL_ZONE:
        return Clock(host_zone(environ), WEEKDAYS.index(settings.week_start))
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        where = name if override else "the manifest's clock.time_zone"
        raise StartupError(
            f"{where} is {zone_name!r}, which is not a known time zone: use an IANA name such as "
            f"Europe/Berlin, America/New_York or UTC, or {LOCAL_ZONE} for this machine's"
        ) from None
    return Clock(zone, WEEKDAYS.index(settings.week_start))


def host_zone(environ: Mapping[str, str], localtime: Path = _LOCALTIME) -> ZoneInfo:
    """The machine's IANA zone: TZ when it names one, else the zone /etc/localtime links to, else UTC
    (logged: the user should then set the manifest's time zone variable)."""
    candidates = [environ.get("TZ", "").strip().lstrip(":")]
    with suppress(OSError):
        target = str(localtime.resolve(strict=True))
        if "/zoneinfo/" in target:
            candidates.append(target.split("/zoneinfo/", 1)[1])
    for candidate in candidates:
        if candidate and not candidate.startswith("/"):
            with suppress(ZoneInfoNotFoundError, ValueError):
                return ZoneInfo(candidate)
    log.warning(
        "could not tell this machine's time zone; using UTC (set the time zone variable to change it)"
    )
    return ZoneInfo("UTC")


def default_clock(settings: ClockSettings) -> Clock:
    """The manifest's own zone, ignoring the environment (library use and tests)."""
    return resolve_clock(ClockSettings(settings.time_zone, None, settings.week_start), {})
