"""The command line: parses arguments and hands each subcommand to its module.

The product layer calls `main(argv, product)`; every name a person sees (the command, its variables,
the sandbox's roles) comes from that `Product`. Heavy imports (the MCP SDK, httpx, the sandbox) happen
inside the subcommand that needs them, so `validate` stays quick and the server's start-up pays only
for what it uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

from ..serving.filtering import FilterSettings, settings_from
from ..serving.http_options import DEFAULT_DRAIN_SECONDS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT_CALLS
from ..serving.logs import LEVELS
from .product import Product
from .startup import UpstreamChoice


def build_parser(product: Product) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=product.command, description=product.description)
    parser.add_argument("--version", action="version", version=f"{product.command} {product.version}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check manifests (exit 0 valid, 1 invalid, 2 usage error)",
        description="Check tools manifests: YAML, structure (the JSON Schema) and semantic rules.",
    )
    validate.add_argument(
        "files", nargs="*", metavar="FILE", help="manifests to check (default: the served manifest)"
    )
    validate.add_argument(
        "--format", choices=("text", "json", "github"), default="text", help="output format"
    )

    importer = commands.add_parser(
        "import-openapi",
        help="turn an OpenAPI 3.0/3.1 document into a draft manifest (one tool per operation)",
        description="Read an OpenAPI 3.0/3.1 document (JSON or YAML; - for stdin) and write a draft "
        "manifest: one tool per operation, arguments with their schemas and locations, destructive inferred "
        "from the method and marked for review. What cannot be carried over is a warning at FILE:LINE:COL of "
        "the draft with its JSON pointer in the document.",
    )
    importer.add_argument("source", metavar="DOCUMENT", help="the OpenAPI document (a file, or - for stdin)")
    importer.add_argument(
        "-o", "--output", type=Path, default=None, metavar="FILE", help="the draft (default: stdout)"
    )
    importer.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="only operations with this tag (repeatable)"
    )
    importer.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="GLOB",
        help="only paths matching this glob (repeatable)",
    )
    importer.add_argument(
        "--server-name", default=None, metavar="NAME", help="the server's name (default: from the title)"
    )
    importer.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="the API's base URL (default: the document's first server)",
    )

    live = commands.add_parser(
        "check-live",
        help="run the manifest's live checks against the sandbox or the API (exit 0 ok, 1 a check failed)",
        description="Call each GET tool with its checks: (or with no arguments, when it needs none) against "
        "an upstream, and report by tool and FILE:LINE:COL every call that fails and every projected field "
        "absent from the real answer. Read-only unless --writes.",
    )
    add_serve_arguments(live, product)
    live.add_argument("--writes", action="store_true", help="also run the checks of tools that write")
    live.add_argument("--format", choices=("text", "github"), default="text", help="output format")

    snapshot = commands.add_parser(
        "snapshot",
        help="check (or --update) the snapshot of what clients see: tools/list, prompts, resources",
        description="Compare what clients see of each manifest (server info, tools/list, prompts, resources) "
        "with its snapshot file (tools.yaml -> tools.snapshot.json) and print every difference by tool and "
        "argument. Exit 0 when all match, 1 when one differs or is missing, 2 on a usage error.",
    )
    snapshot.add_argument(
        "files", nargs="*", metavar="MANIFEST", help="manifests to check (default: the served manifest)"
    )
    snapshot.add_argument(
        "--update",
        action="store_true",
        help="write the snapshots instead of checking them (a change on purpose)",
    )
    snapshot.add_argument(
        "--snapshot",
        type=Path,
        default=None,
        metavar="PATH",
        help="the snapshot file (default: beside the manifest)",
    )

    serve = commands.add_parser(
        "serve",
        help="serve the manifest's tools over stdio or HTTP (the default command)",
        description="Serve the manifest's tools to an MCP client over stdio (or Streamable HTTP). The token "
        "comes from the environment variable the manifest names (api.auth.token_env); the variable named "
        "by api.base_url_env overrides the base URL.",
    )
    add_serve_arguments(serve, product)
    add_filter_arguments(serve, product)
    add_transport_arguments(serve)

    tools = commands.add_parser(
        "tools",
        help="list the tools as a table (after the filters, if any), or show one tool",
        description="List the manifest's tools: name, method and path, read-only, destructive, toolsets. "
        "The filter options preview what `serve` would list. With a NAME: that tool's description, "
        "arguments, annotations and first example.",
    )
    tools.add_argument("name", nargs="?", metavar="NAME", help="show this tool in full")
    tools.add_argument(
        "--role", metavar="ROLE", help="preview what a server acting as this role lists (tools[].roles)"
    )
    add_manifest_argument(tools)
    add_filter_arguments(tools, product)

    call = commands.add_parser(
        "call",
        help="run one tool and print its result (exit 0 ok, 1 tool error, 2 usage error)",
        description="Run one tool through the same engine as the server, against the API (the token from "
        "the environment variable the manifest names) or --sandbox, and print the structured result as JSON.",
    )
    call.add_argument("tool", metavar="TOOL", help=f"the tool's name (see `{product.command} tools`)")
    call.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an argument (repeatable); VALUE is read as JSON when it parses (5, true, [1]), else as text",
    )
    call.add_argument(
        "--json", dest="json_arguments", metavar="OBJECT", help="all arguments as one JSON object"
    )
    add_serve_arguments(call, product)
    add_filter_arguments(call, product)

    from .clients import ALIASES, CLIENTS

    config = commands.add_parser(
        "config",
        help="the config entry for an MCP client: printed, or merged into its file with --write",
        description="Print the entry a client needs to launch this server (with a token placeholder, "
        "never a real token) and where its config file is; --write merges it into that file, keeping "
        "everything else (comments too), after a backup.",
    )
    config.add_argument(
        "client",
        choices=[*CLIENTS, *ALIASES],
        metavar="CLIENT",
        help=f"the MCP client: {', '.join(CLIENTS)} (claude = claude-desktop, code = vscode)",
    )
    config.add_argument(
        "--sandbox", action="store_true", help="an entry that serves the built-in sandbox (no token)"
    )
    config.add_argument(
        "--sandbox-url",
        metavar="URL",
        help="an entry that serves the sandbox running at URL (`sandbox --state FILE` keeps its records)",
    )
    config.add_argument(
        "--manifest", type=Path, default=None, metavar="PATH", help="an entry that serves this manifest"
    )
    config.add_argument(
        "--write",
        action="store_true",
        help="merge the entry into the client's config file (a backup is kept)",
    )
    config.add_argument(
        "--file", type=Path, default=None, metavar="PATH", help="with --write: this config file instead"
    )

    doctor = commands.add_parser(
        "doctor",
        help="check the setup, in the troubleshooting order, one line per check (exit 0 when all pass)",
        description="Check the manifest, the token (never printed), the base URL (does it answer like the "
        "API?), who the token acts as (plan, role), the runtime, the time zone and the clock. With "
        "--client, check what that client launches the server with, from its config file.",
    )
    add_serve_arguments(doctor, product)
    doctor.add_argument(
        "--client",
        choices=[*CLIENTS, *ALIASES],
        metavar="CLIENT",
        help="check the entry in this client's config file, and the token and options it passes",
    )
    doctor.add_argument(
        "--file", type=Path, default=None, metavar="PATH", help="with --client: this config file"
    )

    if product.local_upstream is not None:
        commands.add_parser(
            "sandbox",
            help=f"run the {product.local_upstream.description} in the foreground",
            add_help=False,  # the simulator's own parser answers --help
        )
    return parser


def add_manifest_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--manifest",
        type=Path,
        default=None,
        metavar="PATH",
        help="the tools manifest to serve (default: the product's own)",
    )


def add_filter_arguments(parser: argparse.ArgumentParser, product: Product) -> None:
    group = parser.add_argument_group(
        "tool filters", "each also read from its environment variable; a flag given here wins"
    )
    group.add_argument(
        "--read-only",
        action="store_const",
        const=True,
        default=None,
        help=f"only tools that do not write (GET) [{product.env('READ_ONLY')}=1]",
    )
    group.add_argument(
        "--no-destructive",
        action="store_const",
        const=True,
        default=None,
        help=f"hide tools marked destructive [{product.env('NO_DESTRUCTIVE')}=1]",
    )
    group.add_argument(
        "--toolsets", metavar="NAME,...", help=f"only the tools of these toolsets [{product.env('TOOLSETS')}]"
    )
    group.add_argument(
        "--tools",
        metavar="GLOB,...",
        help=f"only tools whose name matches a pattern [{product.env('TOOLS')}]",
    )
    group.add_argument(
        "--exclude-tools",
        metavar="GLOB,...",
        help=f"hide tools whose name matches a pattern [{product.env('EXCLUDE_TOOLS')}]",
    )
    group.add_argument(
        "--no-role-filter",
        action="store_const",
        const=True,
        default=None,
        help="list every tool, also those the token's role can never use (when the manifest declares "
        f"api.identity, serving lists only that role's tools) [{product.env('NO_ROLE_FILTER')}=1]",
    )


def add_transport_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--watch",
        action="store_true",
        help="reload the manifest when its file changes (an invalid edit keeps the current tools)",
    )
    parser.add_argument(
        "--transport", choices=("stdio", "http"), default="stdio", help="stdio (default) or Streamable HTTP"
    )
    parser.add_argument(
        "--tracing",
        action="store_true",
        help="OpenTelemetry spans for each tool call and upstream request, exported as the OTEL_* "
        "variables say (needs the tracing extra); never the token, arguments or results",
    )
    parser.add_argument(
        "--trace-content",
        action="store_true",
        help="with --tracing: also record each call's arguments and result on its span, redacted",
    )
    http = parser.add_argument_group("HTTP transport (--transport http)")
    http.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    http.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 picks a free one)")
    http.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host: the endpoint has no auth of its own and acts with your token",
    )
    http.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another Host/Origin name clients use to reach the server, e.g. a reverse proxy's public "
        "name (repeatable)",
    )
    http.add_argument(
        "--per-user-tokens",
        action="store_true",
        help="one endpoint for a team: every request brings its user's own token (Authorization: Bearer), "
        "used for that request only; the server holds none and keeps no session, so replicas can share "
        "a load balancer",
    )
    http.add_argument(
        "--max-concurrent-calls",
        type=_positive_int,
        default=DEFAULT_MAX_CONCURRENT_CALLS,
        metavar="N",
        help=f"tool calls one process runs at once; more get 503 + Retry-After "
        f"(default {DEFAULT_MAX_CONCURRENT_CALLS})",
    )
    http.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help=f"largest request body accepted; larger gets 413 (default {DEFAULT_MAX_BODY_BYTES})",
    )
    http.add_argument(
        "--drain-seconds",
        type=_positive_int,
        default=DEFAULT_DRAIN_SECONDS,
        metavar="S",
        help=f"on SIGTERM, how long calls in flight may finish before they are cancelled "
        f"(default {DEFAULT_DRAIN_SECONDS})",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def add_serve_arguments(parser: argparse.ArgumentParser, product: Product) -> None:
    add_manifest_argument(parser)
    local = product.local_upstream
    if local is not None:
        parser.add_argument(
            "--sandbox",
            action="store_true",
            help=f"serve against the {local.description} (no account or token needed)",
        )
        parser.add_argument(
            "--sandbox-role",
            choices=local.roles,
            default=local.roles[0],
            help=f"with --sandbox: whose seeded token to use (default: {local.roles[0]})",
        )
        parser.add_argument(
            "--sandbox-plan",
            choices=local.plans,
            default=local.plans[0],
            help=f"with --sandbox: which seeded workspace (default: {local.plans[0]})",
        )
        parser.add_argument(
            "--sandbox-url",
            metavar="URL",
            default=os.environ.get(product.env("SANDBOX_URL"), ""),
            help=f"serve against the {local.description} already running at URL (`{product.command} "
            f"sandbox`, e.g. http://127.0.0.1:8765; this machine only), instead of a fresh one "
            f"[{product.env('SANDBOX_URL')}]",
        )
    parser.add_argument(
        "--log-level",
        choices=LEVELS,
        default=env_log_level(product),
        help=f"stderr log level (default: ${product.env('LOG_LEVEL')} or warning)",
    )


@cache  # every subcommand's parser asks; say a bad value once
def env_log_level(product: Product) -> str:
    """{prefix}LOG_LEVEL, or warning; a value that is not a level is said on stderr, not a crash."""
    name = product.env("LOG_LEVEL")
    value = os.environ.get(name, "").strip().lower()
    if value in LEVELS:
        return value
    if value:
        sys.stderr.write(
            f"{product.command}: {name}={value!r} is not one of {', '.join(LEVELS)}; using warning\n"
        )
    return "warning"


def main(argv: Sequence[str] | None, product: Product) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "serve")  # serving is the default command
    if args_list and args_list[0] == "sandbox" and product.local_upstream is not None:
        return product.local_upstream.run_foreground(args_list[1:])
    parser = build_parser(product)
    args = parser.parse_args(args_list)
    if args.command == "validate":
        from .validate import run_validate

        return run_validate(args.files, args.format, product.manifest(None).path)
    if args.command == "import-openapi":
        from .import_openapi import run_import_openapi

        return run_import_openapi(
            product,
            args.source,
            output=args.output,
            tags=args.tag,
            paths=args.path,
            server_name=args.server_name,
            base_url=args.base_url,
        )
    if args.command == "check-live":
        from .check_live import CheckLiveOptions, run_check_live

        return run_check_live(
            CheckLiveOptions(
                product=product,
                manifest=product.manifest(args.manifest).path,
                upstream=upstream_choice(args),
                writes=args.writes,
                log_level=args.log_level,
                output_format=args.format,
            )
        )
    if args.command == "snapshot":
        from .snapshot import run_snapshot

        return run_snapshot(product, args.files, update=args.update, snapshot=args.snapshot)
    if args.command == "serve":
        from ..serving.http_options import HttpOptions
        from .serve import ServeOptions, run_serve

        chosen = product.manifest(args.manifest)
        return run_serve(
            ServeOptions(
                product=product,
                manifest=chosen.path,
                manifest_origin=chosen.origin,
                upstream=upstream_choice(args),
                log_level=args.log_level,
                filters=filter_settings(args, product),
                watch=args.watch,
                transport=args.transport,
                tracing=args.tracing,
                trace_content=args.trace_content,
                http=HttpOptions(
                    args.host,
                    args.port,
                    args.allow_remote,
                    tuple(args.allowed_host),
                    per_user_tokens=args.per_user_tokens,
                    max_body_bytes=args.max_body_bytes,
                    max_concurrent_calls=args.max_concurrent_calls,
                    drain_seconds=args.drain_seconds,
                ),
            )
        )
    if args.command == "tools":
        from .tools import run_tools

        filters = filter_settings(args, product)
        if args.role and filters.by_role:
            filters = replace(filters, role=args.role)
        return run_tools(product, product.manifest(args.manifest), filters, args.name)
    if args.command == "call":
        from .call import CallOptions, run_call

        return run_call(
            CallOptions(
                product=product,
                tool=args.tool,
                pairs=tuple(args.arg),
                json_arguments=args.json_arguments,
                manifest=product.manifest(args.manifest).path,
                upstream=upstream_choice(args),
                log_level=args.log_level,
                filters=filter_settings(args, product),
            )
        )
    if args.command == "config":
        from .config import ConfigRequest, run_config

        return run_config(
            product,
            ConfigRequest(
                client=args.client,
                manifest=product.manifest(args.manifest),
                sandbox_args=(
                    ("--sandbox-url", args.sandbox_url)
                    if args.sandbox_url
                    else ("--sandbox",)
                    if args.sandbox
                    else ()
                ),
                write=args.write,
                file=args.file,
            ),
        )
    if args.command == "doctor":
        from .doctor import DoctorOptions, run_doctor

        return run_doctor(
            product,
            DoctorOptions(
                manifest=product.manifest(args.manifest),
                upstream=upstream_choice(args),
                client=args.client,
                client_file=args.file,
            ),
        )
    parser.print_help(sys.stderr)
    return 2


def upstream_choice(args: argparse.Namespace) -> UpstreamChoice:
    url = getattr(args, "sandbox_url", "")
    if not (getattr(args, "sandbox", False) or url):
        return UpstreamChoice()
    return UpstreamChoice(True, args.sandbox_role, args.sandbox_plan, url)


def filter_settings(args: argparse.Namespace, product: Product) -> FilterSettings:
    return settings_from(
        os.environ,
        product.env_prefix,
        read_only=args.read_only,
        no_destructive=args.no_destructive,
        toolsets=args.toolsets,
        tools=args.tools,
        exclude_tools=args.exclude_tools,
        no_role_filter=args.no_role_filter,
    )
