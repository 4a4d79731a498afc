"""Fixtures shared by the whole suite."""

import pytest

from gateway.settings import Settings

pytest_plugins = ["gateway.testing", "tests.gateway_fixtures"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests (real processes, fuzzing, browsers: a minute or more each) first, so that
    `--dist loadgroup` (setup.cfg) starts them on both workers beside the quick ones, instead of
    leaving them to end the run on one worker while the other idles."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Default settings with the store in this test's own folder, ignoring any .env, and the simulator on."""
    return Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'gateway.db'}", simulator=True)
