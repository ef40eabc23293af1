"""Benchmarks of the hoursmith-mcp server against floors measured in the same run (issue 6)."""
