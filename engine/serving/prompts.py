"""Prompts as MCP serves them: their listing, and `prompts/get` filling in the user's arguments.

A prompt's text is the manifest's, with each {argument} replaced in one pass (a value that itself
contains "{x}" is never expanded again). Arguments are strings typed by a person: a required one that
is missing or blank is refused by name, an optional one falls back to its default, and a name the
prompt does not declare is refused rather than ignored, as tools refuse unknown arguments.
"""

from __future__ import annotations

from collections.abc import Mapping

import mcp.types as types

from ..manifest.model import PROMPT_PLACEHOLDER, Prompt


class PromptArgumentsError(Exception):
    """The arguments do not fit the prompt; the message names each one at fault."""


def prompt_definition(prompt: Prompt) -> types.Prompt:
    return types.Prompt(
        name=prompt.name,
        title=prompt.title,
        description=prompt.description,
        arguments=[
            types.PromptArgument(name=arg.name, description=arg.description, required=arg.required)
            for arg in prompt.arguments
        ]
        or None,
    )


def prompt_values(prompt: Prompt, given: Mapping[str, str] | None) -> dict[str, str]:
    """Every declared argument's value: the user's, or its default. Raises PromptArgumentsError."""
    given = given or {}
    declared = {arg.name for arg in prompt.arguments}
    problems = [f"unknown argument {name!r}" for name in given if name not in declared]
    values: dict[str, str] = {}
    for arg in prompt.arguments:
        value = given.get(arg.name)
        if value is None or not value.strip():  # clients send "" for a field left empty
            if arg.required:
                problems.append(f"missing required argument {arg.name!r} ({arg.description})")
                continue
            value = arg.default or ""
        values[arg.name] = value
    if problems:
        expected = ", ".join(arg.name for arg in prompt.arguments) or "none"
        raise PromptArgumentsError(f"prompt {prompt.name}: {'; '.join(problems)} (arguments: {expected})")
    return values


def fill(text: str, values: Mapping[str, str]) -> str:
    return PROMPT_PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), text)


def rendered_messages(prompt: Prompt, values: Mapping[str, str]) -> list[types.PromptMessage]:
    return [
        types.PromptMessage(
            role=message.role, content=types.TextContent(type="text", text=fill(message.text, values))
        )
        for message in prompt.messages
    ]
