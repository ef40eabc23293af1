"""A local simulator of the Hoursmith REST API v1, seeded with a demo workspace."""
