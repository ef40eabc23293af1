"""`python -m hoursmith_mcp`: the same as the `hoursmith-mcp` command."""

from hoursmith_mcp.cli import entry_point

entry_point()
