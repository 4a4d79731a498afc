"""The plugin manager: hook specs, installed plugins' entry points, the built-ins, and
isolation, so one plugin that fails to load or raises never takes the others down."""

import importlib.metadata
import inspect
import logging
import time
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pluggy

from gateway import __version__, default_help, default_replies, hookspecs
from gateway.metrics import GatewayMetrics

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "wa_gateway.plugins"


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin, as `wa-gateway plugins` lists it."""

    name: str
    version: str
    source: str
    hooks: tuple[str, ...]


@dataclass(frozen=True)
class LoadFailure:
    name: str
    reason: str


class PluginFailed(Exception):
    """A plugin raised while answering a first-result hook; the caller owes the user an apology."""

    def __init__(self, plugin: str) -> None:
        super().__init__(plugin)
        self.plugin = plugin


class PluginHost:
    """Calls hooks one implementation at a time: an implementation that raises is logged with
    its plugin's name, counted, and its plugin marked broken; the rest still answer."""

    def __init__(
        self,
        manager: pluggy.PluginManager,
        metrics: GatewayMetrics,
        sources: dict[str, tuple[str, str]],
        failures: list[LoadFailure],
    ) -> None:
        self.manager = manager
        self.failures = failures
        self.broken: set[str] = set()
        self.refused: dict[str, list[str]] = {}
        self._metrics = metrics
        self._sources = sources

    async def collect(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Every plugin's answer to a hook, with the plugin's name; failures are left out."""
        answers = []
        for implementation in self._implementations(hook):
            answer = await self._call(hook, implementation, kwargs)
            if answer is not _FAILED and answer is not None:
                answers.append((self.name_of(implementation.plugin), answer))
        return answers

    async def first(self, hook: str, **kwargs: Any) -> tuple[str, Any] | None:
        """The first plugin's answer that is not None, with the plugin's name; raises
        PluginFailed when the plugin whose turn it was raised instead."""
        for implementation in self._implementations(hook):
            answer = await self._call(hook, implementation, kwargs)
            if answer is _FAILED:
                raise PluginFailed(self.name_of(implementation.plugin))
            if answer is not None:
                return self.name_of(implementation.plugin), answer
        return None

    def failed(self, plugin: str, what: str, error: BaseException) -> None:
        """Record that `plugin` raised while doing `what`; its menu entries are hidden from now on."""
        self.count_error(plugin, what, error)
        self.broken.add(plugin)

    def refuse(self, plugin: str, reasons: list[str]) -> None:
        """Take `plugin` out of service at start-up for what it declares (a menu title longer
        than WhatsApp allows, a template that does not parse): logged with its name and every
        reason, counted; from then on only its on_shutdown is called, and the others run."""
        log.error("plugin %s is disabled: %s", plugin, "; ".join(reasons))
        self._metrics.plugin_errors.labels(plugin, "start-up checks").inc()
        self.refused.setdefault(plugin, []).extend(reasons)
        self.broken.add(plugin)

    def count_error(self, plugin: str, what: str, error: BaseException) -> None:
        """Log and count a plugin's exception, leaving the plugin in service (a periodic job's)."""
        log.error("plugin %s failed in %s: %s", plugin, what, error, exc_info=error)
        self._metrics.plugin_errors.labels(plugin, what).inc()

    def name_of(self, plugin: object) -> str:
        return self.manager.get_name(plugin) or repr(plugin)

    def describe(self) -> list[PluginInfo]:
        """Every loaded plugin with its version, source and the hooks it implements."""
        infos = []
        for name, plugin in self.manager.list_name_plugin():
            hooks = tuple(sorted(caller.name for caller in self.manager.get_hookcallers(plugin) or ()))
            version, source = self._sources.get(name, ("", "built-in"))
            infos.append(PluginInfo(name, version, source, hooks))
        return sorted(infos, key=lambda info: info.name)

    def _implementations(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the last registered first, honouring tryfirst and trylast; a refused
        # plugin still gets on_shutdown, since its on_startup ran before the checks
        implementations = reversed(getattr(self.manager.hook, hook).get_hookimpls())
        return [i for i in implementations if hook == "on_shutdown" or self.name_of(i.plugin) not in self.refused]

    async def _call(self, hook: str, implementation: pluggy.HookImpl, kwargs: dict[str, Any]) -> Any:
        plugin = self.name_of(implementation.plugin)
        started = time.perf_counter()
        try:
            answer = implementation.function(*(kwargs[name] for name in implementation.argnames))
            return await answer if inspect.isawaitable(answer) else answer
        except Exception as error:
            self.failed(plugin, hook, error)
            return _FAILED
        finally:
            self.record_call(plugin, hook, time.perf_counter() - started)

    def record_call(self, plugin: str, hook: str, seconds: float) -> None:
        """Count a call into a plugin and how long it took."""
        self._metrics.plugin_calls.labels(plugin, hook).inc()
        self._metrics.plugin_latency.labels(plugin, hook).observe(seconds)


_FAILED = object()


def get_plugin_manager(
    metrics: GatewayMetrics, plugins: Iterable[object] = (), *, entry_points: bool = True
) -> PluginHost:
    """A new manager: specs, installed plugins' entry points (unless `entry_points` is False,
    as tests do), `plugins`, then the core's fallbacks; a misspelled hook fails here, loudly,
    and a plugin that fails to import is recorded, not fatal."""
    manager = pluggy.PluginManager("wa_gateway")
    manager.add_hookspecs(hookspecs)
    sources: dict[str, tuple[str, str]] = {}
    failures: list[LoadFailure] = []
    if entry_points:
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            _load(manager, entry_point, sources, failures, metrics)
    for plugin in plugins:
        manager.register(plugin, name=_given_name(plugin))
    manager.register(default_replies, name="gateway.default_replies")
    manager.register(default_help.Help(), name="gateway.default_help")
    sources |= {name: (__version__, "built-in") for name in ("gateway.default_replies", "gateway.default_help")}
    manager.check_pending()
    return PluginHost(manager, metrics, sources, failures)


def _given_name(plugin: object) -> str:
    """A readable name for logs, metrics and listings: the module's, or the class's."""
    if isinstance(plugin, types.ModuleType):
        return plugin.__name__
    return f"{type(plugin).__module__}.{type(plugin).__qualname__}"


def _load(
    manager: pluggy.PluginManager,
    entry_point: importlib.metadata.EntryPoint,
    sources: dict[str, tuple[str, str]],
    failures: list[LoadFailure],
    metrics: GatewayMetrics,
) -> None:
    if manager.has_plugin(entry_point.name):
        return
    try:
        manager.register(entry_point.load(), name=entry_point.name)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        log.error("plugin %s failed to load: %s", entry_point.name, reason)
        metrics.plugin_load_failures.labels(entry_point.name).inc()
        failures.append(LoadFailure(entry_point.name, reason))
        return
    distribution = entry_point.dist
    built_in = distribution is not None and distribution.name == "wa-gateway"
    sources[entry_point.name] = (
        distribution.version if distribution else "",
        "built-in" if built_in else f"package {distribution.name}" if distribution else "package",
    )
