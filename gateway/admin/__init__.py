"""The admin API under /api/v1: bearer token, JSON, described by /api/v1/openapi.json."""
