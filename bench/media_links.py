"""A microbenchmark for issue 15: signing and checking a media link (µs a call, beside the bare HMAC), and a 16 MB
video fetched through its signed link from a gateway on a local port, as a provider fetches
it, against reading the same file straight from the disk media store. Run on purpose:

    python -m bench.media_links [--rounds N]
"""

import argparse
import asyncio
import hashlib
import hmac
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from aiohttp.test_utils import unused_port

from gateway.app import create_app
from gateway.appkeys import MEDIA, MEDIA_LINKS
from gateway.models import MediaKind
from gateway.settings import Settings

VIDEO_BYTES = 16 * 1024 * 1024
CALLS = 100_000


def _per_call_us(step, calls: int = CALLS) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        step()
    return (time.perf_counter() - started) / calls * 1e6


async def _median_ms(rounds: int, step) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        await step()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def _measure(directory: Path, rounds: int) -> dict[str, str]:
    port = unused_port()
    settings = Settings(
        _env_file=None, store_url=f"sqlite:///{directory / 'gateway.db'}", public_url=f"http://127.0.0.1:{port}"
    )
    runner = web.AppRunner(create_app(settings, entry_points=False, run_worker=False))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        app = runner.app
        media, links = app[MEDIA], app[MEDIA_LINKS]
        stored = await media.put(os.urandom(VIDEO_BYTES), content_type="video/mp4", kind=MediaKind.VIDEO)
        url = links.url_for(stored.id)
        _, _, media_id, expires, signature = urlsplit(url).path.split("/")

        async def direct() -> None:
            async for _ in media.chunks(stored.id):
                pass

        async with aiohttp.ClientSession() as session:

            async def fetched() -> None:
                async with session.get(url) as response:
                    assert response.status == 200
                    async for _ in response.content.iter_chunked(1 << 20):
                        pass

            through_link = await _median_ms(rounds, fetched)
        from_store = await _median_ms(rounds, direct)
    finally:
        await runner.cleanup()
    megabytes = VIDEO_BYTES / (1024 * 1024)
    message = f"{stored.id}\n{expires}".encode()
    return {
        "HMAC-SHA256 alone": f"{_per_call_us(lambda: hmac.new(b'k' * 32, message, hashlib.sha256).digest()):.1f} µs",
        "url_for": f"{_per_call_us(lambda: links.url_for(stored.id)):.1f} µs",
        "verify": f"{_per_call_us(lambda: links.verify(media_id, expires, signature)):.1f} µs",
        "16 MB through the signed link": f"{through_link:.0f} ms ({megabytes / through_link * 1000:.0f} MB/s)",
        "16 MB read from the store": f"{from_store:.0f} ms ({megabytes / from_store * 1000:.0f} MB/s)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as directory:
        figures = asyncio.run(_measure(Path(directory), rounds))
    for name, value in figures.items():
        print(f"{name:32} {value}")


if __name__ == "__main__":
    main()
