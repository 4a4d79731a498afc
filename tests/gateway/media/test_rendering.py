"""Rendering: off the event loop, once per content, a plugin's failure its own."""

import asyncio
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from adapters.storage.media.disk import DiskMediaStore
from gateway.media.rendering import Renderer, RenderingFailed, cache_key
from gateway.media.service import PluginMedia, attachment
from gateway.models import MediaKind

REPO = Path(__file__).resolve().parents[3]

calls: list[tuple] = []
started, release = threading.Event(), threading.Event()


def label(text: str, size: int) -> bytes:
    calls.append((text, size, threading.current_thread().name))
    return f"{text}:{size}".encode()


def slow_label(text: str) -> bytes:
    calls.append((text,))
    started.set()
    release.wait(5)
    return text.encode()


def broken(text: str) -> bytes:
    raise ValueError(f"cannot draw {text}")


def nothing(text: str) -> bytes:
    return b""


class Point(BaseModel):
    day: date
    value: float


@pytest.fixture
async def media(tmp_path, clock):
    calls.clear()
    started.clear()
    release.clear()
    store = await DiskMediaStore.open(tmp_path / "media", clock)
    with ThreadPoolExecutor(2, thread_name_prefix="render") as pool:
        yield PluginMedia(store, Renderer(store, pool))
    await store.close()


async def test_a_file_is_made_off_the_event_loop_and_stored(media):
    stored = await media.render(
        label, "gantt", 3, kind=MediaKind.IMAGE, content_type="image/png", filename="x.png", version="1"
    )
    assert await media.read(stored.id) == b"gantt:3"
    assert (stored.kind, stored.content_type, stored.filename) == (MediaKind.IMAGE, "image/png", "x.png")
    assert calls[0][2].startswith("render")


async def test_the_same_inputs_again_render_nothing_and_return_the_stored_file(media):
    first = await media.render(label, "gantt", 3, kind=MediaKind.IMAGE, content_type="image/png", version="1")
    again = await media.render(label, "gantt", 3, kind=MediaKind.IMAGE, content_type="image/png", version="1")
    assert again.id == first.id and len(calls) == 1


async def test_other_arguments_or_a_new_version_render_anew(media):
    first = await media.render(label, "gantt", 3, kind=MediaKind.IMAGE, content_type="image/png", version="1")
    other = await media.render(label, "gantt", 4, kind=MediaKind.IMAGE, content_type="image/png", version="1")
    newer = await media.render(label, "gantt", 3, kind=MediaKind.IMAGE, content_type="image/png", version="2")
    assert len({first.id, other.id, newer.id}) == 3 and len(calls) == 3


async def test_two_identical_requests_at_once_render_once(media):
    request = {"kind": MediaKind.IMAGE, "content_type": "image/png", "version": "1"}
    requests = [asyncio.ensure_future(media.render(slow_label, "week", **request)) for _ in range(2)]
    await asyncio.to_thread(started.wait, 5)  # the first is rendering; the second came meanwhile
    release.set()
    first, second = await asyncio.gather(*requests)
    assert first.id == second.id and calls == [("week",)]


def test_the_cache_key_reads_models_and_dates_and_ignores_key_order():
    point = Point(day=date(2026, 12, 1), value=1.5)
    assert cache_key(label, "1", (point, {"b": 1, "a": 2})) == cache_key(label, "1", (point, {"a": 2, "b": 1}))
    assert cache_key(label, "1", (point,)) != cache_key(broken, "1", (point,))


async def test_a_make_that_raises_is_the_plugins_error_logged_with_its_name(media, caplog):
    with caplog.at_level(logging.ERROR), pytest.raises(RenderingFailed, match="cannot draw gantt"):
        await media.render(broken, "gantt", kind=MediaKind.IMAGE, content_type="image/png", version="1")
    assert "test_rendering.broken" in caplog.text


async def test_a_make_that_gives_no_bytes_stores_nothing(media):
    with pytest.raises(RenderingFailed, match="gave no bytes"):
        await media.render(nothing, "gantt", kind=MediaKind.IMAGE, content_type="image/png", version="1")


async def test_an_attachment_names_the_stored_file_and_a_document_keeps_its_filename(media):
    pdf = await media.store(
        b"%PDF-1.7", content_type="application/pdf", kind=MediaKind.DOCUMENT, filename="bill-2026-12.pdf"
    )
    chart = await media.store(b"\x89PNG", content_type="image/png", kind=MediaKind.IMAGE, filename="chart.png")
    bill = attachment(pdf, caption="Your bill")
    assert (bill.media_id, bill.kind, bill.filename) == (pdf.id, MediaKind.DOCUMENT, "bill-2026-12.pdf")
    assert bill.caption == "Your bill"
    assert attachment(chart).filename is None


def test_drawing_libraries_load_only_where_a_gateway_may_draw(tmp_path):
    """A command that never draws (`wa-gateway plugins`) starts without matplotlib and fpdf2,
    1.5 s of CPU; a gateway that holds conversations loads them in its pool once started."""
    script = (
        "import sys\n"
        "from gateway.cli import main\n"
        "from gateway.media.rendering import DRAWING_MODULES, warm\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "main(['plugins'])\n"
        "assert not {'matplotlib', 'fpdf'} & set(sys.modules), 'a command loaded the drawing libraries'\n"
        "with ThreadPoolExecutor(1) as pool:\n"
        "    warm(pool)\n"
        "assert set(DRAWING_MODULES) <= set(sys.modules), 'warm left some unloaded'\n"
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")}
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=environment | {"PYTHONPATH": str(REPO)},
    )
    assert run.returncode == 0, run.stderr
