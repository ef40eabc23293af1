"""Which of the manifest's tools to serve: a pure function of the manifest and the filter settings.

A filtered-out tool is neither listed nor callable, and neither are the resources and prompts that
rely on it. Mistakes in the settings (an unknown toolset, a
pattern that matches nothing) are warnings, never errors: a typo must not take the server down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from ..manifest.model import Manifest, Prompt, Resource, Tool, embedded_resource, embeds_any_resource
from ..manifest.problems import did_you_mean
from ..manifest.workflow_model import Workflow

# Each filter's environment variable is the product's prefix plus this name (e.g. ACME_READ_ONLY).
ENV_READ_ONLY = "READ_ONLY"
ENV_NO_DESTRUCTIVE = "NO_DESTRUCTIVE"
ENV_TOOLSETS = "TOOLSETS"
ENV_TOOLS = "TOOLS"
ENV_EXCLUDE_TOOLS = "EXCLUDE_TOOLS"
ENV_NO_ROLE_FILTER = "NO_ROLE_FILTER"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True)
class FilterSettings:
    read_only: bool = False
    no_destructive: bool = False
    toolsets: tuple[str, ...] = ()  # empty: every tool, whatever its toolset
    tools: tuple[str, ...] = ()  # glob patterns; empty: no allow-list
    exclude_tools: tuple[str, ...] = ()  # glob patterns
    # Only the tools this role can use (the manifest's tools[].roles); learnt from the API when serving.
    role: str | None = None
    by_role: bool = True  # False: list every tool whatever the role (--no-role-filter)
    warnings: tuple[str, ...] = field(default=(), compare=False)  # problems met reading the settings

    @property
    def active(self) -> bool:
        return bool(
            self.read_only
            or self.no_destructive
            or self.toolsets
            or self.tools
            or self.exclude_tools
            or self.role
        )

    def describe(self) -> str:
        parts = [
            name
            for name, on in (("read-only", self.read_only), ("no-destructive", self.no_destructive))
            if on
        ]
        for label, values in (
            ("toolsets", self.toolsets),
            ("tools", self.tools),
            ("exclude", self.exclude_tools),
        ):
            if values:
                parts.append(f"{label}={','.join(values)}")
        if self.role:
            parts.append(f"role={self.role}")
        return " ".join(parts) or "none"


@dataclass(frozen=True)
class Selection:
    tools: list[Tool | Workflow]
    warnings: list[str]


def split_list(value: str | None) -> tuple[str, ...]:
    """'a, b,,c' -> ('a', 'b', 'c'); None -> ()."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _env_flag(environ: Mapping[str, str], name: str, warnings: list[str]) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw not in _FALSE:
        # These switches take powers away: a typo ("ture") must fail safe, not serve everything.
        warnings.append(
            f"{name}={environ[name]!r} is not a boolean (use 1/true/yes or 0/false/no); taken as on"
        )
        return True
    return False


def settings_from(
    environ: Mapping[str, str],
    env_prefix: str,
    *,
    read_only: bool | None = None,
    no_destructive: bool | None = None,
    toolsets: str | None = None,
    tools: str | None = None,
    exclude_tools: str | None = None,
    no_role_filter: bool | None = None,
) -> FilterSettings:
    """Environment first, then the command line on top (a flag given wins over its variable)."""
    warnings: list[str] = []

    def env(name: str) -> str | None:
        return environ.get(env_prefix + name)

    env_read_only = _env_flag(environ, env_prefix + ENV_READ_ONLY, warnings)
    env_no_destructive = _env_flag(environ, env_prefix + ENV_NO_DESTRUCTIVE, warnings)
    env_no_role_filter = _env_flag(environ, env_prefix + ENV_NO_ROLE_FILTER, warnings)
    return FilterSettings(
        read_only=env_read_only if read_only is None else read_only,
        no_destructive=env_no_destructive if no_destructive is None else no_destructive,
        toolsets=split_list(env(ENV_TOOLSETS) if toolsets is None else toolsets),
        tools=split_list(env(ENV_TOOLS) if tools is None else tools),
        exclude_tools=split_list(env(ENV_EXCLUDE_TOOLS) if exclude_tools is None else exclude_tools),
        by_role=not (env_no_role_filter if no_role_filter is None else no_role_filter),
        warnings=tuple(warnings),
    )


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def select_tools(manifest: Manifest, settings: FilterSettings) -> Selection:
    """The tools to serve, in manifest order, and a warning for every setting that selected nothing."""
    warnings = list(settings.warnings)
    names = [tool.name for tool in manifest.listing]
    for pattern in (*settings.tools, *settings.exclude_tools):
        if not any(fnmatchcase(name, pattern) for name in names):
            warnings.append(f"tool pattern {pattern!r} matches no tool in {manifest.file}")
    in_toolsets: set[str] | None = None
    if settings.toolsets:
        in_toolsets = set()
        for toolset in settings.toolsets:
            declared = manifest.toolsets.get(toolset)
            if declared is None:
                known = ", ".join(sorted(manifest.toolsets)) or "none declared"
                warnings.append(f"unknown toolset {toolset!r} (known: {known})")
                continue
            in_toolsets.update(declared.tools)
    if settings.role is not None:
        named = sorted({role for tool in manifest.listing for role in tool.roles or ()})
        if named and settings.role not in named:
            hint = did_you_mean(settings.role, named)
            warnings.append(f"role {settings.role!r} is not one the tools name ({', '.join(named)}){hint}")
    chosen = [
        tool
        for tool in manifest.listing
        if not (settings.read_only and not tool.read_only)
        and not (settings.no_destructive and tool.destructive)
        and (in_toolsets is None or tool.name in in_toolsets)
        and (not settings.tools or _matches(tool.name, settings.tools))
        and not _matches(tool.name, settings.exclude_tools)
        and (settings.role is None or tool.for_role(settings.role))
    ]
    if not chosen and manifest.listing:
        warnings.append(f"the filters ({settings.describe()}) leave no tool to serve")
    return Selection(chosen, warnings)


def served_resources(manifest: Manifest, served_tools: set[str]) -> list[Resource]:
    """A resource reads through its tool, so it is served only while that tool is: a filter that
    takes a tool away takes its resources too, never leaving a way around it."""
    return [resource for resource in manifest.resources if resource.tool in served_tools]


def served_prompts(
    manifest: Manifest, served_tools: set[str], resources: list[Resource], role: str | None = None
) -> list[Prompt]:
    """A prompt is served only while every tool it steers to and every resource it embeds is; except
    that a tool the token's role can never use may be missing while another of its tools is served:
    such a prompt is written for every role and steers around it (a Member skips expenses)."""

    def tools_served(prompt: Prompt) -> bool:
        missing = [name for name in prompt.tools if name not in served_tools]
        if not missing:
            return True
        if role is None or len(missing) == len(prompt.tools):
            return False
        return all((tool := manifest.tool(name)) is not None and not tool.for_role(role) for name in missing)

    return [
        prompt
        for prompt in manifest.prompts
        if tools_served(prompt)
        and all(
            embeds_any_resource(uri) or embedded_resource(uri, resources) is not None for uri in prompt.embed
        )
    ]


def toolsets_of(manifest: Manifest) -> dict[str, list[str]]:
    """tool name -> the toolsets that name it (for the `tools` table)."""
    found: dict[str, list[str]] = {tool.name: [] for tool in manifest.listing}
    for toolset in manifest.toolsets.values():
        for name in toolset.tools:
            found.setdefault(name, []).append(toolset.name)
    return found
