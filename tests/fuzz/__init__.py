"""The fuzzing harness: property-based and mutation fuzzing of the server's four inputs.

(a) raw protocol input, on stdio and over HTTP; (b) tool arguments; (c) the API's answers (status,
headers, encodings, bytes), from a loopback fixture upstream; (d) manifests. Inputs come from
inputs.py, the invariants checked after each one are in targets.py.

- In the normal suite: tests/fuzz/test_fuzz.py, a short derandomized run (hypothesis), well under a
  minute.
- On demand, the long run: `python -m tests.fuzz --minutes 30` (seeded, `--seed N` to repeat one), which
  prints the figures SECURITY.md quotes and writes them as JSON (`--report PATH`).
"""
