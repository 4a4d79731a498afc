"""A microbenchmark for issue 15: putting and reading a 1 MB and a 10 MB file in the disk media
store, against writing and reading the same bytes as a plain file in the same directory, in
the same run. Run on purpose:

    python -m bench.media_store [--rounds N]

GridFS is left out: over the in-process stand-in it would time mongomock and a wire thread,
not a MongoDB server.
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters.storage.media.disk import DiskMediaStore
from gateway.clock import SystemClock
from gateway.models import MediaKind

SIZES = {"1 MB": 1024 * 1024, "10 MB": 10 * 1024 * 1024}


def _plain_write(path: Path, data: bytes, durable: bool) -> None:
    with path.open("wb") as file:
        file.write(data)
        if durable:
            file.flush()
            os.fsync(file.fileno())


async def _median_ms(rounds: int, step: Callable[[int], Awaitable[object]]) -> float:
    timings = []
    for round_number in range(rounds):
        started = time.perf_counter()
        await step(round_number)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def _measure(directory: Path, size: int, rounds: int) -> dict[str, float]:
    payloads = [os.urandom(size) for _ in range(rounds)]
    plain = directory / "plain"
    plain.mkdir()
    media = await DiskMediaStore.open(directory / "media", SystemClock())
    try:
        figures = {
            "plain write": await _median_ms(
                rounds, lambda n: asyncio.to_thread(_plain_write, plain / str(n), payloads[n], False)
            ),
            "plain write + fsync": await _median_ms(
                rounds, lambda n: asyncio.to_thread(_plain_write, plain / f"{n}.synced", payloads[n], True)
            ),
        }
        stored = []

        async def put(n: int) -> None:
            stored.append(await media.put(payloads[n], content_type="video/mp4", kind=MediaKind.VIDEO))

        figures["store put"] = await _median_ms(rounds, put)
        figures["plain read"] = await _median_ms(rounds, lambda n: asyncio.to_thread((plain / str(n)).read_bytes))
        figures["store read"] = await _median_ms(rounds, lambda n: media.read(stored[n].id))

        async def streamed(n: int) -> None:
            async for _ in media.chunks(stored[n].id):
                pass

        figures["store chunks"] = await _median_ms(rounds, streamed)
        return figures
    finally:
        await media.close()


async def _run(rounds: int) -> None:
    print("| file | plain write | plain write + fsync | store put | put / write+fsync | plain read | store read "
          "| read / plain | store chunks | chunks / plain |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, size in SIZES.items():
        with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as directory:
            f = await _measure(Path(directory), size, rounds)
        print(
            f"| {label} | {f['plain write']:.1f} ms | {f['plain write + fsync']:.1f} ms | {f['store put']:.1f} ms "
            f"| {f['store put'] / f['plain write + fsync']:.2f} | {f['plain read']:.2f} ms | {f['store read']:.2f} ms "
            f"| {f['store read'] / f['plain read']:.2f} | {f['store chunks']:.2f} ms "
            f"| {f['store chunks'] / f['plain read']:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    asyncio.run(_run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
