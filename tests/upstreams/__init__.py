"""Small local upstreams for APIs other than the sandbox's, on 127.0.0.1, deterministic."""
