"""Fixtures shared by the whole suite."""

import pytest

from gateway.settings import Settings

pytest_plugins = ["gateway.testing", "tests.gateway_fixtures"]


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Default settings with the store in this test's own folder, ignoring any .env, and the simulator on."""
    return Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'gateway.db'}", simulator=True)
