"""`config CLIENT`: the entry an MCP client needs to launch this server, printed or merged into its file.

Printed: the snippet on stdout (so it can be redirected), where it goes on stderr. With --write: the
entry is merged into the client's config file in place (jsonc.py keeps every other byte, comments
included), after a backup, and the file is written atomically. The token is never printed or taken
from the environment: the entry holds a placeholder the person replaces (VS Code prompts for it
instead), and an entry that already holds a token keeps it.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..calls.connection import TOKEN_PLACEHOLDER, StartupError
from ..manifest.model import Manifest
from . import jsonc
from .clients import ALIASES, CLIENTS, Client
from .launch import Launch, launch_command
from .manifest_choice import ManifestChoice
from .product import Product
from .startup import fail, load_for_serving


@dataclass(frozen=True)
class ConfigRequest:
    client: str
    manifest: ManifestChoice
    sandbox_args: tuple[str, ...] = ()  # how the entry reaches a sandbox (--sandbox, --sandbox-url URL)
    write: bool = False
    file: Path | None = None  # another config file than the client's usual one


def placeholder(manifest: Manifest) -> str:
    return f"{manifest.api.auth.token_prefix or ''}{TOKEN_PLACEHOLDER}"


def input_id(manifest: Manifest) -> str:
    return f"{manifest.server.name}-api-token"


def secret_input(manifest: Manifest) -> dict[str, Any]:
    """VS Code asks for the token once, keeps it in its secret storage, and passes it in env."""
    title = manifest.server.title or manifest.server.name
    prefix = manifest.api.auth.token_prefix
    return {
        "type": "promptString",
        "id": input_id(manifest),
        "description": f"{title} API token" + (f" (starts with {prefix})" if prefix else ""),
        "password": True,
    }


def server_entry(
    client: Client, manifest: Manifest, launch: Launch, request: ConfigRequest
) -> dict[str, Any]:
    args = list(launch.args)
    if request.manifest.named:  # the client's environment will not name it: pass it on
        args += ["--manifest", str(request.manifest.path.resolve())]
    args += list(request.sandbox_args)
    env: dict[str, str] = {}
    if not request.sandbox_args:
        token = f"${{input:{input_id(manifest)}}}" if client.secret_inputs else placeholder(manifest)
        env[manifest.api.auth.token_env] = token
    return client.entry(launch.command, args, env)


def snippet(client: Client, manifest: Manifest, entry: dict[str, Any], sandbox: bool) -> dict[str, Any]:
    document: dict[str, Any] = {client.servers_key: {manifest.server.name: entry}}
    if client.secret_inputs and not sandbox:
        document["inputs"] = [secret_input(manifest)]
    return document


def run_config(product: Product, request: ConfigRequest) -> int:
    client = CLIENTS[ALIASES.get(request.client, request.client)]
    try:
        manifest = load_for_serving(product, request.manifest.path)
    except StartupError as exc:
        return fail(product, str(exc))
    launch = launch_command(product.command, product.distribution)
    entry = server_entry(client, manifest, launch, request)
    sandbox = bool(request.sandbox_args)
    if request.write:
        return write_entry(product, client, manifest, entry, request, launch)
    err = sys.stderr
    here = request.file or client.config_file()
    err.write(f"Merge this into {client.title}'s config file (or run this command again with --write):\n")
    if here is not None:
        err.write(f"  on this system: {here}\n")
    for where in client.where:
        err.write(f"  {where}\n")
    if client.name == "claude-code":
        err.write(f"Or run: {claude_mcp_add(manifest, entry)}\n")
    _say_launch(err, launch)
    _say_token(err, client, manifest, sandbox, kept=False)
    err.write("Then restart the client: config changes take effect only after a restart.\n\n")
    err.flush()
    sys.stdout.write(json.dumps(snippet(client, manifest, entry, sandbox), indent=2) + "\n")
    return 0


def claude_mcp_add(manifest: Manifest, entry: dict[str, Any]) -> str:
    words = ["claude", "mcp", "add", "--scope", "user", "--transport", "stdio", manifest.server.name]
    for name, value in entry.get("env", {}).items():
        words += ["--env", f"{name}={value}"]
    return shlex.join([*words, "--", entry["command"], *entry["args"]])


def write_entry(
    product: Product,
    client: Client,
    manifest: Manifest,
    entry: dict[str, Any],
    request: ConfigRequest,
    launch: Launch,
) -> int:
    path = request.file or client.config_file()
    if path is None:
        return fail(product, f"{client.title} has no config file on this system; name one with --file PATH")
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        return fail(product, f"cannot read {path}: {exc}; it was left untouched")
    try:
        edited, kept_token = merged_text(client, manifest, entry, text, sandbox=bool(request.sandbox_args))
    except jsonc.JsoncError as exc:
        return fail(
            product,
            f"{path}:{exc}; it was left untouched: fix it, or add the entry by hand (run without --write)",
        )
    err = sys.stderr
    name = manifest.server.name
    if edited == text:
        err.write(f"{path} already has this '{name}' entry; nothing to do.\n")
        return 0
    backup = _backup(path, product.command) if path.exists() else None
    _write_atomically(path, edited)
    verb = "Updated" if text and name in (jsonc.loads(text).get(client.servers_key) or {}) else "Added"
    err.write(
        f"{verb} the '{name}' server in {path}"
        + (f" (previous file kept as {backup})" if backup else "")
        + ".\n"
    )
    if not client.comments and jsonc.has_comments_or_trailing_commas(edited):
        err.write(f"Note: {path} has comments or trailing commas, which {client.title} may not accept.\n")
    _say_launch(err, launch)
    _say_token(err, client, manifest, bool(request.sandbox_args), kept=kept_token, path=path)
    err.write(f"Restart {client.title}: config changes take effect only after a restart.\n")
    return 0


def merged_text(
    client: Client, manifest: Manifest, entry: dict[str, Any], text: str, *, sandbox: bool
) -> tuple[str, bool]:
    """The file's text with our entry set, and whether a token already in the entry was kept.

    The entry's other keys (a client's own flags, other variables) stay; so does a real token."""
    document = jsonc.loads(text)
    if not isinstance(document, dict):
        raise jsonc.JsoncError("the file's top level is not an object")
    servers = document.get(client.servers_key, {})
    if not isinstance(servers, dict):
        raise jsonc.JsoncError(f"{client.servers_key!r} is not an object")
    name = manifest.server.name
    existing = servers.get(name)
    merged = dict(entry)
    kept = False
    if isinstance(existing, dict):
        merged = {**existing, **entry}
        env = dict(existing.get("env") or {}) if isinstance(existing.get("env"), dict) else {}
        token_env = manifest.api.auth.token_env
        held = env.get(token_env)
        ours = (placeholder(manifest), f"${{input:{input_id(manifest)}}}")
        kept = isinstance(held, str) and bool(held) and held not in ours and TOKEN_PLACEHOLDER not in held
        env.update({k: v for k, v in entry.get("env", {}).items() if not (k == token_env and kept)})
        if sandbox and env.get(token_env) in ours:
            del env[token_env]  # a sandbox needs no token; a real one stays for switching back
        if env:
            merged["env"] = env
        else:
            merged.pop("env", None)
    edited = jsonc.set_member(text, (client.servers_key, name), merged)
    expected = {**document, client.servers_key: {**servers, name: merged}}
    if client.secret_inputs and not sandbox and not kept:
        inputs = document.get("inputs", [])
        if not isinstance(inputs, list):
            raise jsonc.JsoncError("'inputs' is not a list")
        if not any(isinstance(item, dict) and item.get("id") == input_id(manifest) for item in inputs):
            inputs = [*inputs, secret_input(manifest)]
            edited = jsonc.set_member(edited, ("inputs",), inputs)
        expected["inputs"] = inputs
    if jsonc.loads(edited) != expected:  # a safety net: the edit must change our entry and nothing else
        raise jsonc.JsoncError("the edit would change more than the entry (a bug); nothing was written")
    return edited, kept


def _say_launch(err: Any, launch: Launch) -> None:
    if launch.note:
        err.write(f"The client will run: {shlex.join([launch.command, *launch.args])} ({launch.note}).\n")


def _say_token(
    err: Any, client: Client, manifest: Manifest, sandbox: bool, *, kept: bool, path: Path | None = None
) -> None:
    if sandbox:
        return
    token_env = manifest.api.auth.token_env
    if kept:
        err.write(f"The token already in its {token_env} was kept.\n")
    elif client.secret_inputs:
        err.write(f"{client.title} asks for the API token when it first starts the server, and stores it.\n")
    else:
        where = f" in {path}" if path else ""
        err.write(f"Replace {placeholder(manifest)}{where} with your API token.\n")


def _backup(path: Path, command: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.{command}-{stamp}.bak")
    counter = 1
    while backup.exists():
        counter += 1
        backup = path.with_name(f"{path.name}.{command}-{stamp}-{counter}.bak")
    backup.write_bytes(path.read_bytes())
    os.chmod(backup, path.stat().st_mode & 0o777)
    return backup


def _write_atomically(path: Path, text: str) -> None:
    """A crash never leaves a half-written config: the new text goes to a file beside it, then moves."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600  # it may hold a token
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
