"""One workflow call, top to bottom: check the arguments, read words and names, run the steps, answer.

The steps themselves are planned by engine/manifest/workflow_plan.py (the same plan `validate` runs on
the worked examples); this drives it with real calls. Each call step goes through ToolRunner.invoke, so
it gets the called tool's argument checks, request building, idempotency key (one per write, kept
across its retries), retries, error envelope and projection. A step that fails ends the call with an
error naming the step and listing what earlier steps already changed: a write is never hidden.
"""

from __future__ import annotations

import logging
from typing import Any

from ..manifest.expressions import options_for
from ..manifest.workflow_model import CallStep, Workflow
from ..manifest.workflow_plan import CallRequest, StepError, new_context, run_plan, with_echo
from . import errors
from .arguments import ArgumentError, check_arguments
from .autopaging import page_through
from .budget import json_size
from .outcome import ToolOutcome, success
from .reporting import CallReporter, LogsOnly
from .tool_call import ToolRunner

log = logging.getLogger(__name__)


class WorkflowRunner:
    def __init__(self, tools: ToolRunner) -> None:
        self.tools = tools

    async def call(
        self, workflow: Workflow, arguments: dict[str, Any] | None, reporter: CallReporter
    ) -> ToolOutcome:
        """Like ToolRunner.call: whatever happens ends as an outcome, redacted, within the budget."""
        try:
            outcome = await self._call(workflow, arguments, reporter)
        except Exception as exc:  # cancellation is a BaseException and passes through
            log.exception("%s failed unexpectedly", workflow.name)
            outcome = errors.internal_error(workflow.name, f"{type(exc).__name__}: {exc}")
        return self.tools.redacted(outcome)

    async def _call(
        self, workflow: Workflow, arguments: dict[str, Any] | None, reporter: CallReporter
    ) -> ToolOutcome:
        # 1. Arguments: checked against the listed schema, then words and names read (lookups run here,
        # before any step, so a name that matches nothing or several records changes nothing).
        try:
            checked = check_arguments(workflow, arguments)
        except ArgumentError as exc:
            return errors.argument_problems(workflow.name, exc.problems)
        calendar = self.tools.clock.calendar()  # one instant for the whole call
        prepared = await self.tools.resolve(workflow.name, workflow.arguments, checked, calendar, reporter)
        if isinstance(prepared, ToolOutcome):
            return prepared

        # 2. Steps, in order; each call step's result feeds the ones after it.
        context = new_context(prepared.arguments, calendar, prepared.echo)
        plan = run_plan(workflow, context, options_for(calendar.zone))
        changed: list[dict[str, Any]] = []
        total = len(workflow.steps) + 1
        try:
            request = next(plan)
            while True:
                outcome = await self._step(request, reporter, workflow.steps.index(request.step), total)
                step, tool = request.step, self.tools.manifest.tool(request.step.tool)
                assert tool is not None  # lint guarantees every step calls an API tool
                if outcome.is_error and workflow.supersedes and step is workflow.steps[0]:
                    return outcome  # in its API tool's place, it fails exactly as that tool does
                if outcome.is_error and not step.optional:
                    return errors.step_failed(workflow.name, step.id, tool.name, outcome, changed)
                if outcome.is_error:
                    await reporter.log("info", f"{workflow.name}: optional step {step.id} skipped: "
                                       f"{outcome.text.partition(chr(10))[0]}")  # fmt: skip
                elif not tool.read_only:
                    changed.append({"step": step.id, "tool": tool.name, "result": outcome.structured})
                request = plan.send(None if outcome.is_error else outcome.structured)
        except StopIteration as done:
            result = with_echo(workflow, done.value, prepared.echo, calendar)
        except StepError as exc:
            return errors.step_problem(workflow.name, exc.step_id, exc.message, changed)

        # 3. The result: checked against the output schema, within the result budget.
        problem = self.tools.output_problem(workflow, result)
        if problem:
            return errors.step_problem(workflow.name, "result", problem, changed)
        budget = self.tools.manifest.api.limits.max_result_bytes
        size = json_size(result)
        if size > budget:
            message = (
                f"the result is {size:,} bytes, over the {budget:,}-byte budget; narrow the request "
                "(a shorter period, a filter)"
            )
            return errors.too_large(workflow.name, message)
        await reporter.progress(total, total, "result ready")
        return success(result)

    async def _step(
        self, request: CallRequest, reporter: CallReporter, index: int, total: int
    ) -> ToolOutcome:
        step: CallStep = request.step
        tool = self.tools.manifest.tool(step.tool)
        assert tool is not None
        await reporter.progress(index + 1, total, f"step {step.id}: {tool.name}")
        quiet = LogsOnly(reporter)
        if step.max_items is None:
            return await self.tools.invoke(tool, request.arguments, quiet)
        outcome = await page_through(
            self.tools.invoke, self.tools.manifest, tool, request.arguments, quiet, step.max_items, None
        )
        if not outcome.is_error and outcome.structured.get("next_cursor") is not None:
            return errors.too_many_records(tool.name, step.max_items)
        return outcome
