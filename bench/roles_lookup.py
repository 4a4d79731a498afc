"""A microbenchmark for issue 14, on SQLite in a temporary folder: what reading a contact's
staff roles costs each message (`roles_of` over STAFF_ROLES, the three reads gathered into one
batch of the store's thread) beside one contact-settings read the engine already makes, with
each role holding 0, 10 or 500 members. Run on purpose:

    python -m bench.roles_lookup [--messages N]
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.conversation.access import STAFF_ROLES, roles_of
from gateway.notifications.notifier import role_key


async def _timed(count: int, work) -> float:
    """Microseconds per call of `work(n)`, over `count` calls after a warm-up."""
    await work(0)
    started = time.perf_counter()
    for n in range(count):
        await work(n)
    return (time.perf_counter() - started) / count * 1e6


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = await SqliteStore.open(Path(folder) / "gateway.db", SystemClock())
        try:
            contacts = [f"+9198123{n % 100:05d}" for n in range(count)]
            for members in (0, 10, 500):
                for role in STAFF_ROLES:
                    await store.settings.set(role_key(role), [f"+1555{n:07d}" for n in range(members)])
                settings = await _timed(count, lambda n: store.settings.contact(contacts[n]))
                roles = await _timed(count, lambda n: roles_of(store, contacts[n], STAFF_ROLES))
                print(
                    f"{members:>3} members a role: roles_of {roles:.0f} us a message, "
                    f"contact-settings read {settings:.0f} us ({roles / settings:.1f}x; {count} messages)"
                )
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    asyncio.run(main(parser.parse_args().messages))
