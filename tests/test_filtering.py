"""Tool filtering as a pure function: manifest + settings -> the tools to serve, and warnings."""

from __future__ import annotations

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.serving.filtering import FilterSettings, select_tools, settings_from

MANIFEST = load_manifest(default_manifest_path())
DESTRUCTIVE = {"delete_client", "archive_project", "archive_task", "delete_time_entry", "delete_expense"}
ALL = {tool.name for tool in MANIFEST.listing}
WORKFLOWS = {"start_timer", "stop_timer", "get_running_timer", "log_time", "time_summary", "unbilled_time"}


def names(settings: FilterSettings) -> set[str]:
    return {tool.name for tool in select_tools(MANIFEST, settings).tools}


def test_no_settings_serve_every_tool_without_warnings() -> None:
    selection = select_tools(MANIFEST, FilterSettings())
    assert [t.name for t in selection.tools] == [t.name for t in MANIFEST.listing]
    assert {t.name for t in MANIFEST.tools} | WORKFLOWS == ALL
    assert selection.warnings == []


def test_read_only_keeps_exactly_the_get_tools_and_the_workflows_that_only_read() -> None:
    chosen = names(FilterSettings(read_only=True))
    reading_workflows = {"get_running_timer", "time_summary", "unbilled_time"}
    assert chosen == {t.name for t in MANIFEST.tools if t.method == "GET"} | reading_workflows
    assert chosen and not any(n.startswith(("create_", "update_", "delete_", "archive_")) for n in chosen)


def test_no_destructive_hides_exactly_the_five_destructive_tools() -> None:
    assert ALL - names(FilterSettings(no_destructive=True)) == DESTRUCTIVE


def test_toolsets_globs_and_exclusions_combine_with_and() -> None:
    assert names(FilterSettings(toolsets=("time",))) == {
        "list_time_entries",
        "get_time_entry",
        "get_running_timer",
        "create_time_entry",
        "update_time_entry",
        "delete_time_entry",
    }
    assert names(FilterSettings(toolsets=("time", "invoices"), read_only=True, exclude_tools=("get_*",))) == {
        "list_time_entries",
        "list_invoices",
    }
    assert names(FilterSettings(tools=("list_*",))) == {n for n in ALL if n.startswith("list_")}


def test_unknown_toolset_and_unmatched_patterns_are_warnings_not_errors() -> None:
    selection = select_tools(
        MANIFEST,
        FilterSettings(toolsets=("time", "payroll"), tools=("*_entry", "zzz*"), exclude_tools=("nope",)),
    )
    assert {t.name for t in selection.tools} == {
        f"{verb}_time_entry" for verb in ("get", "create", "update", "delete")
    }
    assert any("unknown toolset 'payroll'" in w and "time" in w for w in selection.warnings)
    assert any("'zzz*' matches no tool" in w for w in selection.warnings)
    assert any("'nope' matches no tool" in w for w in selection.warnings)


def test_filters_that_leave_nothing_say_so() -> None:
    selection = select_tools(
        MANIFEST, FilterSettings(toolsets=("invoices",), no_destructive=True, tools=("create_*",))
    )
    assert selection.tools == []
    assert any("leave no tool" in w for w in selection.warnings)


def test_environment_settings_and_flags_win_over_them() -> None:
    env = {
        "HOURSMITH_READ_ONLY": "yes",
        "HOURSMITH_NO_DESTRUCTIVE": "TRUE",
        "HOURSMITH_TOOLSETS": "time, invoices",
        "HOURSMITH_TOOLS": "list_*",
        "HOURSMITH_EXCLUDE_TOOLS": "list_invoices",
    }
    from_env = settings_from(env, "HOURSMITH_")
    assert from_env == FilterSettings(True, True, ("time", "invoices"), ("list_*",), ("list_invoices",))
    flags = settings_from(env, "HOURSMITH_", read_only=False, toolsets="clients", exclude_tools="")
    assert flags.read_only is False and flags.no_destructive is True
    assert flags.toolsets == ("clients",) and flags.exclude_tools == ()


def test_a_boolean_variable_that_is_not_a_boolean_warns_and_fails_safe() -> None:
    # A typo in a switch that takes powers away must not serve the destructive tools.
    settings = settings_from({"HOURSMITH_READ_ONLY": "ture", "HOURSMITH_NO_DESTRUCTIVE": "0"}, "HOURSMITH_")
    assert settings.read_only is True and settings.no_destructive is False
    selection = select_tools(MANIFEST, settings)
    assert selection.warnings == [
        "HOURSMITH_READ_ONLY='ture' is not a boolean (use 1/true/yes or 0/false/no); taken as on"
    ]
    assert all(tool.read_only for tool in selection.tools)
