"""Run in a child process by test_disk_processes: put the same messages' files as the other."""

import asyncio
from pathlib import Path

from adapters.storage.media.disk import DiskMediaStore
from gateway.clock import SystemClock
from gateway.models import MediaKind


def put_all(directory: str, name: str, messages: int, start) -> list[str]:
    """Put a file for each message (bytes of this process's own) once both processes are
    ready; return the ids the store answered."""

    async def run() -> list[str]:
        media = await DiskMediaStore.open(Path(directory), SystemClock())
        try:
            start.wait()
            return [
                (
                    await media.put(
                        f"{name} {n}".encode() * 5000,
                        content_type="image/png",
                        kind=MediaKind.IMAGE,
                        message_id=f"m{n}",
                    )
                ).id
                for n in range(messages)
            ]
        finally:
            await media.close()

    return asyncio.run(run())
