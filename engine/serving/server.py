"""The MCP face of the engine: tool listing and tool calls on the low-level `mcp` 2.x Server.

The served tools live in a `Catalog` held by `ServingState`; a call takes the catalog current when it
starts, so a later swap (hot reload) never breaks a call in flight.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, cast

import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError

from ..calls import autopaging, errors, request_token, tracing
from ..calls.outcome import ToolOutcome
from ..calls.reporting import CallReporter
from ..calls.tool_call import ToolRunner
from ..calls.workflow import WorkflowRunner
from ..manifest.model import Manifest, Prompt, Resource, Tool
from ..manifest.workflow_model import Workflow
from . import prompts as prompt_serving
from . import resource_contents
from .bearer import bearer_token, token_problem
from .call_trace import TracedCall
from .change_notices import ChangeNotices
from .filtering import served_prompts, served_resources

Served = Tool | Workflow

log = logging.getLogger(__name__)

_LOG_LEVEL_KEY = f"{__name__}.log_level"
_LEVELS: list[str] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]


def tool_definition(tool: Served, autopage: bool = False) -> types.Tool:
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=autopaging.listed_schema(tool.input_schema) if autopage else tool.input_schema,
        output_schema=tool.output_schema,
        # Every listed byte costs the model context on every turn: the title is not repeated here, and
        # destructiveHint/idempotentHint are left out where the spec says they mean nothing (read-only).
        annotations=types.ToolAnnotations(
            read_only_hint=tool.read_only,
            destructive_hint=None if tool.read_only else tool.destructive,
            idempotent_hint=None if tool.read_only else tool.idempotent,
            open_world_hint=tool.open_world,
        ),
    )


@dataclass(frozen=True)
class Offerings:
    """The prompts and resources served beside the tools, with their listings built once."""

    prompts: dict[str, Prompt]
    resources: list[Resource]  # plain resources and templates, in manifest order
    prompt_definitions: list[types.Prompt]
    resource_definitions: list[types.Resource]
    template_definitions: list[types.ResourceTemplate]

    @classmethod
    def build(cls, manifest: Manifest, served_tools: set[str], role: str | None = None) -> Offerings:
        resources = served_resources(manifest, served_tools)
        prompts = served_prompts(manifest, served_tools, resources, role)
        return cls(
            {p.name: p for p in prompts},
            resources,
            [prompt_serving.prompt_definition(p) for p in prompts],
            [resource_contents.resource_definition(r) for r in resources if not r.is_template],
            [resource_contents.template_definition(r) for r in resources if r.is_template],
        )


@dataclass(frozen=True)
class Catalog:
    """The tools being served, with what it takes to run them, and the prompts and resources."""

    manifest: Manifest
    tools: dict[str, Served]
    definitions: list[types.Tool]
    runner: ToolRunner
    offerings: Offerings

    @classmethod
    def build(
        cls,
        manifest: Manifest,
        runner: ToolRunner,
        served: list[Served] | None = None,
        role: str | None = None,
    ) -> Catalog:
        """`served`: the tools the filters chose (engine/serving/filtering.py); None serves them all.
        `role`: the token's role they were chosen for, if any (prompts for every role allow for it)."""
        chosen = list(manifest.listing) if served is None else served
        definitions = [tool_definition(t, _autopages(manifest, t)) for t in chosen]
        tools = {t.name: t for t in chosen}
        return cls(manifest, tools, definitions, runner, Offerings.build(manifest, set(tools), role))

    async def run(
        self,
        tool: Served,
        arguments: dict[str, Any] | None,
        reporter: CallReporter,
        idempotency_key: str | None = None,
    ) -> ToolOutcome:
        """One call as a client makes it: a workflow's steps, auto-paged pages when asked for, or one
        request traced step by step; in a span of its own when tracing is on (engine/calls/tracing.py).

        Like ToolRunner.call, it ends as an outcome whatever happens, except cancellation."""
        if tracing.tracer is None:
            return await self._run(tool, arguments, reporter, idempotency_key)
        with tracing.tool_span(tool.name, arguments, self.runner.redactor) as span:
            outcome = await self._run(tool, arguments, reporter, idempotency_key)
            tracing.finish_tool(span, outcome)
            return outcome

    async def _run(
        self,
        tool: Served,
        arguments: dict[str, Any] | None,
        reporter: CallReporter,
        idempotency_key: str | None,
    ) -> ToolOutcome:
        try:
            if isinstance(tool, Workflow):
                return await WorkflowRunner(self.runner).call(tool, arguments, reporter)
            if arguments and autopaging.MAX_ITEMS in arguments and _autopages(self.manifest, tool):
                return await autopaging.collect_pages(self.runner, self.manifest, tool, arguments, reporter)
            traced = TracedCall(reporter, tool.name)
            outcome = await self.runner.call(tool, arguments, traced, idempotency_key)
            await traced.finish(outcome)
            return outcome
        except Exception as exc:
            log.exception("%s failed unexpectedly", tool.name)
            return self.runner.redacted(errors.internal_error(tool.name, f"{type(exc).__name__}: {exc}"))

    async def read(self, uri: str, reporter: CallReporter) -> types.TextResourceContents:
        """One resource read: its tool called as a client would call it. Raises MCPError on failure."""
        try:
            read = resource_contents.resolve(self.offerings.resources, uri)
            tool = self.tools[read.resource.tool]  # served: a resource is served only with its tool
            outcome = await self.run(tool, read.arguments, reporter)
            if outcome.is_error:
                raise resource_contents.read_failure(uri, read, outcome)
            return resource_contents.contents(uri, outcome)
        except MCPError as exc:
            raise self.redacted(exc) from None

    async def get_prompt(
        self, name: str, arguments: dict[str, str] | None, reporter: CallReporter
    ) -> types.GetPromptResult:
        """A prompt with the user's arguments filled in, its embedded resources read first."""
        try:
            prompt = self.offerings.prompts.get(name)
            if prompt is None:
                raise MCPError(types.INVALID_PARAMS, f"Unknown prompt: {name}")
            try:
                values = prompt_serving.prompt_values(prompt, arguments)
            except prompt_serving.PromptArgumentsError as exc:
                raise MCPError(types.INVALID_PARAMS, str(exc)) from None
            embedded = [
                types.PromptMessage(
                    role="user",
                    content=types.EmbeddedResource(
                        type="resource", resource=await self.read(prompt_serving.fill(uri, values), reporter)
                    ),
                )
                for uri in prompt.embed
            ]
            messages = embedded + prompt_serving.rendered_messages(prompt, values)
            return types.GetPromptResult(description=prompt.description, messages=messages)
        except MCPError as exc:
            raise self.redacted(exc) from None

    def redacted(self, error: MCPError) -> MCPError:
        """A protocol error may echo what the client sent (a name, a URI, an argument): it is redacted
        like every other byte that leaves the server."""
        redactor = self.runner.redactor
        return MCPError(error.code, redactor.text(error.message), redactor.data(error.data))


def _autopages(manifest: Manifest, tool: Served) -> bool:
    return isinstance(tool, Tool) and autopaging.can_autopage(manifest, tool)


class ServingState:
    def __init__(self, catalog: Catalog, per_user_tokens: bool = False) -> None:
        self.catalog = catalog
        self.notices = ChangeNotices()
        # Capabilities are fixed at start: prompts and resources are offered when the manifest served
        # first declares any (a reload that adds the first ones needs a restart to be seen).
        self.serves_prompts = bool(catalog.manifest.prompts)
        self.serves_resources = bool(catalog.manifest.resources)
        # Each call acts with the token its own HTTP request carries (engine/calls/request_token.py).
        self.per_user_tokens = per_user_tokens

    async def swap(self, catalog: Catalog) -> int:
        """Serve `catalog` from now on (calls in flight keep theirs) and tell the clients what changed."""
        old, self.catalog = self.catalog.offerings, catalog
        new = catalog.offerings
        return await self.notices.lists_changed(
            tools=True,
            prompts=self.serves_prompts and old.prompt_definitions != new.prompt_definitions,
            resources=self.serves_resources
            and (
                old.resource_definitions != new.resource_definitions
                or old.template_definitions != new.template_definitions
            ),
        )


def _connection_state(ctx: ServerRequestContext[Any]) -> dict[str, Any]:
    """Per-connection scratch space (logging/setLevel holds per client connection).

    The SDK builds a new ServerSession per request; the connection behind it is stable, but the
    low-level context exposes it only through the session's private attribute.
    """
    connection = getattr(ctx.session, "_connection", None)
    state = getattr(connection, "state", None)
    return state if isinstance(state, dict) else {}


class McpReporter:
    """Progress and log lines of one call, sent to the client that made it."""

    def __init__(self, ctx: ServerRequestContext[Any], state: ServingState) -> None:
        self._ctx = ctx
        self._state = state

    async def progress(self, done: float, total: float | None, message: str) -> None:
        # The message names the request path, which holds the model's arguments: redacted like a log.
        text = self._state.catalog.runner.redactor.text(message)
        await self._ctx.session.report_progress(done, total, text)

    async def log(self, level: str, message: str) -> None:
        wanted = _connection_state(self._ctx).get(_LOG_LEVEL_KEY)
        modern = self._ctx.protocol_version >= "2026"  # the SDK gates by the request's own opt-in there
        if wanted is None and not modern:
            return
        if wanted is not None and _LEVELS.index(level) < _LEVELS.index(wanted):
            return
        text = self._state.catalog.runner.redactor.text(message)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # MCP logging is deprecated in the newest spec, still used
            await self._ctx.session.send_log_message(
                cast(types.LoggingLevel, level),
                text,
                logger=self._state.catalog.manifest.server.name,
                related_request_id=self._ctx.request_id,
            )


def call_result(tool: Served, outcome: ToolOutcome) -> types.CallToolResult:
    text = types.TextContent(type="text", text=outcome.text)
    if outcome.is_error and tool.output_schema is not None:
        # Some clients (the Inspector among them) check structuredContent against outputSchema even
        # on errors, and an error object cannot match a success schema: the error's JSON goes into a
        # second text block instead, so nothing is lost.
        details = types.TextContent(type="text", text=json.dumps(outcome.structured, ensure_ascii=False))
        return types.CallToolResult(content=[text, details], is_error=True)
    return types.CallToolResult(
        content=[text], structured_content=outcome.structured, is_error=outcome.is_error
    )


# A client that retries a write (after a lost answer, perhaps through another replica) sends the same
# key in the call's `_meta`; the API then replays the first answer instead of acting twice.
IDEMPOTENCY_META_KEY = "idempotencyKey"
_KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII: it travels in an HTTP header


def client_idempotency_key(params: types.CallToolRequestParams) -> str | None:
    value = (params.meta or {}).get(IDEMPOTENCY_META_KEY)
    if value is None:
        return None
    if not isinstance(value, str) or not _KEY_SHAPE.fullmatch(value):
        raise MCPError(
            types.INVALID_PARAMS,
            f"_meta.{IDEMPOTENCY_META_KEY} must be 1 to 255 visible ASCII characters (e.g. a UUID)",
        )
    return value


def request_bearer_token(ctx: ServerRequestContext[Any], catalog: Catalog) -> str:
    """The token in the Authorization header of the HTTP request behind `ctx` (per-user token mode).

    Read from this request itself, never from a session: a stateless request is all there is. The HTTP
    gate (bearer.py) has already refused a request without one; this refuses again rather than trust
    that nothing else can reach the handler."""
    headers = getattr(ctx.request, "headers", None)
    header = headers.get("authorization") if headers is not None else None
    if header is None or token_problem(catalog.manifest.api.auth, header) is not None:
        raise MCPError(types.INVALID_REQUEST, "this request carries no usable Authorization: Bearer token")
    return bearer_token(header)


def build_server(state: ServingState) -> Server[Any]:
    manifest = state.catalog.manifest

    def acting_for(ctx: ServerRequestContext[Any]) -> AbstractContextManager[None]:
        """In per-user token mode, the block acts with the token of the HTTP request behind `ctx`:
        every handler that reaches the API (tools, resources, prompts that embed resources)."""
        if not state.per_user_tokens:
            return nullcontext()
        return request_token.acting_with(request_bearer_token(ctx, state.catalog))

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=state.catalog.definitions)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        catalog = state.catalog  # fixed for this call, whatever a reload does meanwhile
        with acting_for(ctx):  # the refusal too: redaction then knows this request's token
            tool = catalog.tools.get(params.name)
            if tool is None:
                raise catalog.redacted(MCPError(types.INVALID_PARAMS, f"Unknown tool: {params.name}"))
            reporter = McpReporter(ctx, state)
            key = client_idempotency_key(params)
            return call_result(tool, await catalog.run(tool, params.arguments, reporter, key))

    async def list_prompts(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=state.catalog.offerings.prompt_definitions)

    async def get_prompt(
        ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        with acting_for(ctx):
            return await state.catalog.get_prompt(params.name, params.arguments, McpReporter(ctx, state))

    async def list_resources(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=state.catalog.offerings.resource_definitions)

    async def list_resource_templates(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(
            resource_templates=state.catalog.offerings.template_definitions
        )

    async def read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        with acting_for(ctx):
            contents = await state.catalog.read(params.uri, McpReporter(ctx, state))
        return types.ReadResourceResult(contents=[contents])

    # Handlers registered only when the manifest declares prompts or resources: the SDK advertises a
    # capability for every handler it has, and an empty capability would only cost clients a call.
    offered: dict[str, Any] = {}
    if state.serves_prompts:
        offered.update(on_list_prompts=list_prompts, on_get_prompt=get_prompt)
    if state.serves_resources:
        offered.update(
            on_list_resources=list_resources,
            on_list_resource_templates=list_resource_templates,
            on_read_resource=read_resource,
        )

    async def set_level(
        ctx: ServerRequestContext[Any], params: types.SetLevelRequestParams
    ) -> types.EmptyResult:
        _connection_state(ctx)[_LOG_LEVEL_KEY] = params.level
        return types.EmptyResult()

    with warnings.catch_warnings():
        # Registering logging/setLevel warns that MCP logging is deprecated in the newest spec;
        # clients of the 2025 era still use it, and the warning would only clutter stderr.
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        server: Server[Any] = Server(
            manifest.server.name,
            version=manifest.server.version,
            title=manifest.server.title,
            instructions=manifest.server.instructions,
            on_list_tools=list_tools,
            on_call_tool=call_tool,
            on_set_logging_level=set_level,
            on_subscriptions_listen=state.notices.listen_handler,  # 2026 clients hear list_changed here
            **offered,
        )
    server.middleware.append(state.notices.middleware)
    return server
