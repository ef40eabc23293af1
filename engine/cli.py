"""The `hoursmith-mcp` command: parses arguments and hands each subcommand to its module.

Heavy imports (the MCP SDK, httpx, the sandbox) happen inside the subcommand that needs them, so
`validate` stays quick and the server's start-up pays only for what it uses.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from engine import __version__

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

    commands.add_parser(
        "sandbox",
        help="run the local Hoursmith API simulator in the foreground",
        add_help=False,  # its own parser (sandbox/cli.py) answers --help
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "sandbox":
        from sandbox.cli import main as sandbox_main

        return sandbox_main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command == "validate":
        from engine.validate_command import run_validate

        return run_validate(args.files, args.format)
    parser.print_help(sys.stderr)
    return 2


def entry_point() -> None:
    sys.exit(main())
