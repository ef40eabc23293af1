"""The `hoursmith-mcp` command: parses arguments and hands each subcommand to its module.

Heavy imports (the MCP SDK, httpx, the sandbox) happen inside the subcommand that needs them, so
`validate` stays quick and the server's start-up pays only for what it uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from engine import __version__
from engine.logs import LEVELS
from engine.resources import default_manifest_path

SUBCOMMANDS = ("serve", "validate", "sandbox")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hoursmith-mcp",
        description="An MCP server for the Hoursmith REST API, declared in tools.yaml.",
    )
    parser.add_argument("--version", action="version", version=f"hoursmith-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check manifests (exit 0 valid, 1 invalid, 2 usage error)",
        description="Check tools manifests: YAML, structure (the JSON Schema) and semantic rules.",
    )
    validate.add_argument(
        "files", nargs="*", metavar="FILE", help="manifests to check (default: the bundled tools.yaml)"
    )
    validate.add_argument(
        "--format", choices=("text", "json", "github"), default="text", help="output format"
    )

    serve = commands.add_parser(
        "serve",
        help="serve the manifest's tools over stdio (the default command)",
        description="Serve the manifest's tools to an MCP client over stdio. The token comes from the "
        "environment variable the manifest names (HOURSMITH_API_TOKEN); HOURSMITH_API_URL overrides "
        "the base URL.",
    )
    add_serve_arguments(serve)

    commands.add_parser(
        "sandbox",
        help="run the local Hoursmith API simulator in the foreground",
        add_help=False,  # its own parser (sandbox/cli.py) answers --help
    )
    return parser


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--manifest",
        type=Path,
        default=None,
        metavar="PATH",
        help="the tools manifest to serve (default: the bundled tools.yaml)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="serve against a built-in simulator of the API (no account or token needed)",
    )
    parser.add_argument(
        "--sandbox-role",
        choices=("owner", "admin", "manager", "member"),
        default="owner",
        help="with --sandbox: whose seeded token to use (default: owner)",
    )
    parser.add_argument(
        "--sandbox-plan",
        choices=("studio", "agency", "free"),
        default="studio",
        help="with --sandbox: which seeded workspace (default: studio; free has no API access)",
    )
    parser.add_argument(
        "--log-level",
        choices=LEVELS,
        default=os.environ.get("HOURSMITH_LOG_LEVEL", "warning").lower(),
        help="stderr log level (default: $HOURSMITH_LOG_LEVEL or warning)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "serve")  # serving is the default command
    if args_list and args_list[0] == "sandbox":
        from sandbox.cli import main as sandbox_main

        return sandbox_main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command == "validate":
        from engine.validate_command import run_validate

        return run_validate(args.files, args.format)
    if args.command == "serve":
        from engine.serve_command import ServeOptions, run_serve

        return run_serve(
            ServeOptions(
                manifest=args.manifest or default_manifest_path(),
                sandbox=args.sandbox,
                sandbox_role=args.sandbox_role,
                sandbox_plan=args.sandbox_plan,
                log_level=args.log_level,
            )
        )
    parser.print_help(sys.stderr)
    return 2


def entry_point() -> None:
    sys.exit(main())
