"""Semantic rules for what workflows add to a manifest: steps, lookups, clock words, pinned arguments.

Like engine/manifest/lint.py, each rule yields findings located by document path, and each has its own
broken manifest under tests/manifests/broken/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jmespath.exceptions import JMESPathError
from jsonschema import FormatChecker
from jsonschema.exceptions import SchemaError

from .bounded_validator import BoundedValidator
from .calendar import DAY_WORDS, PERIOD_WORDS, WEEKDAYS, Calendar, CalendarError
from .expressions import function_calls, function_problem, options_for, root_paths
from .lint import MAX_QUALIFIED_NAME, Finding, Rule, _diff, run_rules, schema_problem
from .model import LOCAL_ZONE, Argument, DocPath, Manifest, Tool, with_defaults
from .projection import compiled
from .workflow_model import (
    ARGS,
    CLOCK,
    CLOCK_FIELDS,
    RESERVED_ROOTS,
    RESOLVED,
    AggregateStep,
    CallStep,
    ComputeStep,
    Step,
    Workflow,
)
from .workflow_plan import StepError, new_context, resolve_clock_arguments, run_plan, with_echo

EXAMPLE_NOW = "2026-01-01T12:00:00Z"


def unique_workflow_names(manifest: Manifest) -> Iterator[Finding]:
    seen: set[str] = set()
    for workflow in manifest.workflows:
        where = (*workflow.where, "name")
        if workflow.name in seen:
            yield Finding(where, f"workflow name {workflow.name!r} is used more than once", "unique-name")
        seen.add(workflow.name)
        if manifest.tool(workflow.name) is not None and not workflow.supersedes:
            yield Finding(
                where,
                f"workflow {workflow.name!r} has the name of an API tool; rename it, or declare "
                "supersedes: true to list it in that tool's place",
                "unique-name",
            )
        qualified = len(manifest.server.name) + 1 + len(workflow.name)
        if qualified > MAX_QUALIFIED_NAME:
            yield Finding(
                where,
                f"tool name {workflow.name!r} is too long: with the server name it is {qualified} "
                f"characters; clients cap that near {MAX_QUALIFIED_NAME}",
                "name-length",
            )


def step_ids_are_unique(manifest: Manifest) -> Iterator[Finding]:
    for workflow in manifest.workflows:
        seen: set[str] = set()
        for step in workflow.steps:
            where = (*step.where, "id")
            if step.id in RESERVED_ROOTS:
                yield Finding(
                    where, f"{workflow.name}: step id {step.id!r} is reserved; rename the step", "step-id"
                )
            elif step.id in seen:
                yield Finding(where, f"{workflow.name}: step id {step.id!r} is used twice", "step-id")
            seen.add(step.id)


def steps_call_api_tools(manifest: Manifest) -> Iterator[Finding]:
    workflow_names = {wf.name for wf in manifest.workflows}
    for workflow in manifest.workflows:
        for step in workflow.call_steps():
            tool = manifest.tool(step.tool)
            if tool is None:
                kind = "a workflow (steps call API tools)" if step.tool in workflow_names else "not a tool"
                yield Finding(
                    (*step.where, "call"), f"{workflow.name}: step {step.id!r} calls {step.tool!r}: {kind}",
                    "step-tool",
                )  # fmt: skip
                continue
            if workflow.supersedes and step is workflow.steps[0]:
                continue  # its arguments are the workflow's own, checked by the supersede rule
            yield from _step_arguments_fit(workflow, step, tool, manifest)


def _step_arguments_fit(
    workflow: Workflow, step: CallStep, tool: Tool, manifest: Manifest
) -> Iterator[Finding]:
    takes = {arg.name: arg for arg in tool.arguments}
    for name in step.with_:
        arg = takes.get(name)
        if arg is None or arg.has_fixed:
            accepted = ", ".join(a.name for a in tool.arguments if not a.has_fixed) or "no arguments"
            yield Finding(
                (*step.where, "with", name),
                f"{workflow.name}: step {step.id!r}: {tool.name} has no argument {name!r} "
                f"(it takes: {accepted})",
                "step-tool",
            )
    for arg in tool.arguments:
        if arg.required and not arg.has_default and not arg.has_fixed and arg.name not in step.with_:
            yield Finding(
                (*step.where, "call"),
                f"{workflow.name}: step {step.id!r}: {tool.name} requires argument {arg.name!r}; "
                "give it in with",
                "step-tool",
            )
    if step.max_items is not None:
        pagination = manifest.api.pagination
        cursor = pagination.cursor_param if pagination else None
        if not tool.paginated or cursor not in {a.api_name for a in tool.arguments_in("query")}:
            yield Finding(
                (*step.where, "max_items"),
                f"{workflow.name}: step {step.id!r}: max_items pages through a list, and {tool.name} is "
                "not a paginated tool with a cursor argument",
                "step-tool",
            )


def workflow_expressions(manifest: Manifest) -> Iterator[Finding]:
    """Every JMESPath compiles, calls known functions, and reads only what exists when it runs."""
    for workflow in manifest.workflows:
        arguments = {arg.name: arg for arg in workflow.arguments}
        all_steps = {step.id for step in workflow.steps}
        earlier: set[str] = set()
        checks = [(step.id, _step_expressions(step)) for step in workflow.steps]
        if workflow.result:
            checks.append(("", [((*workflow.where, "result"), workflow.result, False)]))
        for step_id, expressions in checks:
            for path, expression, item_scope in expressions:
                if not _compiles_cleanly(expression):
                    yield from _compile_findings(path, expression, workflow)
                elif not item_scope:
                    yield from _references(path, expression, workflow, arguments, earlier, all_steps)
            earlier.add(step_id)
    for tool in manifest.tools:
        if tool.projection is None:
            continue
        try:
            calls = list(function_calls(tool.projection))
        except JMESPathError:
            continue  # reported by the jmespath rule
        for name, count in calls:
            problem = function_problem(name, count, engine_functions=False)
            if problem:
                yield Finding((*tool.where, "projection"), f"{tool.name}: {problem}", "function")


def _step_expressions(step: Step) -> list[tuple[DocPath, str, bool]]:
    """(where, expression, evaluated per item rather than on the context) for each of a step's JMESPaths."""
    found: list[tuple[DocPath, str, bool]] = []
    if step.when:
        found.append(((*step.where, "when"), step.when, False))
    if isinstance(step, CallStep):
        found += [((*step.where, "with", k), v, False) for k, v in step.with_.items() if isinstance(v, str)]
    elif isinstance(step, AggregateStep):
        at = (*step.where, "aggregate")
        found.append(((*at, "over"), step.over, False))
        found += [((*at, "let", name), value, False) for name, value in step.let.items()]
        for join in step.joins:
            found += [((*join.where, "from"), join.source, False), ((*join.where, "key"), join.key, True)]
        if step.filter:
            found.append(((*at, "where"), step.filter, True))
        found += [((*at, "group_by", field), value, True) for field, value in step.group_by.items()]
        for total in step.sums:
            found.append((total.where, total.of, True))
            if total.when:
                found.append((total.where, total.when, True))
    elif isinstance(step, ComputeStep):
        found.append(((*step.where, "compute"), step.expression, False))
    return found


def _compiles_cleanly(expression: str) -> bool:
    try:
        parsed = compiled(expression).parsed
    except JMESPathError:
        return False
    return not _negated_path(parsed) and not any(
        function_problem(name, count, engine_functions=True) for name, count in function_calls(expression)
    )


def _compile_findings(path: DocPath, expression: str, workflow: Workflow) -> Iterator[Finding]:
    try:
        parsed = compiled(expression).parsed
    except JMESPathError as exc:
        reason = str(exc).splitlines()[0]
        yield Finding(path, f"{workflow.name}: invalid JMESPath {expression!r}: {reason}", "jmespath")
        return
    if _negated_path(parsed):
        yield Finding(
            path,
            f"{workflow.name}: {expression!r}: !a.b reads as (!a).b, which is always null; write !(a.b)",
            "jmespath",
        )
    for name, count in function_calls(expression):
        problem = function_problem(name, count, engine_functions=True)
        if problem:
            yield Finding(path, f"{workflow.name}: {problem}", "function")


def _negated_path(node: Mapping[str, Any]) -> bool:
    if (
        node["type"] in ("subexpression", "index_expression")
        and node["children"][0]["type"] == "not_expression"
    ):
        return True
    return any(_negated_path(child) for child in node.get("children", []))


def _references(
    path: DocPath,
    expression: str,
    workflow: Workflow,
    arguments: dict[str, Argument],
    earlier: set[str],
    all_steps: set[str],
) -> Iterator[Finding]:
    for parts in root_paths(expression):
        root = parts[0]
        field = parts[1] if len(parts) > 1 else None
        problem = None
        if root == ARGS and field is not None and field not in arguments:
            problem = f"argument {field!r} is not declared (arguments: {', '.join(arguments) or 'none'})"
        elif root == CLOCK and field is not None and field not in CLOCK_FIELDS:
            problem = f"clock has no {field!r} (it has {', '.join(sorted(CLOCK_FIELDS))})"
        elif (
            root == RESOLVED
            and field is not None
            and field != "time_zone"
            and not _resolvable(arguments.get(field))
        ):
            problem = (
                f"resolved.{field}: argument {field!r} has no lookup or clock, so nothing is resolved for it"
            )
        elif root not in RESERVED_ROOTS and root not in earlier:
            problem = (
                f"step {root!r} runs later; its result does not exist yet"
                if root in all_steps
                else f"{root!r} is neither a step nor args, clock or resolved"
            )
        if problem:
            yield Finding(path, f"{workflow.name}: {expression!r}: {problem}", "step-ref")


def _resolvable(arg: Argument | None) -> bool:
    return arg is not None and (arg.lookup is not None or arg.clock is not None)


def lookups_are_searchable(manifest: Manifest) -> Iterator[Finding]:
    for owner, arguments in _argument_owners(manifest):
        names = {arg.name for arg in arguments}
        for arg in arguments:
            lookup = arg.lookup
            if lookup is None:
                continue
            tool = manifest.tool(lookup.tool)
            if tool is None or not tool.paginated or tool.method != "GET":
                yield Finding(
                    (*lookup.where, "tool"),
                    f"{owner}: argument {arg.name!r} looks up through {lookup.tool!r}, which is not a "
                    "paginated list tool of this manifest",
                    "lookup",
                )
                continue
            queries = {a.name for a in tool.arguments_in("query") if not a.has_fixed}
            if lookup.search not in queries:
                yield Finding(
                    (*lookup.where, "search"),  # at the lookup itself when search is left to its default
                    f"{owner}: argument {arg.name!r}: {tool.name} has no search filter {lookup.search!r} "
                    "to look names up with",
                    "lookup",
                )
            for target, source in lookup.scope.items():
                if target == lookup.search:
                    yield Finding(
                        (*lookup.where, "scope", target),
                        f"{owner}: argument {arg.name!r}: scope sets {target!r}, the filter the name is "
                        "searched with",
                        "lookup",
                    )
                elif target not in queries:
                    yield Finding(
                        (*lookup.where, "scope", target),
                        f"{owner}: argument {arg.name!r}: {tool.name} has no filter {target!r} to scope by",
                        "lookup",
                    )
                if source not in names or source == arg.name:
                    yield Finding(
                        (*lookup.where, "scope", target),
                        f"{owner}: argument {arg.name!r}: scope names {source!r}, which is not another "
                        "argument of this tool",
                        "lookup",
                    )
            try:
                re.compile(lookup.id_pattern)
            except re.error as exc:
                yield Finding(
                    (*lookup.where, "id_pattern"),
                    f"{owner}: argument {arg.name!r}: bad id_pattern: {exc}",
                    "lookup",
                )
            if arg.schema.get("type") != "string":
                yield Finding(
                    (*arg.where, "schema"),
                    f"{owner}: argument {arg.name!r} takes a name or an id, so its schema must be a string",
                    "lookup",
                )
        yield from _scope_cycles(owner, arguments)


def _scope_cycles(owner: str, arguments: tuple[Argument, ...]) -> Iterator[Finding]:
    depends = {arg.name: set((arg.lookup.scope if arg.lookup else {}).values()) for arg in arguments}
    for arg in arguments:
        seen, frontier = set(), set(depends.get(arg.name, ()))
        while frontier:
            name = frontier.pop()
            if name == arg.name:
                assert arg.lookup is not None
                yield Finding(
                    (*arg.lookup.where, "scope"),
                    f"{owner}: lookups of {arg.name!r} and the arguments it is scoped by depend on "
                    "each other",
                    "lookup",
                )
                break
            if name not in seen:
                seen.add(name)
                frontier |= depends.get(name, set())


def _argument_owners(manifest: Manifest) -> Iterator[tuple[str, tuple[Argument, ...]]]:
    for tool in manifest.tools:
        yield tool.name, tool.arguments
    for workflow in manifest.workflows:
        if not workflow.supersedes:
            yield workflow.name, workflow.arguments


def time_zone_is_known(manifest: Manifest) -> Iterator[Finding]:
    if manifest.clock.time_zone != LOCAL_ZONE and _zone(manifest.clock.time_zone) is None:
        yield Finding(
            (*manifest.clock.where, "time_zone"),
            f"unknown time zone {manifest.clock.time_zone!r}: use an IANA name such as Europe/Berlin, "
            f"UTC, or {LOCAL_ZONE} for the machine's own",
            "time-zone",
        )


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_WORD_SAMPLES = {"date": DAY_WORDS, "start_of_day": DAY_WORDS, "end_of_day": DAY_WORDS, "now": ("now",)}


def clock_arguments_take_words(manifest: Manifest) -> Iterator[Finding]:
    checker = FormatChecker()
    for owner, arguments in _argument_owners(manifest):
        is_tool = manifest.tool(owner) is not None
        for arg in arguments:
            if arg.clock is None:
                continue
            where = (*arg.where, "clock")
            if arg.clock == "period" and (is_tool or arg.location is not None):
                yield Finding(
                    where, f"{owner}: argument {arg.name!r}: period is for workflow arguments", "clock"
                )
                continue
            if arg.schema.get("type") != "string":
                yield Finding(
                    where,
                    f"{owner}: argument {arg.name!r} takes words, so its schema must be a string",
                    "clock",
                )
                continue
            try:
                validator = BoundedValidator(arg.schema, format_checker=checker)
                samples = PERIOD_WORDS if arg.clock == "period" else _WORD_SAMPLES[arg.clock]
                refused = [word for word in samples if not validator.is_valid(word)]
            except SchemaError:
                continue  # reported by schema-valid
            if refused:
                yield Finding(
                    (*arg.where, "schema"),
                    f"{owner}: argument {arg.name!r} has clock: {arg.clock}, but its schema refuses "
                    f"{refused[0]!r}; drop format/pattern/enum that keep the words out",
                    "clock",
                )


def fixed_arguments(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        for arg in tool.arguments:
            if not arg.has_fixed:
                continue
            if arg.required_declared or arg.has_default or arg.lookup or arg.clock:
                yield Finding(
                    (*arg.where, "fixed"),
                    f"{tool.name}: argument {arg.name!r} is fixed, so required, default, lookup and clock "
                    "mean nothing for it",
                    "fixed",
                )
            try:
                valid = BoundedValidator(arg.schema).is_valid(arg.fixed)
            except SchemaError:
                continue
            if not valid:
                yield Finding(
                    (*arg.where, "fixed"),
                    f"{tool.name}: argument {arg.name!r}: fixed value {arg.fixed!r} does not match "
                    "its schema",
                    "fixed",
                )


def superseding_is_a_superset(manifest: Manifest) -> Iterator[Finding]:
    """Listed in an API tool's place, a workflow must answer whatever that tool answers, and more."""
    for workflow in manifest.workflows:
        if not workflow.supersedes:
            continue
        base = manifest.tool(workflow.name)
        if base is None:
            yield Finding(
                (*workflow.where, "supersedes"),
                f"{workflow.name}: supersedes, but there is no API tool {workflow.name!r}",
                "supersede",
            )
            continue
        first = workflow.steps[0]
        if (
            not isinstance(first, CallStep)
            or first.tool != base.name
            or first.when
            or first.with_
            or first.optional
        ):
            yield Finding(
                first.where,
                f"{workflow.name}: the first step must call {base.name} with the workflow's own arguments "
                "(no with, when or optional)",
                "supersede",
            )
        for step in workflow.steps[1:]:
            if isinstance(step, CallStep):
                tool = manifest.tool(step.tool)
                if not step.optional or tool is None or not tool.read_only:
                    yield Finding(
                        step.where,
                        f"{workflow.name}: step {step.id!r} must be an optional read, so the workflow "
                        f"fails only where {base.name} itself would",
                        "supersede",
                    )


def workflow_declarations(manifest: Manifest) -> Iterator[Finding]:
    for workflow in manifest.workflows:
        if workflow.result is None and not workflow.supersedes:
            yield Finding(
                workflow.where,
                f"{workflow.name}: a workflow needs result (a JMESPath over its steps)",
                "workflow",
            )
        if workflow.supersedes and workflow.declares_arguments:
            yield Finding(
                (*workflow.where, "arguments"),
                f"{workflow.name}: a superseding workflow takes its API tool's arguments; remove arguments",
                "workflow",
            )
        if workflow.output_schema is not None:
            problem = schema_problem(workflow.output_schema)
            if problem or workflow.output_schema.get("type") != "object":
                yield Finding(
                    (*workflow.where, "output_schema"),
                    f"{workflow.name}: output_schema must be a valid schema of an object"
                    + (f" ({problem})" if problem else ""),
                    "output-schema",
                )
        for step in workflow.steps:
            if isinstance(step, AggregateStep):
                yield from _aggregate_fields(workflow, step)


def _aggregate_fields(workflow: Workflow, step: AggregateStep) -> Iterator[Finding]:
    at = (*step.where, "aggregate")
    fields: dict[str, str] = {}
    outputs = [*(("group_by", f) for f in step.group_by), *(("sum", s.name) for s in step.sums)]
    if step.count:
        outputs.append(("count", step.count))
    for section, field in outputs:
        if field in fields:
            yield Finding(
                (*at, section) if section == "count" else (*at, section, field),
                f"{workflow.name}: step {step.id!r}: output field {field!r} is given by both "
                f"{fields[field]} and {section}",
                "aggregate",
            )
        fields.setdefault(field, section)
    if step.sort and step.sort.lstrip("-") not in fields:
        yield Finding(
            (*at, "sort"),
            f"{workflow.name}: step {step.id!r}: sort names {step.sort.lstrip('-')!r}, which is not an "
            f"output field ({', '.join(fields) or 'none'})",
            "aggregate",
        )


def workflow_examples_hold(manifest: Manifest) -> Iterator[Finding]:
    # Examples run in the manifest's zone, or in UTC when that is the machine's (so they hold anywhere).
    zone = _zone("UTC" if manifest.clock.time_zone == LOCAL_ZONE else manifest.clock.time_zone)
    if zone is None:
        return  # reported by time-zone
    # A workflow whose expressions are wrong is reported for them; running its examples would only echo it.
    broken = {finding.path[:2] for finding in workflow_expressions(manifest)}
    for workflow in manifest.workflows:
        if not workflow.examples:
            yield Finding(
                workflow.where,
                f"{workflow.name}: no example; add one so validate can run its steps",
                "example",
                severity="warning",
            )
        if workflow.where[:2] in broken:
            continue
        for example in workflow.examples:
            yield from _run_example(manifest, workflow, example, zone)


def _run_example(manifest: Manifest, workflow: Workflow, example: Any, zone: ZoneInfo) -> Iterator[Finding]:
    name = workflow.name
    where = example.where
    for error in BoundedValidator(workflow.input_schema).iter_errors(example.arguments):
        at = ".".join(str(p) for p in error.absolute_path)
        yield Finding(
            (*where, "arguments"), f"{name}: example argument {at or ''}: {error.message}", "example"
        )
        return
    now = _instant(example.now or EXAMPLE_NOW)
    if now is None:
        yield Finding(
            (*where, "now"),
            f"{name}: example now {example.now!r} is not an ISO-8601 instant with a zone",
            "example",
        )
        return
    calendar = Calendar(now, zone, WEEKDAYS.index(manifest.clock.week_start))
    given = with_defaults(workflow.arguments, example.arguments)
    for arg in workflow.arguments:
        value = given.get(arg.name)
        if arg.lookup and isinstance(value, str) and not re.search(arg.lookup.id_pattern, value):
            yield Finding(
                (*where, "arguments", arg.name),
                f"{name}: example argument {arg.name!r} would need a name lookup; give an id",
                "example",
            )
            return
    try:
        arguments, echo = resolve_clock_arguments(workflow.arguments, given, calendar)
    except CalendarError as exc:
        yield Finding((*where, "arguments"), f"{name}: {exc}", "example")
        return
    options = options_for(zone)
    plan = run_plan(workflow, new_context(arguments, calendar, echo), options)
    ran: set[str] = set()
    try:
        request = next(plan)
        while True:
            step = request.step
            ran.add(step.id)
            tool = manifest.tool(step.tool)
            if tool is not None:
                for error in BoundedValidator(tool.input_schema).iter_errors(request.arguments):
                    yield Finding(
                        (*step.where, "with"),
                        f"{name}: in example {example.name or where[-1]}, step {step.id!r} would call "
                        f"{tool.name} with bad arguments: {error.message}",
                        "example",
                    )
            if step.id not in example.steps:
                yield Finding(
                    (*where, "steps"),
                    f"{name}: step {step.id!r} runs in this example; give its sample result",
                    "example",
                )
                return
            request = plan.send(example.steps[step.id])
    except StopIteration as done:
        result = with_echo(workflow, done.value, echo, calendar)
    except StepError as exc:
        yield Finding((*where, "steps"), f"{name}: step {exc.step_id!r} failed: {exc.message}", "example")
        return
    for step_id in example.steps:
        if step_id not in ran:
            yield Finding(
                (*where, "steps", step_id),
                f"{name}: step {step_id!r} does not run in this example",
                "example",
            )
    if result != example.result:
        yield Finding(
            (*where, "result"), f"{name}: the example's result is {_diff(result, example.result)}", "example"
        )
    if workflow.output_schema is not None:
        try:
            validator = BoundedValidator(workflow.output_schema)
            for error in validator.iter_errors(result):
                at = ".".join(str(p) for p in error.absolute_path) or "result"
                yield Finding(
                    (*where, "result"),
                    f"{name}: example result breaks output_schema at {at}: {error.message}",
                    "example",
                )
        except SchemaError:
            return


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def lint_workflows(manifest: Manifest) -> list[Finding]:
    return run_rules(WORKFLOW_RULES, manifest)


WORKFLOW_RULES: tuple[Rule, ...] = (
    unique_workflow_names,
    step_ids_are_unique,
    steps_call_api_tools,
    workflow_expressions,
    lookups_are_searchable,
    time_zone_is_known,
    clock_arguments_take_words,
    fixed_arguments,
    superseding_is_a_superset,
    workflow_declarations,
    workflow_examples_hold,
)
