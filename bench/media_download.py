"""A microbenchmark for issue 15: a contact's file downloaded through a channel's `fetch_media`
(Twilio's, the same download every channel uses) from a file host on a local port, against
reading the same bytes with a bare aiohttp GET in the same run; the Python memory a download
holds at its peak, against the file's size; and an oversize file refused, with and without a
Content-Length, in time and in bytes the host wrote before the gateway hung up. Run on purpose:

    python -m bench.media_download [--rounds N]
"""

import argparse
import asyncio
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.channels.http import DOWNLOAD_TIMEOUT
from adapters.channels.twilio import TwilioChannel
from gateway.models import Media
from gateway.ports.channel import MediaUnavailable

MB = 1024 * 1024
SIZES = {"1 MB": MB, "16 MB": 16 * MB, "50 MB": 50 * MB}
OVERSIZE, LIMIT = 64 * MB, 5 * MB
_CHUNK = bytes(64 * 1024)


class FileHost:
    """Streams `/{size}` zero bytes (`?chunked` without a Content-Length), counting what it wrote."""

    def __init__(self) -> None:
        self.written = 0
        self.done = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/{size}", self._serve)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        size = int(request.match_info["size"])
        response = web.StreamResponse(headers={"Content-Type": "video/mp4"})
        if "chunked" in request.query:
            response.enable_chunked_encoding()
        else:
            response.content_length = size
        self.written, self.done = 0, asyncio.Event()
        try:
            await response.prepare(request)
            while self.written < size:
                piece = _CHUNK[: size - self.written]
                await response.write(piece)
                self.written += len(piece)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.done.set()
        return response


async def _median_ms(rounds: int, step: Callable[[], Awaitable[object]]) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        await step()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def _run(rounds: int) -> None:
    host = FileHost()
    server = TestServer(host.app)
    await server.start_server()
    base = f"http://127.0.0.1:{server.port}"
    channel = TwilioChannel(
        account_sid="AC0",
        auth_token="t",
        whatsapp_number="+14155550100",
        api_base="https://api.twilio.com",
        status_callback="https://gw.example.com/webhooks/twilio",
    )
    try:
        async with aiohttp.ClientSession() as http:
            print("| file | bare GET | fetch_media | fetch / bare | peak Python memory / file |")
            print("|---|---|---|---|---|")
            for label, size in SIZES.items():
                url = f"{base}/{size}"

                async def bare(url: str = url) -> bytes:
                    async with http.get(url, timeout=DOWNLOAD_TIMEOUT) as response:
                        return await response.read()

                async def fetched(url: str = url, size: int = size):
                    return await channel.fetch_media(Media(url=url), size, http)

                bare_ms, fetch_ms = await _median_ms(rounds, bare), await _median_ms(rounds, fetched)
                tracemalloc.start()
                await fetched()
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                print(
                    f"| {label} | {bare_ms:.1f} ms | {fetch_ms:.1f} ms ({size / MB / fetch_ms * 1000:,.0f} MB/s) "
                    f"| {fetch_ms / bare_ms:.2f} | {peak / size:.2f} |"
                )
            print()
            print(f"| {OVERSIZE // MB} MB file, {LIMIT // MB} MB limit | refused after | bytes the host wrote |")
            print("|---|---|---|")
            for label, query in (("with Content-Length", ""), ("chunked, no length", "?chunked")):
                started = time.perf_counter()
                try:
                    await channel.fetch_media(Media(url=f"{base}/{OVERSIZE}{query}"), LIMIT, http)
                except MediaUnavailable:
                    refused_ms = (time.perf_counter() - started) * 1000
                await host.done.wait()
                print(f"| {label} | {refused_ms:.1f} ms | {host.written / MB:.1f} MB of {OVERSIZE // MB} MB |")
    finally:
        await server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    asyncio.run(_run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
