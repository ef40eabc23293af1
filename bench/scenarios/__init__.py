"""One module per figure of BENCHMARKS.md; each returns a Section."""
