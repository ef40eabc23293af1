"""The manifest toolchain: a manifest file read with positions, checked (JSON Schema, then the semantic
rules) and turned into the typed, immutable model every later stage works from."""
