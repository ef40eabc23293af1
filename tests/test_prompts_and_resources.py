"""Prompts and resources without a network: argument filling, URI matching, filters, capabilities.

Serving them against the sandbox, role by role and over stdio, is in tests/e2e/test_prompts_and_resources.py.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.manifest.loader import check_manifest, load_manifest
from hoursmith_mcp.engine.manifest.model import Manifest, Prompt, Resource
from hoursmith_mcp.engine.serving.filtering import (
    FilterSettings,
    select_tools,
    served_prompts,
    served_resources,
)
from hoursmith_mcp.engine.serving.prompts import PromptArgumentsError, fill, prompt_values
from hoursmith_mcp.engine.serving.reload import reload_manifest
from hoursmith_mcp.engine.serving.resource_contents import resolve
from hoursmith_mcp.engine.serving.runtime import running_engine

MANIFESTS = Path(__file__).parent / "manifests"
DEMO = load_manifest(MANIFESTS / "prompts-and-resources.yaml")
HOURSMITH = load_manifest(default_manifest_path())


def prompt(manifest: Manifest, name: str) -> Prompt:
    return next(p for p in manifest.prompts if p.name == name)


# ── arguments ──


def test_a_missing_optional_argument_takes_its_default() -> None:
    assert prompt_values(prompt(DEMO, "review_thing"), {"thing_id": "t1"}) == {
        "thing_id": "t1",
        "depth": "quickly",
    }


@pytest.mark.parametrize("given", [None, {}, {"thing_id": ""}, {"thing_id": "  \n"}])
def test_a_missing_or_blank_required_argument_is_refused_by_name(given: dict[str, str] | None) -> None:
    with pytest.raises(
        PromptArgumentsError, match=r"missing required argument 'thing_id' \(The thing's id\.\)"
    ):
        prompt_values(prompt(DEMO, "review_thing"), given)


def test_an_unknown_argument_is_refused_with_the_ones_that_exist() -> None:
    with pytest.raises(PromptArgumentsError) as caught:
        prompt_values(prompt(DEMO, "review_thing"), {"thing_id": "t1", "thingid": "t2"})
    assert str(caught.value) == (
        "prompt review_thing: unknown argument 'thingid' (arguments: thing_id, depth)"
    )


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(
        PromptArgumentsError, match="unknown argument 'x'; missing required argument 'thing_id'"
    ):
        prompt_values(prompt(DEMO, "review_thing"), {"x": "1"})


def test_a_value_is_inserted_once_and_never_expanded_again() -> None:
    hostile = "{depth} {thing_id} {{depth}} \x00 ünïcødé 🎉 " + "x" * 100_000
    values = prompt_values(prompt(DEMO, "review_thing"), {"thing_id": hostile, "depth": "{thing_id}"})
    text = fill(prompt(DEMO, "review_thing").messages[0].text, values)
    assert text == f"Review the thing above {{thing_id}}; say what {hostile} lacks."


def test_braces_that_are_not_placeholders_stay_as_written() -> None:
    assert fill('JSON {"a": 1} and {unknown}', {"a": "no"}) == 'JSON {"a": 1} and {unknown}'


# ── resource URIs ──


def test_a_plain_uri_matches_only_itself() -> None:
    things = DEMO.resources[0]
    assert things.match("demo://things") == {}
    assert things.match("demo://things/") is None
    assert things.match("DEMO://things") is None


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("demo://things/t1", {"thing_id": "t1"}),
        ("demo://things/a%2Fb", {"thing_id": "a%2Fb"}),
        ("demo://things/t1/more", None),
        ("demo://things/t1?x=1", None),
        ("demo://things/t1#frag", None),
        ("demo://things/", None),
        ("xdemo://things/t1", None),
    ],
)
def test_a_template_variable_is_one_non_empty_segment(uri: str, expected: dict[str, str] | None) -> None:
    assert DEMO.resources[1].match(uri) == expected


def test_template_literals_are_not_patterns() -> None:
    template = Resource("a.b://x+y/(z)/{id}", "t", None, "d", "get_thing", {}, ())
    assert template.match("a.b://x+y/(z)/1") == {"id": "1"}
    assert template.match("aXb://x+y/(z)/1") is None
    assert template.match("a.b://xxy/(z)/1") is None
    assert template.match("a.b://x+y/z/1") is None


def test_resolve_decodes_template_values_and_adds_fixed_arguments() -> None:
    read = resolve(DEMO.resources, "demo://things/a%2F..%2Fb%20c")
    assert (read.resource.name, read.arguments) == ("thing", {"thing_id": "a/../b c"})
    read = resolve(DEMO.resources, "demo://things")
    assert (read.resource.name, read.arguments) == ("things", {"color": "RED"})


def test_an_unknown_uri_is_an_invalid_params_error_naming_it() -> None:
    with pytest.raises(MCPError) as caught:
        resolve(DEMO.resources, "demo://nothing")
    assert caught.value.error.code == -32602
    assert caught.value.error.message == "Unknown resource: demo://nothing"


# ── filters ──


def served(manifest: Manifest, **settings: object) -> tuple[list[str], list[str]]:
    tools = {t.name for t in select_tools(manifest, FilterSettings(**settings)).tools}  # type: ignore[arg-type]
    resources = served_resources(manifest, tools)
    return [r.name for r in resources], [p.name for p in served_prompts(manifest, tools, resources)]


def test_without_filters_everything_declared_is_served() -> None:
    assert served(HOURSMITH) == (
        ["me", "active_projects"],
        ["weekly_review", "log_my_day", "find_unbilled_work"],
    )


def test_read_only_hides_the_prompt_that_writes() -> None:
    assert served(HOURSMITH, read_only=True) == (
        ["me", "active_projects"],
        ["weekly_review", "find_unbilled_work"],
    )


def test_a_resource_goes_with_its_tool_and_takes_the_prompts_that_embed_it() -> None:
    assert served(HOURSMITH, exclude_tools=("list_projects",)) == (
        ["me"],
        ["weekly_review", "find_unbilled_work"],  # log_my_day embeds the active projects
    )
    assert served(HOURSMITH, toolsets=("invoices",)) == ([], [])
    assert served(HOURSMITH, toolsets=("workflows",)) == ([], ["weekly_review", "find_unbilled_work"])
    assert served(HOURSMITH, toolsets=("workflows", "projects")) == (
        ["active_projects"],
        ["weekly_review", "log_my_day", "find_unbilled_work"],
    )
    assert served(HOURSMITH, exclude_tools=("time_summary",))[1] == ["log_my_day", "find_unbilled_work"]


def test_a_prompt_that_embeds_whatever_the_user_names_depends_on_no_resource() -> None:
    conformance = load_manifest(Path(__file__).parent / "conformance" / "conformance.tools.yaml")
    assert "test_prompt_with_embedded_resource" in served(conformance, exclude_tools=("test_*",))[1]


# ── capabilities and validate ──


@pytest.mark.anyio
@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_capabilities_are_advertised_only_for_what_the_manifest_declares(era: str) -> None:
    for path, offered in (
        (MANIFESTS / "minimal.yaml", False),
        (MANIFESTS / "prompts-and-resources.yaml", True),
    ):
        manifest = load_manifest(path)
        # No request reaches the API here: the base URL is never dialled.
        connection = Connection(base_url="https://api.example.com/v1", token="demo-token")
        async with (
            running_engine(manifest, connection, Redactor(["demo-token"], None)) as engine,
            Client(engine.server, mode=era) as client,  # type: ignore[arg-type]
        ):
            capabilities = client.server_capabilities
            assert capabilities is not None
            assert (capabilities.prompts is not None, capabilities.resources is not None) == (
                offered,
                offered,
            )
            if offered and era == "legacy":
                # No resources/subscribe: the server cannot know when the API's data changes. (At the
                # 2026 protocol the SDK derives `subscribe` from subscriptions/listen being served.)
                assert not capabilities.resources.subscribe  # type: ignore[union-attr]
            if offered:
                listed = (await client.list_resource_templates()).resource_templates
                assert [(t.uri_template, t.mime_type) for t in listed] == [
                    ("demo://things/{thing_id}", "application/json")
                ]
                prompts = (await client.list_prompts()).prompts
                assert [(a.name, a.required) for a in prompts[0].arguments or []] == [
                    ("thing_id", True),
                    ("depth", False),
                ]


def test_validate_counts_prompts_and_resources() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "validate", "--format", "json", "prompts-and-resources.yaml"],
        capture_output=True,
        text=True,
        cwd=MANIFESTS,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert (report["tools"], report["prompts"], report["resources"]) == (3, 2, 2)
    text = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "validate", "prompts-and-resources.yaml"],
        capture_output=True,
        text=True,
        cwd=MANIFESTS,
        check=False,
    )
    assert text.stdout == "prompts-and-resources.yaml: 3 tools (0 destructive), 2 prompts, 2 resources OK\n"


def test_the_readme_examples_validate_in_place_of_the_manifests_own(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Prompts and resources", 1)[1].split("\n## ", 1)[0]
    resources, prompts = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    text = default_manifest_path().read_text(encoding="utf-8")
    head, rest = text.split("\nresources:\n", 1)
    tail = rest.split("\ntools:\n", 1)[1]
    manifest = tmp_path / "tools.yaml"
    manifest.write_text(f"{head}\n{resources}{prompts}\ntools:\n{tail}", encoding="utf-8")
    checked = check_manifest(manifest)
    assert checked.errors == []
    assert checked.manifest is not None
    assert [r.uri for r in checked.manifest.resources] == [
        "hoursmith://projects/active",
        "hoursmith://clients/{client_id}",
    ]
    assert [p.name for p in checked.manifest.prompts] == ["log_my_day"]


@pytest.mark.anyio
async def test_a_reload_that_brings_the_first_prompts_says_a_restart_is_needed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text((MANIFESTS / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    connection = Connection(base_url="https://api.example.com/v1", token="demo-token")
    caplog.set_level(logging.INFO)
    async with running_engine(load_manifest(path), connection, Redactor(["demo-token"], None)) as engine:
        text = path.read_text(encoding="utf-8").replace(
            "\ntools:\n", "\nprompts:\n  - {name: hi, description: Hi., messages: [{text: Hi.}]}\ntools:\n"
        )
        path.write_text(text, encoding="utf-8")
        assert await reload_manifest(path, engine)
        assert list(engine.state.catalog.offerings.prompts) == ["hi"]
        capabilities = engine.server.get_capabilities()
        assert capabilities.prompts is None  # fixed at start: clients were never offered prompts
    assert "now declares prompts, but the server started without any" in caplog.text
    assert "restart the server to serve them" in caplog.text
