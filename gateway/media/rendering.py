"""Generated files (charts, PDFs) made off the event loop by a plugin's pure function, once per
content: the same function, version and arguments give back the file stored the first time."""

import asyncio
import hashlib
import importlib
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import orjson
from pydantic import BaseModel

from gateway.models import MediaKind
from gateway.ports.media import MediaStore, StoredMedia

log = logging.getLogger(__name__)

RENDER_THREADS = 2
"""Threads that render; BENCHMARKS.md (issue 15) says why threads and not processes."""

Make = Callable[..., bytes]

DRAWING_MODULES = ("matplotlib.figure", "matplotlib.backends.backend_agg", "gateway.media.charts", "gateway.media.pdf")
"""What charts and PDFs are drawn with, 1.5 s of CPU to import: plugins import them inside their
drawing functions, so a command that never draws never pays, and `warm` loads them for a
gateway that holds conversations."""


class RenderingFailed(Exception):
    """A plugin's function raised or gave no bytes; the plugin's error, not the gateway's."""


def render_pool() -> Executor:
    """The pool files are made in, one per process."""
    return ThreadPoolExecutor(RENDER_THREADS, thread_name_prefix="render")


def warm(pool: Executor) -> None:
    """Import DRAWING_MODULES in `pool` in the background: neither start-up nor the first
    contact's chart or PDF waits for them."""
    pool.submit(lambda: [importlib.import_module(name) for name in DRAWING_MODULES])


def qualified_name(make: Make) -> str:
    return f"{make.__module__}.{make.__qualname__}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a rendering's cache key")


def cache_key(make: Make, version: str, args: tuple[Any, ...]) -> str:
    """A digest of what a file is made from: the function's qualified name, its `version` (bumped
    when its drawing changes) and the canonical JSON of its arguments."""
    canonical = orjson.dumps(
        [qualified_name(make), version, args],
        default=_jsonable,
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


class Renderer:
    """Runs `make(*args) -> bytes` in the pool and stores the result under its cache key; a
    request for a file already stored renders nothing, and identical requests at once in this
    process render once (across processes the store's idempotent put keeps one file)."""

    def __init__(self, store: MediaStore, pool: Executor) -> None:
        self._store = store
        self._pool = pool
        self._rendering: dict[str, asyncio.Future[StoredMedia]] = {}

    async def render(
        self, make: Make, *args: Any, kind: MediaKind, content_type: str, filename: str | None, version: str
    ) -> StoredMedia:
        key = cache_key(make, version, args)
        if (stored := await self._store.cached(key)) is not None:
            return stored
        running = self._rendering.get(key)
        if running is None:
            running = asyncio.ensure_future(self._made(key, make, args, kind, content_type, filename))
            self._rendering[key] = running
            running.add_done_callback(lambda _: self._rendering.pop(key, None))
        return await asyncio.shield(running)

    async def _made(
        self, key: str, make: Make, args: tuple[Any, ...], kind: MediaKind, content_type: str, filename: str | None
    ) -> StoredMedia:
        name = qualified_name(make)
        try:
            data = await asyncio.get_running_loop().run_in_executor(self._pool, make, *args)
        except Exception as error:
            log.exception("Rendering %s failed", name)
            raise RenderingFailed(f"{name} raised {type(error).__name__}: {error}") from error
        if not isinstance(data, bytes) or not data:
            log.error("Rendering %s gave %s, not a file's bytes", name, type(data).__name__)
            raise RenderingFailed(f"{name} gave no bytes")
        return await self._store.put(data, content_type=content_type, kind=kind, filename=filename, cache_key=key)
