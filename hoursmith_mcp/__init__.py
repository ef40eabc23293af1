"""hoursmith-mcp: the Hoursmith MCP server, the one import name the distribution installs.

`engine` (the generic engine) and `sandbox` (the API simulator) live at the top of the repository, as
the design card lays it out; here they are links to those folders, and a wheel holds real copies.
"""
