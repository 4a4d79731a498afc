"""The store, with every repository operation timed into
`gateway_store_operation_duration_seconds{operation, backend}`."""

import inspect
import time
from typing import Any

from gateway.metrics import GatewayMetrics
from gateway.ports.store import Store

REPOSITORIES = ("templates", "log", "queue", "settings", "sessions", "records", "leases")


class _TimedRepository:
    def __init__(self, repository: Any, name: str, backend: str, metrics: GatewayMetrics) -> None:
        self._repository = repository
        self._name = name
        self._backend = backend
        self._metrics = metrics

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._repository, attribute)
        if not inspect.iscoroutinefunction(value):
            return value
        histogram = self._metrics.store_latency.labels(f"{self._name}.{attribute}", self._backend)

        async def timed(*arguments: Any, **keywords: Any) -> Any:
            started = time.perf_counter()
            try:
                return await value(*arguments, **keywords)
            finally:
                histogram.observe(time.perf_counter() - started)

        setattr(self, attribute, timed)  # built once: later calls find it without __getattr__
        return timed


class TimedStore:
    """A Store whose repositories report how long each call took."""

    def __init__(self, store: Store, metrics: GatewayMetrics) -> None:
        self.backend = store.backend
        self.ping = store.ping
        self.close = store.close
        for name in REPOSITORIES:
            setattr(self, name, _TimedRepository(getattr(store, name), name, store.backend, metrics))
