"""A sandbox that outlives one run: its records kept in a JSON file, loaded at start, saved on changes.

Every write goes to a temporary file beside the state file, flushed to disk, then moved over it, so a
crash or a Ctrl-C mid-save leaves the previous state whole. A file that is not a sandbox state (not
JSON, another format, a missing part) is refused with what is wrong and where, never overwritten.
Remembered idempotency keys and rate buckets are not kept: they belong to one run.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .store import KINDS, Store, TokenRecord

FORMAT = "hoursmith-sandbox-state"
VERSION = 1


class StateFileError(Exception):
    """The file cannot be used as a sandbox state; the message says why and where."""


def to_document(store: Store) -> dict[str, Any]:
    with store.lock:
        return {
            "format": FORMAT,
            "version": VERSION,
            "orgs": store.orgs,
            "members": store.members,
            "tokens": [
                {
                    "token": t.token,
                    "org_id": t.org_id,
                    "member_id": t.member_id,
                    "name": t.name,
                    "revoked": t.revoked,
                }
                for t in store.tokens.values()
            ],
            "tables": store.tables,
            "project_users": {project: sorted(users) for project, users in store.project_users.items()},
        }


def from_document(document: Any, where: str) -> Store:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(f'{where}: not a sandbox state file (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise StateFileError(
            f"{where}: state format version {document.get('version')!r}; this sandbox reads {VERSION}"
        )
    try:
        tables = document["tables"]
        missing = [kind for kind in KINDS if not isinstance(tables.get(kind), dict)]
        if missing:
            raise StateFileError(f"{where}: tables has no {', '.join(missing)}")
        return Store(
            orgs=_records(document["orgs"], "orgs", where),
            members=_records(document["members"], "members", where),
            tokens={t["token"]: TokenRecord(**t) for t in document["tokens"]},
            tables={kind: _records(tables[kind], f"tables.{kind}", where) for kind in KINDS},
            project_users={p: set(users) for p, users in document["project_users"].items()},
        )
    except StateFileError:
        raise
    except (KeyError, TypeError, AttributeError) as exc:
        raise StateFileError(
            f"{where}: a part of the state is missing or malformed ({type(exc).__name__}: {exc})"
        ) from None


def _records(value: Any, name: str, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(r, dict) for r in value.values()):
        raise StateFileError(f"{where}: {name} must map ids to records")
    return value


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Store | None:
        """The saved store, or None when the file does not exist yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StateFileError(f"{self.path}: cannot read it ({exc})") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StateFileError(f"{self.path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
        return from_document(document, str(self.path))

    def save(self, store: Store) -> None:
        text = json.dumps(to_document(store), ensure_ascii=False, indent=1)
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
