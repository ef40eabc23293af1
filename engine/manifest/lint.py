"""Semantic rules a manifest must keep beyond its JSON Schema.

Each rule is a small function yielding findings located by document path; `lint` runs them all so
one run reports every problem. The rule name appears in each message, and each rule has its own
small test manifest under tests/manifests/.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from jmespath.exceptions import JMESPathError
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from .argument_values import format_checker, normalize
from .bounded_validator import BoundedValidator
from .hosts import is_allowed_base_url
from .live_checks import reference
from .model import (
    PLACEHOLDER,
    PROMPT_PLACEHOLDER,
    URI_VARIABLE,
    Argument,
    DocPath,
    Manifest,
    Tool,
    embedded_resource,
    embeds_any_resource,
)
from .patterns import schema_pattern_problems
from .problems import Severity, did_you_mean
from .projection import ShapeError, evaluator, root_reads, search, shape_success
from .workflow_model import Workflow

# Clients such as Cursor cap "server name + tool name" near 60 characters.
MAX_QUALIFIED_NAME = 60
_UNPORTABLE_KEYWORDS = ("$ref", "$defs", "definitions", "$dynamicRef", "const")
_COMBINATORS = ("anyOf", "oneOf", "allOf")


@cache
def _metaschema() -> Draft202012Validator:
    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


@cache
def _schema_problem_cached(canonical: str) -> str | None:
    error = best_match(_metaschema().iter_errors(json.loads(canonical)))
    if error is None:
        return None
    at = ".".join(str(part) for part in error.absolute_path) or "top"
    return f"not a valid JSON Schema at {at}: {error.message}"


def schema_problem(schema: Any) -> str | None:
    """Why `schema` is not a valid Draft 2020-12 schema, or None. Cached: manifests repeat schemas."""
    return _schema_problem_cached(json.dumps(schema, sort_keys=True))


@dataclass(frozen=True)
class Finding:
    path: DocPath
    message: str
    rule: str
    key: bool = False  # report at the key rather than at its value
    severity: Severity = "error"


Rule = Callable[[Manifest], Iterator[Finding]]


def lint(manifest: Manifest) -> list[Finding]:
    """The API tools' rules; engine/manifest/workflow_lint.py has the workflows' (the loader runs both)."""
    return run_rules(RULES, manifest)


def run_rules(rules: tuple[Rule, ...], manifest: Manifest) -> list[Finding]:
    """Every rule's findings; a rule that trips on some manifest leaves one line naming it (no traceback)."""
    findings: list[Finding] = []
    for rule in rules:
        try:
            findings.extend(rule(manifest))
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:200]
            message = f"the {rule.__name__} check could not finish on this manifest ({reason})"
            findings.append(Finding((), message, "internal"))
    return findings


def unique_tool_names(manifest: Manifest) -> Iterator[Finding]:
    counts = Counter(tool.name for tool in manifest.tools)
    first: dict[str, DocPath] = {}
    for tool in manifest.tools:
        if counts[tool.name] > 1:
            if tool.name in first:
                yield Finding(
                    (*tool.where, "name"), f"tool name {tool.name!r} is used more than once", "unique-name"
                )
            first.setdefault(tool.name, tool.where)


def short_tool_names(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        qualified = len(manifest.server.name) + 1 + len(tool.name)
        if qualified > MAX_QUALIFIED_NAME:
            yield Finding(
                (*tool.where, "name"),
                f"tool name {tool.name!r} is too long: with the server name it is {qualified} characters; "
                f"clients cap that near {MAX_QUALIFIED_NAME}",
                "name-length",
            )


def placeholders_match_arguments(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        path_args = {arg.name for arg in tool.arguments_in("path")}
        declared = {arg.name: arg.location for arg in tool.arguments}
        seen: set[str] = set()
        for name in tool.placeholders:
            if name in seen:
                yield Finding(
                    (*tool.where, "path"), f"placeholder {{{name}}} appears twice in the path", "placeholder"
                )
            seen.add(name)
            if name not in declared:
                hint = did_you_mean(name, list(declared))
                yield Finding(
                    (*tool.where, "path"),
                    f"placeholder {{{name}}} has no argument{hint}; declare it under arguments with in: path",
                    "placeholder",
                )
            elif declared[name] != "path":
                yield Finding(
                    (*tool.where, "arguments", name, "in"),
                    f"argument {name!r} fills placeholder {{{name}}} but is declared in: {declared[name]}",
                    "placeholder",
                )
        for name in sorted(path_args - set(tool.placeholders)):
            yield Finding(
                (*tool.where, "arguments", name),
                f"path argument {name!r} has no {{{name}}} placeholder in {tool.path!r}",
                "placeholder",
            )
        outside_placeholders = PLACEHOLDER.sub("", tool.path)
        if "{" in outside_placeholders or "}" in outside_placeholders:
            yield Finding((*tool.where, "path"), "unbalanced { or } in the path", "placeholder")
        for name in tool.placeholders:
            if not name.isidentifier():
                yield Finding(
                    (*tool.where, "path"), f"placeholder {{{name}}} is not an argument name", "placeholder"
                )


def path_arguments_are_required(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        for arg in tool.arguments_in("path"):
            if arg.required_declared is False:
                yield Finding(
                    (*arg.where, "required"),
                    f"path argument {arg.name!r} is always required; remove required: false",
                    "path-required",
                )


def jmespath_compiles(manifest: Manifest) -> Iterator[Finding]:
    expressions: list[tuple[DocPath, str | None]] = [
        (("api", "errors", "code"), manifest.api.errors.code),
        (("api", "errors", "message"), manifest.api.errors.message),
        (("api", "errors", "fields"), manifest.api.errors.fields),
        (("api", "errors", "details"), manifest.api.errors.details),
    ]
    if manifest.api.pagination:
        expressions += [
            (("api", "pagination", "items"), manifest.api.pagination.items),
            (("api", "pagination", "next_cursor"), manifest.api.pagination.next_cursor),
            (("api", "pagination", "has_more"), manifest.api.pagination.has_more),
        ]
    if manifest.api.identity:
        expressions.append((("api", "identity", "role"), manifest.api.identity.role))
    expressions += [((*tool.where, "projection"), tool.projection) for tool in manifest.tools]
    for path, expression in expressions:
        if expression is None:
            continue
        try:
            evaluator(expression)  # parsed and compiled: both can fail on a hostile expression
        except JMESPathError as exc:
            reason = str(exc).splitlines()[0]
            yield Finding(path, f"invalid JMESPath {expression!r}: {reason}", "jmespath")


def all_arguments(manifest: Manifest) -> Iterator[Argument]:
    """Every argument a tool or workflow declares (a superseding workflow reuses its tool's)."""
    for tool in manifest.tools:
        yield from tool.arguments
    for workflow in manifest.workflows:
        if not workflow.supersedes:
            yield from workflow.arguments


def portable_argument_schemas(manifest: Manifest) -> Iterator[Finding]:
    for arg in all_arguments(manifest):
        where = (*arg.where, "schema")
        problem = schema_problem(arg.schema)
        if problem:
            yield Finding(where, f"argument {arg.name!r}: {problem}", "schema-valid")
            continue
        for combinator in _COMBINATORS:
            if combinator in arg.schema:
                yield Finding(
                    where,
                    f"argument {arg.name!r}: top-level {combinator} is rejected by some clients; "
                    "use one type, or split the tool",
                    "portable-schema",
                )
        if "type" not in arg.schema and not any(c in arg.schema for c in _COMBINATORS):
            yield Finding(where, f"argument {arg.name!r}: give the schema a type", "portable-schema")
        for reason in _unportable(arg.schema):
            yield Finding(where, f"argument {arg.name!r}: {reason}", "portable-schema")
        if arg.has_default and not BoundedValidator(arg.schema).is_valid(arg.default):
            yield Finding(
                (*arg.where, "default"),
                f"argument {arg.name!r}: default {arg.default!r} does not match its schema",
                "schema-valid",
            )


def patterns_are_bounded(manifest: Manifest) -> Iterator[Finding]:
    """Every pattern compiles and cannot backtrack for long (engine/manifest/patterns.py)."""
    schemas = [
        ((*arg.where, "schema"), f"argument {arg.name!r}", arg.schema) for arg in all_arguments(manifest)
    ]
    outputs: list[tuple[str, DocPath, dict[str, Any] | None]] = [
        *((tool.name, tool.where, tool.output_schema) for tool in manifest.tools),
        *((workflow.name, workflow.where, workflow.output_schema) for workflow in manifest.workflows),
    ]
    for name, at, schema in outputs:
        if schema is not None:
            schemas.append(((*at, "output_schema"), f"{name}: output_schema", schema))
    for where, subject, schema in schemas:
        for problem in schema_pattern_problems(schema):
            yield Finding(where, f"{subject}: {problem}", "pattern")


def _unportable(schema: Any, trail: str = "") -> Iterator[str]:
    """What some MCP clients (Gemini, OpenAI, Copilot...) reject, anywhere in a schema."""
    if isinstance(schema, list):
        for item in schema:
            yield from _unportable(item, trail)
        return
    if not isinstance(schema, dict):
        return
    at = f" at {trail}" if trail else ""
    for keyword in _UNPORTABLE_KEYWORDS:
        if keyword in schema:
            yield f"{keyword}{at} is not portable across clients"
    if isinstance(schema.get("type"), list):
        yield f"type arrays{at} are not portable; use one type"
    if schema.get("type") == "array" and "items" not in schema:
        yield f"array{at} has no items schema"
    enum = schema.get("enum")
    if isinstance(enum, list) and len({type(value).__name__ for value in enum}) > 1:
        yield f"enum{at} mixes types; keep every value of one type"
    for keyword in ("properties", "patternProperties"):
        for name, sub in (schema.get(keyword) or {}).items():
            yield from _unportable(sub, f"{trail}.{name}" if trail else name)
    for keyword in ("items", "additionalProperties", "not", *_COMBINATORS):
        if isinstance(schema.get(keyword), dict | list):
            yield from _unportable(schema[keyword], f"{trail}.{keyword}" if trail else keyword)


def widening_is_sound(manifest: Manifest) -> Iterator[Finding]:
    """`clearable` and `accept_number` (argument_values.py) only where they can mean what they say."""
    for tool in manifest.tools:
        for arg in tool.arguments:
            if arg.clearable and (arg.location != "body" or arg.required):
                yield Finding(
                    (*arg.where, "clearable"),
                    f"argument {arg.name!r}: only an optional body argument can be cleared (sent as null)",
                    "widening",
                )
            elif arg.clearable and arg.schema.get("type") == "string" and not _accepts_empty(arg.schema):
                yield Finding(
                    (*arg.where, "schema"),
                    f'argument {arg.name!r} is clearable but its schema refuses ""; let the schema '
                    "accept it, or clients that hold the model to the schema cannot clear it",
                    "widening",
                )
            if arg.accept_number and arg.schema.get("type") != "string":
                yield Finding(
                    (*arg.where, "accept_number"),
                    f"argument {arg.name!r}: accept_number turns a number into decimal text, so the "
                    "schema must be type: string",
                    "widening",
                )


def _accepts_empty(schema: dict[str, Any]) -> bool:
    return bool(BoundedValidator(schema, format_checker=format_checker()).is_valid(""))


def unique_api_targets(manifest: Manifest) -> Iterator[Finding]:
    """Two arguments may not land on the same query or body name (one would silently overwrite)."""
    for tool in manifest.tools:
        seen: dict[tuple[str | None, str], str] = {}
        for arg in tool.arguments:
            if arg.location == "path":
                continue
            target = (arg.location, arg.api_name)
            if target in seen:
                yield Finding(
                    arg.where,
                    f"arguments {seen[target]!r} and {arg.name!r} both send "
                    f"{arg.location} field {arg.api_name!r}",
                    "argument-collision",
                )
            seen.setdefault(target, arg.name)


def delete_is_destructive(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        if tool.method == "DELETE" and not tool.destructive:
            yield Finding(
                (*tool.where, "destructive"),
                f"{tool.name}: a DELETE tool must be destructive: true",
                "delete",
            )


def get_is_read_only(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        if tool.method != "GET":
            continue
        if tool.destructive:
            yield Finding(
                (*tool.where, "destructive"),
                f"{tool.name}: a GET tool reads only; destructive must be false",
                "get",
            )
        for arg in tool.arguments_in("body"):
            yield Finding(
                (*arg.where, "in"), f"{tool.name}: a GET tool cannot take body argument {arg.name!r}", "get"
            )


def writes_are_idempotent(manifest: Manifest) -> Iterator[Finding]:
    """A POST cannot be retried safely without a key. An API that takes keys must get one on every
    POST; an API that takes none is told once that its POST tools are never retried after a fault."""
    idempotency = manifest.api.idempotency
    posts = [tool for tool in manifest.tools if tool.method == "POST"]
    if idempotency is None:
        if posts:
            yield Finding(
                ("api",),
                f"api declares no idempotency header: its {len(posts)} POST tool(s) are never retried "
                "after a network error or a 5xx (a retry could act twice)",
                "idempotency",
                key=True,
                severity="warning",
            )
        return
    for tool in posts:
        if "POST" not in idempotency.methods:
            yield Finding(
                (*tool.where, "method"),
                f"{tool.name}: POST tools need api.idempotency to cover POST, "
                "so a retried call cannot duplicate",
                "idempotency",
            )


def pagination_is_declared(manifest: Manifest) -> Iterator[Finding]:
    pagination = manifest.api.pagination
    for tool in manifest.tools:
        if not tool.paginated:
            continue
        if pagination is None:
            yield Finding(
                (*tool.where, "paginated"), f"{tool.name}: paginated tools need api.pagination", "pagination"
            )
            continue
        if tool.method != "GET":
            yield Finding(
                (*tool.where, "paginated"), f"{tool.name}: only GET tools can be paginated", "pagination"
            )
        query_names = {arg.api_name for arg in tool.arguments_in("query")}
        for param in (pagination.cursor_param, pagination.limit_param):
            if param is not None and param not in query_names:
                yield Finding(
                    (*tool.where, "arguments"),
                    f"{tool.name}: a paginated tool needs a query argument sent as {param!r}",
                    "pagination",
                )


def paginated_projections_read_records(manifest: Manifest) -> Iterator[Finding]:
    """A paginated tool's projection runs on each record, already taken out of the list body at
    api.pagination.items: one written for the whole body (data[].{...}) gives null for every record.
    Read statically, so it is caught without an example; a key the example records really have is
    not taken for the body's."""
    pagination = manifest.api.pagination
    if pagination is None:
        return
    body_paths = [path for path in (pagination.items, pagination.next_cursor) if path is not None]
    body_keys = {key for path in body_paths if _compiles(path) for key in root_reads(path).fields}
    for tool in manifest.tools:
        if not tool.paginated or tool.projection is None or not _compiles(tool.projection):
            continue
        reads = root_reads(tool.projection)
        misread = sorted(reads.fields & body_keys - _example_record_keys(tool, pagination.items))
        where = (*tool.where, "projection")
        if misread:
            names = " and ".join(repr(key) for key in misread)
            yield Finding(
                where,
                f"{tool.name}: a paginated tool's projection applies to each record (already taken "
                f"from {pagination.items!r}), so reading the list body's {names} gives null for every "
                f"record; write it for one record{_per_record_hint(tool.projection, misread)}",
                "paginated-projection",
            )
        elif reads.as_list:
            yield Finding(
                where,
                f"{tool.name}: a paginated tool's projection applies to each record, an object; "
                "it treats the record as a list ([], [*], [0] or a filter) and would give null",
                "paginated-projection",
            )


def _example_record_keys(tool: Tool, items: str) -> set[str]:
    keys: set[str] = set()
    for example in tool.examples:
        try:
            records = search(items, example.response)
        except JMESPathError:
            continue
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict):
                keys.update(record)
    return keys


def _per_record_hint(projection: str, misread: list[str]) -> str:
    for key in misread:
        for prefix in (f"{key}[].", f"{key}[*].", f"{key}."):
            if projection.startswith(prefix):
                return f", e.g. {projection.removeprefix(prefix)!r}"
    return ""


def identity_is_callable(manifest: Manifest) -> Iterator[Finding]:
    """The identity tool is called with no arguments, at every start: it must exist and only read."""
    identity = manifest.api.identity
    if identity is None:
        return
    tool = manifest.tool(identity.tool)
    where = ("api", "identity", "tool")
    if tool is None:
        hint = did_you_mean(identity.tool, [t.name for t in manifest.tools])
        yield Finding(where, f"api.identity names unknown tool {identity.tool!r}{hint}", "identity")
        return
    if not tool.read_only or tool.paginated:
        yield Finding(
            where, f"api.identity's tool {tool.name!r} must be a GET tool that is not paginated", "identity"
        )
    required = [arg.name for arg in tool.arguments if arg.required]
    if required:
        yield Finding(
            where,
            f"api.identity's tool {tool.name!r} is called without arguments, "
            f"but requires {', '.join(required)}",
            "identity",
        )


def roles_are_declared(manifest: Manifest) -> Iterator[Finding]:
    """Roles mean something only with api.identity; there, every tool says its roles, each one a
    value the identity can give (when its output_schema lists them), so that no tool is hidden from
    a role by a typo, and none is forgotten."""
    identity = manifest.api.identity
    known = _role_values(manifest)
    listed: list[Tool | Workflow] = [*manifest.tools, *manifest.workflows]
    for tool in listed:
        where = (*tool.where, "roles")
        if tool.roles is None:
            if identity is not None:
                yield Finding(
                    tool.where,
                    f"{tool.name}: no roles; with api.identity every tool says which roles can use it "
                    "(it is listed for every role meanwhile)",
                    "roles",
                    severity="warning",
                )
            continue
        if identity is None:
            yield Finding(
                where, f"{tool.name}: roles need api.identity, which tells the token's role", "roles"
            )
            continue
        for index, role in enumerate(tool.roles):
            if known is not None and role not in known:
                yield Finding(
                    (*where, index),
                    f"{tool.name}: role {role!r} is not one the identity gives "
                    f"({', '.join(known)}){did_you_mean(role, known)}",
                    "roles",
                )


def _role_values(manifest: Manifest) -> list[str] | None:
    """The roles the identity tool's output_schema allows at the role's path, when it says."""
    identity = manifest.api.identity
    tool = manifest.tool(identity.tool) if identity else None
    if identity is None or tool is None or tool.output_schema is None:
        return None
    schema: Any = tool.output_schema
    for key in identity.role.split("."):
        if not key.isidentifier() or not isinstance(schema, dict):
            return None
        schema = schema.get("properties", {}).get(key)
    enum = schema.get("enum") if isinstance(schema, dict) else None
    return [str(value) for value in enum] if isinstance(enum, list) else None


def toolsets_name_tools(manifest: Manifest) -> Iterator[Finding]:
    known = {tool.name for tool in manifest.listing}
    for toolset in manifest.toolsets.values():
        for index, name in enumerate(toolset.tools):
            if name not in known:
                hint = did_you_mean(name, sorted(known))
                yield Finding(
                    (*toolset.where, "tools", index),
                    f"toolset {toolset.name!r} names unknown tool {name!r}{hint}",
                    "toolset",
                )


def live_checks_fit(manifest: Manifest) -> Iterator[Finding]:
    """Each check names arguments the tool has, with values its schema takes; a "$TOOL:EXPRESSION"
    value names a tool of the manifest and compiles."""
    for tool in manifest.tools:
        properties = tool.input_schema["properties"]
        for check in tool.checks:
            for name, value in check.arguments.items():
                where = (*check.where, "arguments", name)
                problem = _check_argument_problem(manifest, properties.get(name), name, value)
                if problem:
                    yield Finding(where, f"{tool.name}: {problem}", "check", key=name not in properties)


def _check_argument_problem(manifest: Manifest, schema: Any, name: str, value: Any) -> str | None:
    if schema is None:
        return f"check argument {name!r} is not an argument"
    ref = reference(value)
    if ref is None:
        error = best_match(Draft202012Validator(schema).iter_errors(value))
        return f"check argument {name!r}: {error.message}" if error is not None else None
    source, expression = ref
    if manifest.tool(source) is None:
        return f"check takes {name!r} from unknown tool {source!r}"
    if not _compiles(expression):
        return f"check expression {expression!r} is not JMESPath"
    return None


def auth_header_is_its_own(manifest: Manifest) -> Iterator[Finding]:
    """The token's header is set from auth alone: a fixed value in api.headers would clash with it."""
    auth_header, _ = manifest.api.auth.header_for("")
    for name in manifest.api.headers:
        if name.lower() == auth_header.lower():
            yield Finding(
                ("api", "headers", name),
                f"header {name!r} carries the token (api.auth); remove it from api.headers",
                "auth-header",
                key=True,
            )


def base_url_is_safe(manifest: Manifest) -> Iterator[Finding]:
    if not is_allowed_base_url(manifest.api.base_url):
        yield Finding(
            ("api", "base_url"), "base_url must be https:// (http:// only for loopback hosts)", "base-url"
        )


def output_schemas_are_objects(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        if tool.output_schema is None:
            continue
        where = (*tool.where, "output_schema")
        problem = schema_problem(tool.output_schema)
        if problem:
            yield Finding(where, f"{tool.name}: output_schema is {problem}", "output-schema")
            continue
        if tool.output_schema.get("type") != "object":
            yield Finding(
                where, f"{tool.name}: output_schema must describe an object (type: object)", "output-schema"
            )
        for reason in _unportable(tool.output_schema):
            yield Finding(where, f"{tool.name}: output_schema: {reason}", "output-schema")
        for trail in _untyped_properties(tool.output_schema):
            yield Finding(
                where,
                f"{tool.name}: output_schema property {trail} has no type; strict clients (fastmcp) then "
                "read it as an object and fail on any other value. Type it; for a value that may be "
                "absent, leave it out of required and omit it from the result",
                "output-schema",
            )


def _untyped_properties(schema: Any, trail: str = "") -> Iterator[str]:
    if not isinstance(schema, dict):
        return
    for name, sub in (schema.get("properties") or {}).items():
        here = f"{trail}.{name}" if trail else str(name)
        if isinstance(sub, dict) and not any(key in sub for key in ("type", "enum", *_COMBINATORS)):
            yield here
        yield from _untyped_properties(sub, here)
    if isinstance(schema.get("items"), dict):
        yield from _untyped_properties(schema["items"], f"{trail}[]" if trail else "[]")


def examples_hold(manifest: Manifest) -> Iterator[Finding]:
    for tool in manifest.tools:
        if not tool.examples:
            yield Finding(
                tool.where,
                f"{tool.name}: no example; add one so validate can check the projection",
                "example",
                severity="warning",
            )
        if tool.projection is not None and not _compiles(tool.projection):
            continue  # reported by jmespath_compiles
        for example in tool.examples:
            yield from _check_example(
                manifest,
                tool,
                example.where,
                example.arguments,
                example.status,
                example.response,
                example.result,
            )


def _compiles(expression: str) -> bool:
    try:
        evaluator(expression)
    except JMESPathError:
        return False
    return True


def _check_example(
    manifest: Manifest,
    tool: Tool,
    where: DocPath,
    arguments: dict[str, Any],
    status: int,
    response: Any,
    expected: dict[str, Any],
) -> Iterator[Finding]:
    # Checked as a call checks them: numbers for money strings, null or "" for clearable arguments. An
    # argument schema that is not a valid JSON Schema is reported by its own rule; validating against it
    # could only fail inside jsonschema (maxLength: "ten" compares a number with a string).
    valid_schemas = not any(schema_problem(arg.schema) for arg in tool.arguments)
    checked = BoundedValidator(tool.input_schema).iter_errors(normalize(tool, arguments).values)
    for error in checked if valid_schemas else ():
        at = ".".join(str(p) for p in error.absolute_path)
        subject = f"example argument {at}" if at else "example arguments"
        yield Finding((*where, "arguments"), f"{tool.name}: {subject}: {error.message}", "example")
    try:
        actual = shape_success(tool, manifest.api.pagination, status, response, arguments)
    except (ShapeError, JMESPathError) as exc:
        yield Finding(
            (*where, "response"), f"{tool.name}: example response cannot be shaped: {exc}", "example"
        )
        return
    if actual != expected:
        yield Finding(
            (*where, "result"), f"{tool.name}: projected example is {_diff(actual, expected)}", "example"
        )
    if tool.output_schema is not None and not schema_problem(tool.output_schema):  # else reported
        for error in BoundedValidator(tool.output_schema).iter_errors(actual):
            at = ".".join(str(p) for p in error.absolute_path) or "result"
            yield Finding(
                (*where, "result"),
                f"{tool.name}: example result breaks output_schema at {at}: {error.message}",
                "example",
            )


def _diff(actual: Any, expected: Any, trail: str = "") -> str:
    """The first place where the projected sample and the expected result part ways."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        for key in [*expected, *(k for k in actual if k not in expected)]:
            here = f"{trail}.{key}" if trail else str(key)
            if key not in actual:
                return f"missing {here} (expected {expected[key]!r})"
            if key not in expected:
                return f"carrying unexpected {here} = {actual[key]!r}"
            if actual[key] != expected[key]:
                return _diff(actual[key], expected[key], here)
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            if a != e:
                return _diff(a, e, f"{trail}[{index}]")
    return f"{actual!r} at {trail or 'the top'}, expected {expected!r}"


# ─────────────────────── Prompts and resources (issue 10, A.7) ───────────────────────

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def prompts_are_well_formed(manifest: Manifest) -> Iterator[Finding]:
    seen: set[str] = set()
    for prompt in manifest.prompts:
        if prompt.name in seen:
            yield Finding(
                (*prompt.where, "name"), f"prompt name {prompt.name!r} is used more than once", "prompt"
            )
        seen.add(prompt.name)
        for arg in prompt.arguments:
            if not arg.required and arg.default is None:
                yield Finding(
                    arg.where,
                    f"prompt {prompt.name!r}: optional argument {arg.name!r} needs a default "
                    "(or required: true), so its placeholders are never left empty",
                    "prompt",
                )


def prompt_placeholders_match_arguments(manifest: Manifest) -> Iterator[Finding]:
    for prompt in manifest.prompts:
        declared = {arg.name for arg in prompt.arguments}
        used: set[str] = set()
        texts = [((*m.where, "text"), m.text) for m in prompt.messages]
        texts += [((*prompt.where, "embed", i), uri) for i, uri in enumerate(prompt.embed)]
        for where, text in texts:
            for name in PROMPT_PLACEHOLDER.findall(text):
                used.add(name)
                if name not in declared:
                    yield Finding(
                        where,
                        f"prompt {prompt.name!r}: placeholder {{{name}}} has no argument; "
                        "declare it under arguments",
                        "prompt-placeholder",
                    )
        for arg in prompt.arguments:
            if arg.name not in used:
                yield Finding(
                    arg.where,
                    f"prompt {prompt.name!r}: argument {arg.name!r} fills no {{{arg.name}}} placeholder",
                    "prompt-placeholder",
                )


def prompt_tools_exist(manifest: Manifest) -> Iterator[Finding]:
    """The tools a prompt steers to decide when it is served, so the list must be true and complete."""
    known = {tool.name for tool in manifest.listing}  # API tools and workflows alike
    for prompt in manifest.prompts:
        for index, name in enumerate(prompt.tools):
            if name not in known:
                yield Finding(
                    (*prompt.where, "tools", index),
                    f"prompt {prompt.name!r} names unknown tool {name!r}{did_you_mean(name, sorted(known))}",
                    "prompt-tool",
                )
        listed = set(prompt.tools)
        for message in prompt.messages:
            mentioned = {word for word in _WORD.findall(message.text) if word in known}
            for name in sorted(mentioned - listed):
                yield Finding(
                    (*message.where, "text"),
                    f"prompt {prompt.name!r} mentions tool {name!r}: list it under tools, so the prompt "
                    "is hidden when that tool is not served",
                    "prompt-tool",
                )


def prompt_embeds_are_resources(manifest: Manifest) -> Iterator[Finding]:
    for prompt in manifest.prompts:
        for index, uri in enumerate(prompt.embed):
            if not embeds_any_resource(uri) and embedded_resource(uri, manifest.resources) is None:
                yield Finding(
                    (*prompt.where, "embed", index),
                    f"prompt {prompt.name!r} embeds {uri!r}, which is no resource of this manifest",
                    "prompt-embed",
                )


def resources_are_unique(manifest: Manifest) -> Iterator[Finding]:
    uris: set[str] = set()
    names: set[str] = set()
    for resource in manifest.resources:
        if resource.uri in uris:
            yield Finding(
                (*resource.where, "uri"), f"resource URI {resource.uri!r} is used more than once", "resource"
            )
        if resource.name in names:
            yield Finding(
                (*resource.where, "name"),
                f"resource name {resource.name!r} is used more than once",
                "resource",
            )
        uris.add(resource.uri)
        names.add(resource.name)
        if "{" in URI_VARIABLE.sub("", resource.uri) or "}" in URI_VARIABLE.sub("", resource.uri):
            yield Finding((*resource.where, "uri"), "unbalanced { or } in the URI", "resource")
        variables = resource.variables
        for name in sorted({v for v in variables if variables.count(v) > 1}):
            yield Finding(
                (*resource.where, "uri"), f"variable {{{name}}} appears twice in the URI", "resource"
            )


def resources_read_through_read_only_tools(manifest: Manifest) -> Iterator[Finding]:
    listed = {tool.name: tool for tool in manifest.listing}  # a resource reads what tools/call would
    for resource in manifest.resources:
        tool = listed.get(resource.tool)
        if tool is None:
            yield Finding(
                (*resource.where, "tool"),
                f"resource {resource.name!r} is backed by unknown tool {resource.tool!r}"
                f"{did_you_mean(resource.tool, sorted(listed))}",
                "resource-tool",
            )
        elif not tool.read_only:
            yield Finding(
                (*resource.where, "tool"),
                f"resource {resource.name!r}: reading a resource must change nothing, but {tool.name} "
                "writes; back it with a read-only tool",
                "resource-tool",
            )


def resource_arguments_fit_tool(manifest: Manifest) -> Iterator[Finding]:
    listed = {tool.name: tool for tool in manifest.listing}
    for resource in manifest.resources:
        tool = listed.get(resource.tool)
        if tool is None:
            continue  # reported by resources_read_through_read_only_tools
        # A pinned (fixed) argument is the tool's own: no caller, a resource included, may set it.
        arguments = {arg.name: arg for arg in tool.arguments if not arg.has_fixed}
        for name in dict.fromkeys(resource.variables):
            arg = arguments.get(name)
            if arg is None:
                yield Finding(
                    (*resource.where, "uri"),
                    f"resource {resource.name!r}: URI variable {{{name}}} is no argument of {tool.name}",
                    "resource-arguments",
                )
            elif arg.schema.get("type") != "string":
                yield Finding(
                    (*resource.where, "uri"),
                    f"resource {resource.name!r}: URI variable {{{name}}} fills {tool.name} argument "
                    f"{name!r}, which does not take a string",
                    "resource-arguments",
                )
            if name in resource.arguments:
                yield Finding(
                    (*resource.where, "arguments", name),
                    f"resource {resource.name!r}: {name!r} is both a URI variable and a fixed argument",
                    "resource-arguments",
                )
        for name, value in resource.arguments.items():
            arg = arguments.get(name)
            where = (*resource.where, "arguments", name)
            if arg is None:
                pinned = any(a.name == name and a.has_fixed for a in tool.arguments)
                reason = (
                    f"pins {name!r} itself (fixed); leave it out" if pinned else f"has no argument {name!r}"
                )
                yield Finding(
                    where, f"resource {resource.name!r}: {tool.name} {reason}", "resource-arguments"
                )
                continue
            if schema_problem(arg.schema):
                continue  # reported by portable_argument_schemas
            error = best_match(BoundedValidator(arg.schema).iter_errors(value))
            if error is not None:
                yield Finding(
                    where,
                    f"resource {resource.name!r}: fixed argument {name!r}: {error.message}",
                    "resource-arguments",
                )
        given = set(resource.variables) | set(resource.arguments)
        for arg in arguments.values():
            if arg.required and arg.name not in given:
                yield Finding(
                    (*resource.where, "tool"),
                    f"resource {resource.name!r}: {tool.name} requires {arg.name!r}; give it as a fixed "
                    f"argument or a {{{arg.name}}} URI variable",
                    "resource-arguments",
                )


PROMPT_AND_RESOURCE_RULES: tuple[Rule, ...] = (
    prompts_are_well_formed,
    prompt_placeholders_match_arguments,
    prompt_tools_exist,
    prompt_embeds_are_resources,
    resources_are_unique,
    resources_read_through_read_only_tools,
    resource_arguments_fit_tool,
)


RULES: tuple[Rule, ...] = (
    unique_tool_names,
    short_tool_names,
    placeholders_match_arguments,
    path_arguments_are_required,
    jmespath_compiles,
    portable_argument_schemas,
    patterns_are_bounded,
    widening_is_sound,
    unique_api_targets,
    delete_is_destructive,
    get_is_read_only,
    writes_are_idempotent,
    pagination_is_declared,
    paginated_projections_read_records,
    identity_is_callable,
    roles_are_declared,
    toolsets_name_tools,
    auth_header_is_its_own,
    live_checks_fit,
    base_url_is_safe,
    output_schemas_are_objects,
    examples_hold,
    *PROMPT_AND_RESOURCE_RULES,
)
