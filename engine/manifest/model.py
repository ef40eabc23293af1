"""The manifest model: typed, immutable views of a structurally valid tools manifest.

`build_manifest` trusts that the data already passed schemas/manifest.schema.json; the semantic
rules (placeholders, JMESPath, portability, examples...) live in engine/manifest/lint.py. Every object keeps
`where`, its path in the document, so later problems can be reported at FILE:LINE:COL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

# Arguments are shared by API tools and workflows: their model lives in argument_model.py, and is
# re-exported here where the rest of the engine has always found it.
from .argument_model import Argument as Argument
from .argument_model import ClockKind as ClockKind
from .argument_model import DocPath as DocPath
from .argument_model import Location as Location
from .argument_model import Lookup as Lookup
from .argument_model import build_arguments, listed_input_schema
from .argument_model import with_defaults as with_defaults
from .workflow_model import Workflow, build_workflows

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_IDEMPOTENT_BY_DEFAULT = frozenset({"GET", "PUT", "DELETE"})


@dataclass(frozen=True, eq=False)
class Example:
    name: str | None
    arguments: dict[str, Any]
    status: int
    response: Any
    result: dict[str, Any]
    where: DocPath


@dataclass(frozen=True, eq=False)
class LiveCheck:
    """A call `check-live` makes against a real upstream; a "$TOOL:EXPRESSION" value is taken from
    another tool's live result."""

    name: str | None
    arguments: dict[str, Any]
    where: DocPath


@dataclass(frozen=True, eq=False)
class Tool:
    name: str
    title: str | None
    description: str
    method: str
    path: str
    destructive: bool
    idempotent: bool
    open_world: bool
    paginated: bool
    arguments: tuple[Argument, ...]
    projection: str | None
    output_schema: dict[str, Any] | None
    examples: tuple[Example, ...]
    where: DocPath
    checks: tuple[LiveCheck, ...] = ()
    roles: tuple[str, ...] | None = None  # the roles that can use it at all (api.identity); None: any

    def for_role(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    @property
    def read_only(self) -> bool:
        return self.method == "GET"

    @cached_property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(PLACEHOLDER.findall(self.path))

    @cached_property
    def input_schema(self) -> dict[str, Any]:
        return listed_input_schema(self.arguments)

    def arguments_in(self, location: Location) -> tuple[Argument, ...]:
        return tuple(arg for arg in self.arguments if arg.location == location)

    def argument_names_by_api_name(self, given: Iterable[str] = ()) -> dict[str, str]:
        """The model's name for each query or body name the API uses, so the API's per-field reasons
        can name what the model sent; when two places share an API name, the argument given wins."""
        given_names = set(given)
        names: dict[str, str] = {}
        for arg in self.arguments:
            if arg.location != "path" and (arg.api_name not in names or arg.name in given_names):
                names[arg.api_name] = arg.name
        return names


@dataclass(frozen=True)
class Auth:
    scheme: str  # "bearer" | "header"
    token_env: str
    token_prefix: str | None
    header: str | None = None  # scheme "header": the header that carries the token

    def header_for(self, token: str) -> tuple[str, str]:
        """The one header that carries the token on every request."""
        if self.scheme == "header" and self.header:
            return self.header, token
        return "Authorization", f"Bearer {token}"


@dataclass(frozen=True)
class Idempotency:
    header: str
    methods: frozenset[str]


@dataclass(frozen=True)
class ErrorEnvelope:
    code: str
    message: str
    fields: str | None
    details: str | None
    hints: dict[str, str]


PageStyle = Literal["cursor", "page", "link"]


@dataclass(frozen=True)
class Pagination:
    items: str
    next_cursor: str | None  # style cursor only
    cursor_param: str  # the position: a cursor, or a page number (styles page and link)
    limit_param: str | None
    style: PageStyle = "cursor"
    has_more: str | None = None  # style page only


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    on_status: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 8.0
    retry_after_max_seconds: float = 30.0
    deadline_seconds: float = 60.0


@dataclass(frozen=True)
class Limits:
    max_response_bytes: int = 4 * 1024 * 1024
    max_result_bytes: int = 100_000


@dataclass(frozen=True)
class Identity:
    tool: str  # the tool that tells who the token acts as
    role: str  # JMESPath over its result: the role


@dataclass(frozen=True)
class Api:
    base_url: str
    base_url_env: str | None
    auth: Auth
    headers: dict[str, str]
    timeout_seconds: float
    idempotency: Idempotency | None
    errors: ErrorEnvelope
    pagination: Pagination | None
    retry: RetryPolicy
    limits: Limits = field(default_factory=Limits)
    identity: Identity | None = None


@dataclass(frozen=True)
class ServerInfo:
    name: str
    title: str | None
    version: str
    instructions: str | None

    @property
    def user_agent(self) -> str:
        """How this server introduces itself to the API: the MCP server named after the manifest."""
        return f"{self.name}-mcp/{self.version}"


@dataclass(frozen=True)
class Toolset:
    name: str
    description: str | None
    tools: tuple[str, ...]
    where: DocPath


LOCAL_ZONE = "local"  # clock.time_zone: the machine's own zone (what a stdio server's user lives in)


@dataclass(frozen=True)
class ClockSettings:
    """The user's calendar: the time zone day words resolve in, and the first day of a week."""

    time_zone: str = "UTC"  # an IANA name, or LOCAL_ZONE
    time_zone_env: str | None = None  # an environment variable that overrides time_zone
    week_start: str = "monday"
    where: DocPath = ("clock",)


@dataclass(frozen=True, eq=False)
class Manifest:
    file: str
    server: ServerInfo
    api: Api
    toolsets: dict[str, Toolset]
    tools: tuple[Tool, ...]  # the API tools, one request each
    prompts: tuple[Prompt, ...] = ()
    resources: tuple[Resource, ...] = ()
    clock: ClockSettings = field(default_factory=ClockSettings)
    workflows: tuple[Workflow, ...] = ()  # tools that run several steps (engine/manifest/workflow_model.py)
    _by_name: dict[str, Tool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {tool.name: tool for tool in self.tools})

    def tool(self, name: str) -> Tool | None:
        """The API tool of that name (what workflow steps and lookups call)."""
        return self._by_name.get(name)

    @cached_property
    def listing(self) -> tuple[Tool | Workflow, ...]:
        """What is served, in manifest order: the API tools, each superseded one replaced in its place
        by the workflow of the same name (a strict superset of it), then the other workflows."""
        superseding = {wf.name: wf for wf in self.workflows if wf.supersedes}
        served: list[Tool | Workflow] = [superseding.get(tool.name, tool) for tool in self.tools]
        served += [wf for wf in self.workflows if not (wf.supersedes and self.tool(wf.name))]
        return tuple(served)


def build_manifest(data: dict[str, Any], file: str) -> Manifest:
    api = data["api"]
    tools = tuple(_tool(spec, ("tools", index)) for index, spec in enumerate(data["tools"]))
    return Manifest(
        file=file,
        server=_server(data["server"]),
        api=Api(
            base_url=api["base_url"],
            base_url_env=api.get("base_url_env"),
            auth=_auth(api["auth"]),
            headers=dict(api.get("headers", {})),
            timeout_seconds=float(api.get("timeout_seconds", 30)),
            idempotency=_idempotency(api.get("idempotency")),
            errors=_errors(api["errors"]),
            pagination=_pagination(api.get("pagination")),
            retry=_retry(api.get("retry", {})),
            limits=_limits(api.get("limits", {})),
            identity=Identity(**api["identity"]) if "identity" in api else None,
        ),
        toolsets={
            name: Toolset(name, spec.get("description"), tuple(spec["tools"]), ("toolsets", name))
            for name, spec in data.get("toolsets", {}).items()
        },
        tools=tools,
        prompts=tuple(
            _prompt(spec, ("prompts", index)) for index, spec in enumerate(data.get("prompts", []))
        ),
        resources=tuple(
            _resource(spec, ("resources", index)) for index, spec in enumerate(data.get("resources", []))
        ),
        clock=_clock(data.get("clock")),
        workflows=build_workflows(data.get("workflows", []), {tool.name: tool for tool in tools}),
    )


def _clock(spec: dict[str, Any] | None) -> ClockSettings:
    if not spec:
        return ClockSettings()
    return ClockSettings(
        spec.get("time_zone", "UTC"), spec.get("time_zone_env"), spec.get("week_start", "monday")
    )


def _server(spec: dict[str, Any]) -> ServerInfo:
    return ServerInfo(spec["name"], spec.get("title"), str(spec["version"]), spec.get("instructions"))


def _auth(spec: dict[str, Any]) -> Auth:
    return Auth(spec["scheme"], spec["token_env"], spec.get("token_prefix"), spec.get("header"))


def _idempotency(spec: dict[str, Any] | None) -> Idempotency | None:
    return Idempotency(spec["header"], frozenset(spec["methods"])) if spec else None


def _errors(spec: dict[str, Any]) -> ErrorEnvelope:
    return ErrorEnvelope(
        spec["code"], spec["message"], spec.get("fields"), spec.get("details"), dict(spec.get("hints", {}))
    )


def _pagination(spec: dict[str, Any] | None) -> Pagination | None:
    if not spec:
        return None
    return Pagination(
        spec["items"],
        spec.get("next_cursor"),
        spec["cursor_param"],
        spec.get("limit_param"),
        spec.get("style", "cursor"),
        spec.get("has_more"),
    )


def _retry(spec: dict[str, Any]) -> RetryPolicy:
    defaults = RetryPolicy()
    return RetryPolicy(
        max_attempts=spec.get("max_attempts", defaults.max_attempts),
        on_status=frozenset(spec.get("on_status", defaults.on_status)),
        backoff_initial_seconds=float(spec.get("backoff_initial_seconds", defaults.backoff_initial_seconds)),
        backoff_max_seconds=float(spec.get("backoff_max_seconds", defaults.backoff_max_seconds)),
        retry_after_max_seconds=float(spec.get("retry_after_max_seconds", defaults.retry_after_max_seconds)),
        deadline_seconds=float(spec.get("deadline_seconds", defaults.deadline_seconds)),
    )


def _limits(spec: dict[str, Any]) -> Limits:
    defaults = Limits()
    return Limits(
        max_response_bytes=spec.get("max_response_bytes", defaults.max_response_bytes),
        max_result_bytes=spec.get("max_result_bytes", defaults.max_result_bytes),
    )


def _tool(spec: dict[str, Any], where: DocPath) -> Tool:
    method = spec["method"]
    return Tool(
        name=spec["name"],
        title=spec.get("title"),
        description=spec["description"],
        method=method,
        path=spec["path"],
        destructive=spec["destructive"],
        idempotent=spec.get("idempotent", method in _IDEMPOTENT_BY_DEFAULT),
        open_world=spec.get("open_world", False),
        paginated=spec.get("paginated", False),
        arguments=build_arguments(spec.get("arguments", {}), (*where, "arguments")),
        projection=spec.get("projection"),
        output_schema=spec.get("output_schema"),
        roles=tuple(spec["roles"]) if "roles" in spec else None,
        examples=tuple(
            Example(
                name=ex.get("name"),
                arguments=ex["arguments"],
                status=ex.get("status", 200),
                response=ex["response"],
                result=ex["result"],
                where=(*where, "examples", index),
            )
            for index, ex in enumerate(spec.get("examples", []))
        ),
        where=where,
        checks=tuple(
            LiveCheck(check.get("name"), check["arguments"], (*where, "checks", index))
            for index, check in enumerate(spec.get("checks", []))
        ),
    )


# ─────────────────────── Prompts and resources (issue 10, A.7) ───────────────────────
# A prompt is text with {argument} placeholders; a resource is a read-only tool's result under a URI
# (a URI with {variables} is a template whose variables fill the tool's arguments of the same name).

PROMPT_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
URI_VARIABLE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class PromptArgument:
    name: str
    description: str
    required: bool
    default: str | None
    where: DocPath


@dataclass(frozen=True)
class PromptMessage:
    role: Literal["user", "assistant"]
    text: str
    where: DocPath


@dataclass(frozen=True, eq=False)
class Prompt:
    name: str
    title: str | None
    description: str
    arguments: tuple[PromptArgument, ...]
    tools: tuple[str, ...]
    embed: tuple[str, ...]  # resource URIs, with {argument} placeholders
    messages: tuple[PromptMessage, ...]
    where: DocPath


@dataclass(frozen=True, eq=False)
class Resource:
    uri: str  # a URI, or a URI template when it has {variables}
    name: str
    title: str | None
    description: str
    tool: str
    arguments: dict[str, Any]  # fixed arguments of every read
    where: DocPath

    @cached_property
    def variables(self) -> tuple[str, ...]:
        return tuple(URI_VARIABLE.findall(self.uri))

    @property
    def is_template(self) -> bool:
        return bool(self.variables)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # RFC 6570 level 1: each {variable} stands for one non-empty segment without "/", "?" or "#".
        parts = URI_VARIABLE.split(self.uri)
        literal = parts[::2]
        return re.compile("([^/?#]+)".join(re.escape(part) for part in literal))

    def match(self, uri: str) -> dict[str, str] | None:
        """The variables' raw (still percent-encoded) values when `uri` is an instance of this template."""
        if not self.is_template:
            return {} if uri == self.uri else None
        found = self._pattern.fullmatch(uri)
        return dict(zip(self.variables, found.groups(), strict=True)) if found else None


def embeds_any_resource(uri: str) -> bool:
    """An embed that is one placeholder takes a whole URI from the user: any served resource."""
    return PROMPT_PLACEHOLDER.fullmatch(uri) is not None


def embedded_resource(uri: str, resources: Iterable[Resource]) -> Resource | None:
    """The resource a prompt's embed URI reads; a {placeholder} stands for whatever the user types."""
    sample = PROMPT_PLACEHOLDER.sub("x", uri)
    return next((resource for resource in resources if resource.match(sample) is not None), None)


def _prompt(spec: dict[str, Any], where: DocPath) -> Prompt:
    return Prompt(
        name=spec["name"],
        title=spec.get("title"),
        description=spec["description"],
        arguments=tuple(
            PromptArgument(
                name,
                arg["description"],
                arg.get("required", False),
                arg.get("default"),
                (*where, "arguments", name),
            )
            for name, arg in spec.get("arguments", {}).items()
        ),
        tools=tuple(spec.get("tools", [])),
        embed=tuple(spec.get("embed", [])),
        messages=tuple(
            PromptMessage(message.get("role", "user"), message["text"], (*where, "messages", index))
            for index, message in enumerate(spec["messages"])
        ),
        where=where,
    )


def _resource(spec: dict[str, Any], where: DocPath) -> Resource:
    return Resource(
        uri=spec["uri"],
        name=spec["name"],
        title=spec.get("title"),
        description=spec["description"],
        tool=spec["tool"],
        arguments=dict(spec.get("arguments", {})),
        where=where,
    )
