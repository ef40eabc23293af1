"""`check-live`: the manifest's live checks against a real upstream (the product's sandbox by
default, or the API named by the environment with --live), so a tool whose path, projection or
output schema no longer fits the real answers is reported by tool and FILE:LINE:COL.

Each GET tool runs its `checks:` (or, with no required argument, one call with none); other tools
run only with --writes. A check fails when the call ends in an error (a moved path answers 404, a
changed shape breaks the output schema) or when a field its projection names is absent from the
answer. Exit 0 when no check failed, 1 when one did, 2 on a usage or configuration error.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import anyio

from ..calls.connection import Connection, StartupError
from ..calls.outcome import ToolOutcome
from ..calls.redaction import Redactor
from ..calls.request import OutgoingRequest
from ..calls.tool_call import SilentReporter, ToolRunner
from ..calls.transport import Upstream, UpstreamResponse
from ..manifest.live_checks import reference
from ..manifest.loader import read_manifest_text
from ..manifest.model import LiveCheck, Manifest, Tool
from ..manifest.projection import search
from ..manifest.projection_fit import missing_fields
from ..manifest.yaml_source import load_yaml
from .product import Product
from .startup import UpstreamChoice, fail, load_with_logging, upstream_connection
from .validate import display_name

EXIT_OK, EXIT_FAILED = 0, 1
_RECORDS_JUDGED = 50  # enough records to tell a renamed field from a sparse one


@dataclass(frozen=True)
class CheckLiveOptions:
    product: Product
    manifest: Path
    upstream: UpstreamChoice
    writes: bool
    log_level: str
    output_format: str = "text"


@dataclass(frozen=True)
class CheckResult:
    tool: Tool
    where: tuple[str | int, ...]
    status: str  # "ok" | "failed" | "skipped"
    detail: str


class RecordingUpstream(Upstream):
    """The upstream that keeps the last answer, so the projection can be judged against it."""

    last: UpstreamResponse | None = None

    async def send(self, request: OutgoingRequest) -> UpstreamResponse:
        self.last = await super().send(request)
        return self.last


class _Checker:
    def __init__(
        self, manifest: Manifest, runner: ToolRunner, upstream: RecordingUpstream, writes: bool
    ) -> None:
        self.manifest = manifest
        self.runner = runner
        self.upstream = upstream
        self.writes = writes
        self.taken: dict[str, ToolOutcome] = {}  # tools run to resolve "$TOOL:..." references

    async def run(self) -> list[CheckResult]:
        results: list[CheckResult] = []
        for tool in self.manifest.tools:
            if tool.method != "GET" and not self.writes:
                if tool.checks:
                    results.append(CheckResult(tool, tool.where, "skipped", "writes: run with --writes"))
                continue
            checks = tool.checks or self._implicit(tool)
            if not checks:
                results.append(
                    CheckResult(tool, tool.where, "skipped", "needs arguments: give the tool checks:")
                )
            for check in checks:
                results.append(await self._one(tool, check))
        return results

    @staticmethod
    def _implicit(tool: Tool) -> tuple[LiveCheck, ...]:
        if tool.method == "GET" and not any(arg.required for arg in tool.arguments):
            return (LiveCheck(None, {}, tool.where),)
        return ()

    async def _one(self, tool: Tool, check: LiveCheck) -> CheckResult:
        arguments: dict[str, Any] = {}
        for name, value in check.arguments.items():
            ref = reference(value)
            if ref is None:
                arguments[name] = value
                continue
            taken = await self._take(*ref)
            if taken is None:
                detail = f"could not take {name} from {ref[0]} ({ref[1]}): it gave no value"
                return CheckResult(tool, check.where, "failed", detail)
            arguments[name] = taken
        self.upstream.last = None
        outcome = await self.runner.call(tool, arguments, SilentReporter())
        if outcome.is_error:
            return CheckResult(tool, check.where, "failed", outcome.text.splitlines()[0])
        missing = self._projection_misses(tool)
        if missing:
            fields = ", ".join(repr(field) for field in missing)
            detail = f"the projection names {fields}, absent from the API's answer"
            return CheckResult(tool, check.where, "failed", detail)
        return CheckResult(tool, check.where, "ok", _summary(outcome))

    async def _take(self, tool_name: str, expression: str) -> Any:
        outcome = self.taken.get(tool_name)
        source = self.manifest.tool(tool_name)
        if outcome is None and source is not None:
            first = source.checks[0].arguments if source.checks else {}
            plain = {k: v for k, v in first.items() if reference(v) is None}
            outcome = await self.runner.call(source, plain, SilentReporter())
            self.taken[tool_name] = outcome
        if outcome is None or outcome.is_error:
            return None
        return search(expression, outcome.structured)

    def _projection_misses(self, tool: Tool) -> list[str]:
        answer = self.upstream.last
        if tool.projection is None or answer is None or answer.body is None:
            return []
        pagination = self.manifest.api.pagination
        if tool.paginated and pagination is not None:
            records = search(pagination.items, answer.body)
            if not isinstance(records, list) or not records:
                return []
            judged = records[:_RECORDS_JUDGED]
            per_record = [set(missing_fields(tool.projection, record)) for record in judged]
            return sorted(set.intersection(*per_record))  # absent from every record, not just sparse
        return missing_fields(tool.projection, answer.body)


def _summary(outcome: ToolOutcome) -> str:
    items = outcome.structured.get("items")
    return f"{len(items)} items" if isinstance(items, list) else f"{len(outcome.structured)} fields"


async def run_checks(
    manifest: Manifest, connection: Connection, redactor: Redactor, writes: bool
) -> list[CheckResult]:
    upstream = RecordingUpstream(manifest.api, connection, manifest.server.user_agent)
    try:
        runner = ToolRunner(manifest, upstream, connection.base_url, redactor)
        return await _Checker(manifest, runner, upstream, writes).run()
    finally:
        await upstream.aclose()


def run_check_live(options: CheckLiveOptions, out: TextIO = sys.stdout) -> int:
    product = options.product
    try:
        manifest, redactor = load_with_logging(product, options.manifest, options.log_level)
        with upstream_connection(product, manifest, options.upstream) as connection:
            if connection.token is not None:  # check-live always has the environment's token
                redactor.add_secret(connection.token)
            results = anyio.run(run_checks, manifest, connection, redactor, options.writes)
    except StartupError as exc:
        return fail(product, str(exc))
    shown = display_name(options.manifest)
    _, source = load_yaml(read_manifest_text(options.manifest), shown)
    counts = {"ok": 0, "failed": 0, "skipped": 0}
    for result in results:
        counts[result.status] += 1
        at_tool = result.where == result.tool.where  # an implicit check, or a skipped tool: at its name
        line, column = source.position((*result.where, "name") if at_tool else result.where)
        text = redactor.text(f"{result.tool.name}: {result.status}: {result.detail}")
        if options.output_format == "github" and result.status == "failed":
            out.write(f"::error file={shown},line={line},col={column},title=check-live::{text}\n")
        else:
            out.write(f"{shown}:{line}:{column}: {text}\n")
    out.write(
        f"{shown}: {len(results)} checks: {counts['ok']} ok, {counts['failed']} failed, "
        f"{counts['skipped']} skipped\n"
    )
    return EXIT_FAILED if counts["failed"] else EXIT_OK
