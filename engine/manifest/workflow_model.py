"""Workflow tools: typed views of the manifest's `workflows:` section.

A workflow is a tool that runs several steps in order: calls to the manifest's API tools (with
arguments computed by JMESPath over what is known so far), and pure steps that aggregate or compute.
Its result is a JMESPath projection over everything the steps produced. As in model.py, objects keep
`where` for FILE:LINE:COL, and the semantic rules live in lint (engine/manifest/workflow_lint.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from .argument_model import Argument, DocPath, build_arguments, listed_input_schema

# The roots every workflow expression may start from, besides the ids of earlier steps.
ARGS, CLOCK, RESOLVED = "args", "clock", "resolved"
RESERVED_ROOTS = frozenset({ARGS, CLOCK, RESOLVED})
CLOCK_FIELDS = frozenset({"now", "today", "time_zone"})


@dataclass(frozen=True, eq=False)
class CallStep:
    """Call an API tool of the manifest, through the same checks, retries and projection as a model's call."""

    id: str
    when: str | None  # JMESPath: the step runs only when it is truthy
    tool: str
    with_: dict[str, Any]  # argument -> a JMESPath (a string) or a literal (any other YAML value)
    optional: bool  # a failure leaves the step's result null instead of failing the workflow
    max_items: int | None  # page through a list tool, up to this many records
    where: DocPath


@dataclass(frozen=True)
class Join:
    """Adds to each item, under `name`, the record of `source` whose `field` equals the item's `key`."""

    name: str
    source: str  # JMESPath over the context: a list of records
    key: str  # JMESPath over the item
    field: str  # the record field matched
    where: DocPath


@dataclass(frozen=True)
class Sum:
    name: str
    of: str  # JMESPath over the item: an integer or a decimal string (null is skipped)
    when: str | None  # JMESPath over the item: count only items where it is truthy
    where: DocPath


@dataclass(frozen=True, eq=False)
class AggregateStep:
    """Group items and sum exactly: integers stay integers, decimal strings are summed as decimals."""

    id: str
    when: str | None
    over: str  # JMESPath over the context: the items
    let: dict[str, str]  # name -> JMESPath over the context, visible to every item expression
    joins: tuple[Join, ...]
    filter: str | None  # JMESPath over the item: keep only items where it is truthy
    group_by: dict[str, str]  # output field -> JMESPath over the item (the group's key is all of them)
    sums: tuple[Sum, ...]
    count: str | None  # output field holding the number of items
    sort: str | None  # an output field, "-" first for descending
    where: DocPath


@dataclass(frozen=True, eq=False)
class ComputeStep:
    id: str
    when: str | None
    expression: str  # JMESPath over the context
    where: DocPath


Step = CallStep | AggregateStep | ComputeStep


@dataclass(frozen=True, eq=False)
class WorkflowExample:
    """A worked run: validate feeds each call step its sample result and compares the outcome."""

    name: str | None
    arguments: dict[str, Any]
    now: str | None  # the clock's instant for the run, ISO-8601
    steps: dict[str, Any]  # step id -> that call's structured result (absent: the step must not run)
    result: dict[str, Any]
    where: DocPath


@dataclass(frozen=True, eq=False)
class Workflow:
    name: str
    title: str | None
    description: str
    arguments: tuple[Argument, ...]
    steps: tuple[Step, ...]
    result: str | None  # JMESPath over the context; with `supersedes`, the fields it adds
    output_schema: dict[str, Any] | None
    supersedes: bool  # listed in place of the API tool of the same name, as a strict superset of it
    examples: tuple[WorkflowExample, ...]
    where: DocPath
    # Annotations, derived from the tools its steps call (a workflow that writes is not read-only).
    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool
    declares_arguments: bool = False  # as written (a superseding workflow may not: it takes its tool's)
    paginated: bool = False
    roles: tuple[str, ...] | None = None  # the roles that can use it at all (api.identity); None: any

    def for_role(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    @cached_property
    def input_schema(self) -> dict[str, Any]:
        return listed_input_schema(self.arguments)

    def call_steps(self) -> tuple[CallStep, ...]:
        return tuple(step for step in self.steps if isinstance(step, CallStep))


class CalledTool(Protocol):
    """What a workflow takes from the API tools its steps call (model.Tool)."""

    @property
    def read_only(self) -> bool: ...
    @property
    def destructive(self) -> bool: ...
    @property
    def idempotent(self) -> bool: ...
    @property
    def open_world(self) -> bool: ...
    @property
    def arguments(self) -> tuple[Argument, ...]: ...
    @property
    def output_schema(self) -> dict[str, Any] | None: ...


def build_workflows(specs: list[dict[str, Any]], tools: Mapping[str, CalledTool]) -> tuple[Workflow, ...]:
    return tuple(_workflow(spec, ("workflows", index), tools) for index, spec in enumerate(specs))


def _workflow(spec: dict[str, Any], where: DocPath, tools: Mapping[str, CalledTool]) -> Workflow:
    steps = tuple(_step(step, (*where, "steps", index)) for index, step in enumerate(spec["steps"]))
    called = [tools.get(step.tool) for step in steps if isinstance(step, CallStep)]
    base = tools.get(spec["name"]) if spec.get("supersedes") else None
    arguments = (
        base.arguments
        if base is not None
        else build_arguments(spec.get("arguments", {}), (*where, "arguments"))
    )
    writes = [tool for tool in called if tool is None or not tool.read_only]  # unknown: assume the worst
    return Workflow(
        name=spec["name"],
        title=spec.get("title"),
        description=spec["description"],
        arguments=arguments,
        steps=steps,
        result=spec.get("result"),
        output_schema=spec.get("output_schema", base.output_schema if base is not None else None),
        supersedes=bool(spec.get("supersedes", False)),
        examples=tuple(
            WorkflowExample(
                name=ex.get("name"),
                arguments=ex.get("arguments", {}),
                now=ex.get("now"),
                steps=dict(ex.get("steps", {})),
                result=ex["result"],
                where=(*where, "examples", index),
            )
            for index, ex in enumerate(spec.get("examples", []))
        ),
        where=where,
        read_only=not writes,
        destructive=any(tool is None or tool.destructive for tool in writes),
        idempotent=all(tool is not None and tool.idempotent for tool in writes),
        open_world=any(tool is not None and tool.open_world for tool in called),
        declares_arguments="arguments" in spec,
        roles=tuple(spec["roles"]) if "roles" in spec else None,
    )


def _step(spec: dict[str, Any], where: DocPath) -> Step:
    step_id, when = spec["id"], spec.get("when")
    if "call" in spec:
        return CallStep(
            step_id,
            when,
            spec["call"],
            dict(spec.get("with", {})),
            bool(spec.get("optional", False)),
            spec.get("max_items"),
            where,
        )
    if "aggregate" in spec:
        agg, at = spec["aggregate"], (*where, "aggregate")
        return AggregateStep(
            id=step_id,
            when=when,
            over=agg["over"],
            let=dict(agg.get("let", {})),
            joins=tuple(
                Join(name, join["from"], join["key"], join.get("field", "id"), (*at, "join", name))
                for name, join in agg.get("join", {}).items()
            ),
            filter=agg.get("where"),
            group_by=dict(agg.get("group_by", {})),
            sums=tuple(_sum(name, value, (*at, "sum", name)) for name, value in agg.get("sum", {}).items()),
            count=agg.get("count"),
            sort=agg.get("sort"),
            where=where,
        )
    return ComputeStep(step_id, when, spec["compute"], where)


def _sum(name: str, spec: str | dict[str, Any], where: DocPath) -> Sum:
    if isinstance(spec, str):
        return Sum(name, spec, None, where)
    return Sum(name, spec["of"], spec.get("when"), where)
