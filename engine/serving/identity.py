"""Who the token acts as, asked once when serving starts, so the server lists what that role can use.

The manifest's api.identity names the tool that tells it and where the role is in its answer. The
call is bounded: a slow API must not keep a client waiting for `initialize`. When it fails for any
reason (network, a revoked token, the free plan), nothing is hidden: every tool is listed, the API
stays the judge of each call, and stderr says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import anyio

from ..calls.tool_call import SilentReporter, ToolRunner
from ..manifest.model import Manifest
from ..manifest.projection import search

log = logging.getLogger(__name__)

DEADLINE_SECONDS = 5.0


@dataclass(frozen=True)
class RoleAnswer:
    role: str | None
    why_not: str = ""  # when role is None: why it is unknown


async def learn_role(
    manifest: Manifest, runner: ToolRunner, deadline: float = DEADLINE_SECONDS
) -> RoleAnswer:
    identity = manifest.api.identity
    tool = manifest.tool(identity.tool) if identity else None
    if identity is None or tool is None:
        return RoleAnswer(None, "the manifest declares no identity")
    with anyio.move_on_after(deadline):
        outcome = await runner.call(tool, {}, SilentReporter())
        if outcome.is_error:
            return RoleAnswer(None, f"{tool.name} answered {outcome.text.splitlines()[0]}")
        role = search(identity.role, outcome.structured)
        if not isinstance(role, str) or not role:
            return RoleAnswer(None, f"{tool.name}'s answer has no role at {identity.role!r}")
        return RoleAnswer(role)
    return RoleAnswer(None, f"{tool.name} did not answer within {deadline:g} s")
