"""Start-up options of one sandbox instance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class SandboxConfig:
    """Options fixed when a sandbox starts.

    ``rate_limit_scale`` multiplies every bucket size (and refill rate), so tests can raise
    (scale > 1) or shrink (scale < 1) the documented limits; ``rate_limits=False`` switches
    enforcement off while the headers keep reporting a full budget. The test hooks
    (request log, fault injection) are off unless enabled here.
    """

    rate_limits: bool = True
    rate_limit_scale: float = 1.0
    request_log: bool = False
    faults: bool = False
    # Records kept across runs: loaded at start (or seeded and written when missing), saved on changes.
    state_file: Path | None = None
