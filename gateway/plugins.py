"""The plugin manager: hook specs, installed plugins' entry points, then the built-ins."""

import inspect
from collections.abc import Iterable
from typing import Any

import pluggy

from gateway import default_replies, hookspecs

ENTRY_POINT_GROUP = "wa_gateway.plugins"


def get_plugin_manager(plugins: Iterable[object] = (), *, entry_points: bool = True) -> pluggy.PluginManager:
    """A new manager with every installed plugin (unless `entry_points` is False, as tests
    do), the core fallbacks, and `plugins`; a misspelled hook fails here, loudly."""
    manager = pluggy.PluginManager("wa_gateway")
    manager.add_hookspecs(hookspecs)
    if entry_points:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    manager.register(default_replies, name="gateway.default_replies")
    for plugin in plugins:
        manager.register(plugin)
    manager.check_pending()
    return manager


async def resolved(answer: Any) -> Any:
    """A hook's answer, awaited when the implementation returned an awaitable."""
    return await answer if inspect.isawaitable(answer) else answer
