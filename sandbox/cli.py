"""``hoursmith-mcp sandbox``: run the sandbox in the foreground and print its URL and tokens.

This is the only module of the sandbox that writes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from .config import SandboxConfig
from .dispatch import API_PREFIX
from .runner import bind_socket, is_loopback, make_server, url_host
from .seed import SEEDED_TOKENS
from .state_file import StateFileError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hoursmith-mcp sandbox",
        description="Run a local simulator of the Hoursmith REST API v1 with seeded demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8765, help="port to bind; 0 picks a free one (default 8765)"
    )
    parser.add_argument(
        "--allow-non-loopback", action="store_true", help="allow binding an address other than loopback"
    )
    parser.add_argument("--no-rate-limits", action="store_true", help="switch rate limiting off")
    parser.add_argument(
        "--rate-limit-scale", type=float, default=1.0, help="multiply every rate bucket size (default 1.0)"
    )
    parser.add_argument("--request-log", action="store_true", help="enable GET/DELETE /_sandbox/requests")
    parser.add_argument("--faults", action="store_true", help="enable fault injection at /_sandbox/faults")
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="keep the records in FILE: loaded at start (seeded when missing), saved after every change",
    )
    return parser


def token_table() -> str:
    rows = [("WORKSPACE", "ROLE", "NAME", "TOKEN")]
    for seeded in SEEDED_TOKENS:
        name = seeded.name + (" (REVOKED)" if seeded.revoked else "")
        rows.append((seeded.workspace, seeded.role, name, seeded.token))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}" for r in rows)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.allow_non_loopback and not is_loopback(args.host):
        print(
            f"error: refusing to bind non-loopback address {args.host!r}; pass --allow-non-loopback "
            "to expose the sandbox (its tokens are public)",
            file=sys.stderr,
        )
        return 2
    if args.rate_limit_scale <= 0:
        print("error: --rate-limit-scale must be greater than 0", file=sys.stderr)
        return 2
    config = SandboxConfig(
        rate_limits=not args.no_rate_limits,
        rate_limit_scale=args.rate_limit_scale,
        request_log=args.request_log,
        faults=args.faults,
        state_file=args.state.expanduser() if args.state else None,
    )
    existed = config.state_file is not None and config.state_file.exists()
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot bind {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    try:
        server = make_server(config)
    except StateFileError as exc:
        sock.close()
        print(f"error: {exc}; move it away to start from the seed", file=sys.stderr)
        return 2
    base_url = f"http://{url_host(args.host)}:{port}{API_PREFIX}"
    # This foreground command's own output, for a person's terminal: it is not the MCP stdio server.
    root = base_url.removesuffix(API_PREFIX)
    kept = ""
    if config.state_file is not None:
        how = "loaded from" if existed else "new, kept in"
        kept = f"  records {how} {config.state_file} (saved after every change)\n"
    sys.stdout.write(
        f"Hoursmith sandbox: {base_url}\n{kept}  e.g. HOURSMITH_API_URL={base_url}\n"
        f"  or serve against it: hoursmith-mcp --sandbox-url {root}\n\n{token_table()}\n\n"
        "Press Ctrl-C to stop.\n"
    )
    sys.stdout.flush()
    try:
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; the server has already shut down cleanly
    finally:
        sock.close()
    return 0
