"""One tool call, top to bottom: check arguments, build the request, send it, shape the answer.

Every way a call can fail ends here as an isError outcome; no exception escapes except cancellation,
which must propagate so the in-flight HTTP request is aborted.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import TYPE_CHECKING, Any

from jmespath.exceptions import JMESPathError

from ..manifest.calendar import Calendar
from ..manifest.model import Argument, Manifest, Tool
from ..manifest.projection import ShapeError, shape_success
from ..manifest.workflow_model import RESOLVED, Workflow
from . import errors
from .arguments import ArgumentError, check_arguments
from .budget import ResultTooLarge, fit_to_budget
from .clock import Clock, default_clock
from .outcome import ToolOutcome, success
from .redaction import Redactor
from .reporting import CallReporter
from .reporting import SilentReporter as SilentReporter  # where callers have always found it
from .request import RequestBuildError, build_request
from .resolution import Resolved, resolve_arguments
from .transport import NOT_JSON, Upstream, UpstreamFailure

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

# Progress steps of a call: request sent, answer received, result ready (the last reported by whoever
# finishes the call, engine/serving/call_trace.py when serving).
CALL_STEPS = 3

log = logging.getLogger(__name__)


@cache
def _output_validator(tool: Tool | Workflow) -> Draft202012Validator:
    """Built at the tool's first call and kept; keyed by the tool itself, so a reload brings its own."""
    from ..manifest.bounded_validator import BoundedValidator  # here: jsonschema stays off start-up

    assert tool.output_schema is not None
    validator: Draft202012Validator = BoundedValidator(tool.output_schema)
    return validator


class ToolRunner:
    def __init__(
        self,
        manifest: Manifest,
        upstream: Upstream,
        base_url: str,
        redactor: Redactor,
        clock: Clock | None = None,
    ) -> None:
        self.manifest = manifest
        self.upstream = upstream
        self.base_url = base_url
        self.redactor = redactor
        self.clock = clock or default_clock(manifest.clock)

    async def call(
        self,
        tool: Tool,
        arguments: dict[str, Any] | None,
        reporter: CallReporter,
        idempotency_key: str | None = None,
    ) -> ToolOutcome:
        """A call as the model makes it: whatever happens ends as an outcome within the result budget,
        with every secret redacted. `idempotency_key`: the client's own for this call, if it sent one
        (see request.py)."""
        try:
            outcome = await self.invoke(tool, arguments, reporter, idempotency_key)
            if not outcome.is_error:
                outcome = self.within_budget(tool, outcome)
        except Exception as exc:  # cancellation is a BaseException and passes through
            log.exception("%s failed unexpectedly", tool.name)
            outcome = errors.internal_error(tool.name, f"{type(exc).__name__}: {exc}")
        return self.redacted(outcome)

    async def invoke(
        self,
        tool: Tool,
        arguments: dict[str, Any] | None,
        reporter: CallReporter,
        client_key: str | None = None,
    ) -> ToolOutcome:
        """The call itself, as workflow steps and name lookups make it: no result budget (their results
        are read by the engine, not the model)."""
        # 1. Arguments: the model's input checked against the tool's schema, then words and names read.
        try:
            checked = check_arguments(tool, arguments)
        except ArgumentError as exc:
            return errors.argument_problems(tool.name, exc.problems)
        prepared = await self.resolve(tool.name, tool.arguments, checked, self.clock.calendar(), reporter)
        if isinstance(prepared, ToolOutcome):
            return prepared

        # 2. Request: where each argument goes; the idempotency key for this call.
        try:
            request = build_request(tool, self.manifest.api, self.base_url, prepared.arguments, client_key)
        except RequestBuildError as exc:
            return errors.request_problem(tool.name, str(exc))

        # 3. Transport: the token, retries where safe, a bounded body.
        await reporter.progress(1, CALL_STEPS, f"{request.method} {request.path}")
        try:
            response = await self.upstream.send(request)
        except UpstreamFailure as exc:
            await reporter.log("warning", f"{tool.name}: {exc.message}")
            return errors.network_failure(exc, repeat_is_safe=tool.idempotent)
        await reporter.progress(2, CALL_STEPS, f"HTTP {response.status}")

        # 4. Shaping: the API's error passed on faithfully, or the projected success.
        if not response.ok:
            await reporter.log("info", f"{tool.name}: HTTP {response.status}")
            stranger = errors.not_the_api(self.manifest.api, response, self.base_url)
            names = tool.argument_names_by_api_name(checked)
            return stranger or errors.upstream_error(self.manifest.api.errors, response, names)
        if response.problem == NOT_JSON:
            return errors.not_json(tool.name, response, self.base_url)
        if response.problem:  # JSON beyond the engine's bounds, or an encoding it does not decode
            return errors.unexpected_answer(tool.name, response.problem, response.status)
        try:
            result = shape_success(
                tool,
                self.manifest.api.pagination,
                response.status,
                response.body,
                prepared.arguments,
                response.headers,
            )
        except (ShapeError, JMESPathError) as exc:
            return errors.unexpected_answer(tool.name, str(exc), response.status)
        problem = self.output_problem(tool, result)
        if problem:
            return errors.unexpected_answer(tool.name, problem, response.status)
        if prepared.echo:  # the dates and records read from the model's words, shown back to it
            result = {**result, RESOLVED: prepared.echo}
        return success(result)

    async def resolve(
        self,
        owner: str,
        arguments: tuple[Argument, ...],
        values: dict[str, Any],
        calendar: Calendar,
        reporter: CallReporter,
    ) -> Resolved | ToolOutcome:
        """Clock words and names read into what the API takes (see engine/calls/resolution.py)."""
        return await resolve_arguments(self, self.manifest, owner, arguments, values, calendar, reporter)

    def within_budget(self, tool: Tool, outcome: ToolOutcome) -> ToolOutcome:
        """5. Budget: a result that would flood the model's context is cut or refused, never silently."""
        budget = self.manifest.api.limits.max_result_bytes
        if len(outcome.text.encode("utf-8")) <= budget:
            return outcome
        try:
            return success(fit_to_budget(tool, outcome.structured, budget))
        except ResultTooLarge as exc:
            return errors.too_large(tool.name, str(exc))

    def output_problem(self, tool: Tool | Workflow, result: dict[str, Any]) -> str | None:
        """Checked here so a surprising answer is a readable tool error, not a client-side crash."""
        if tool.output_schema is None:
            return None
        error = next(iter(_output_validator(tool).iter_errors(result)), None)
        if error is None:
            return None
        at = ".".join(str(p) for p in error.absolute_path) or "the result"
        return f"the result does not match the tool's output schema at {at}: {error.message[:200]}"

    def redacted(self, outcome: ToolOutcome) -> ToolOutcome:
        """No form of the token, and nothing a UTF-8 writer cannot encode, in what the client sees."""
        if not outcome.is_error:
            # A success's text is its structured result's JSON (outcome.success): one pass covers both.
            text, changed = self.redactor.json_text(outcome.text)
            return ToolOutcome(json.loads(text), text, False) if changed else outcome
        return ToolOutcome(self.redactor.data(outcome.structured), self.redactor.text(outcome.text), True)
