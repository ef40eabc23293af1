"""How a workflow runs, step by step, as a pure generator: it yields each API call it needs and is sent
back that call's structured result.

The server drives it with real calls (engine/calls/workflow.py); `validate` drives it with the sample
results of a worked example (engine/manifest/workflow_lint.py). So what an example proves is what the
server does: the same conditions, arguments, aggregates and result projection.

The context every expression sees: `args` (the resolved arguments), `clock` (now, today, time_zone),
`resolved` (what the server read from words and names) and each earlier step's result under its id
(null when it did not run, or failed and was optional).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import cache
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from .aggregation import AggregationError, aggregate
from .calendar import Calendar, CalendarError, resolve_clock_value
from .expressions import evaluate, root_paths, truthy
from .model import Argument
from .workflow_model import ARGS, CLOCK, RESOLVED, AggregateStep, CallStep, Workflow


class StepError(Exception):
    """A pure step (or a call step's arguments) could not be computed."""

    def __init__(self, step_id: str, message: str) -> None:
        super().__init__(message)
        self.step_id = step_id
        self.message = message


@dataclass(frozen=True)
class CallRequest:
    step: CallStep
    arguments: dict[str, Any]


Plan = Generator[CallRequest, Any, dict[str, Any]]


def new_context(arguments: dict[str, Any], calendar: Calendar, resolved: dict[str, Any]) -> dict[str, Any]:
    return {ARGS: arguments, CLOCK: calendar.view(), RESOLVED: resolved}


def run_plan(workflow: Workflow, context: dict[str, Any], options: jmespath.Options) -> Plan:
    """Runs the steps in order; returns the tool's structured result. Raises StepError."""
    for step in workflow.steps:
        try:
            runs = step.when is None or truthy(evaluate(step.when, context, options))
        except JMESPathError as exc:
            raise StepError(step.id, f"its condition failed: {exc}") from None
        if not runs:
            context[step.id] = None
        elif isinstance(step, CallStep):
            context[step.id] = yield CallRequest(step, step_arguments(workflow, step, context, options))
        elif isinstance(step, AggregateStep):
            try:
                context[step.id] = aggregate(step, context, options)
            except (AggregationError, JMESPathError) as exc:
                raise StepError(step.id, str(exc)) from None
        else:
            try:
                context[step.id] = evaluate(step.expression, context, options)
            except JMESPathError as exc:
                raise StepError(step.id, str(exc)) from None
    return final_result(workflow, context, options)


def step_arguments(
    workflow: Workflow, step: CallStep, context: dict[str, Any], options: jmespath.Options
) -> dict[str, Any]:
    """The called tool's arguments: each `with` value computed (a null leaves the argument out)."""
    if workflow.supersedes and step is workflow.steps[0]:
        return {name: value for name, value in context[ARGS].items() if value is not None}
    arguments: dict[str, Any] = {}
    for name, spec in step.with_.items():
        try:
            value = evaluate(spec, context, options) if isinstance(spec, str) else spec
        except JMESPathError as exc:
            raise StepError(step.id, f"argument {name!r} could not be computed: {exc}") from None
        if value is not None:
            arguments[name] = value
    return arguments


def final_result(workflow: Workflow, context: dict[str, Any], options: jmespath.Options) -> dict[str, Any]:
    try:
        value = evaluate(workflow.result, context, options) if workflow.result else None
    except JMESPathError as exc:
        raise StepError("result", str(exc)) from None
    if workflow.supersedes:
        base = context[workflow.steps[0].id]
        return add_fields(base, value) if isinstance(base, dict) else {"result": base}
    return value if isinstance(value, dict) else {"result": value}


def with_echo(
    workflow: Workflow, result: dict[str, Any], echo: dict[str, Any], calendar: Calendar
) -> dict[str, Any]:
    """The result with what the server read from words and names (`resolved`), so the model sees the
    dates, the zone and the records it acted on; a workflow that read the clock always names its zone."""
    echoed = dict(echo)
    if uses_clock(workflow) and echoed.get("time_zone") is None:
        echoed["time_zone"] = calendar.zone.key
    return {**result, RESOLVED: echoed} if echoed else result


def add_fields(base: dict[str, Any], extra: Any) -> dict[str, Any]:
    """`base` with the members of `extra` it lacks, recursively; nothing of `base` is ever replaced, so a
    superseding workflow's result is a strict superset of the API tool's."""
    if not isinstance(extra, dict):
        return base
    merged = dict(base)
    for key, value in extra.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = add_fields(merged[key], value)
    return merged


def resolve_clock_arguments(
    arguments: tuple[Argument, ...], values: dict[str, Any], calendar: Calendar
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Clock words read (`yesterday` -> a date) and what was read, for the result to echo.
    Raises CalendarError naming the argument."""
    resolved = dict(values)
    echo: dict[str, Any] = {}
    for arg in arguments:
        if arg.clock is None or values.get(arg.name) is None:
            continue
        try:
            value = resolve_clock_value(calendar, arg.clock, values[arg.name])
        except CalendarError as exc:
            raise CalendarError(f"argument '{arg.name}': {exc}") from None
        if value != values[arg.name] or arg.clock == "period":
            echo[arg.name] = value
        resolved[arg.name] = value
    if echo:
        echo["time_zone"] = calendar.zone.key
    return resolved, echo


@cache
def uses_clock(workflow: Workflow) -> bool:
    """Whether any expression reads `clock`: such a result echoes the time zone it was computed in."""
    return any(path[0] == CLOCK for expression in expressions_of(workflow) for path in root_paths(expression))


def expressions_of(workflow: Workflow) -> list[str]:
    """Every JMESPath of a workflow evaluated against the context (not per item)."""
    found: list[str] = [workflow.result] if workflow.result else []
    for step in workflow.steps:
        if step.when:
            found.append(step.when)
        if isinstance(step, CallStep):
            found += [value for value in step.with_.values() if isinstance(value, str)]
        elif isinstance(step, AggregateStep):
            found += [step.over, *step.let.values(), *(join.source for join in step.joins)]
        else:
            found.append(step.expression)
    return found
