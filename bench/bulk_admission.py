"""A microbenchmark of the door's checks on a bulk template send, in a temporary folder: the same
billing reminder admitted for N simulated contacts, rendered once for the whole send (as
`POST /api/v1/messages/bulk` does) against rendered for each recipient (as N single sends are).
Run on purpose:

    python -m bench.bulk_admission [--recipients N]
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.models import OutboundMessage, Provider
from gateway.notifications.template_service import TemplateService
from gateway.outbound.admission import admit
from plugins.billing.templates import TEMPLATES

REMINDER = {"customer_name": "Asha", "amount": 1860, "period": "2026-11", "due_date": "2026-12-24"}


async def seconds(recipients: int) -> tuple[float, float]:
    """Seconds to admit the send to every recipient: rendering once for all, and once each."""
    with tempfile.TemporaryDirectory() as folder:
        store = await SqliteStore.open(Path(folder) / "gateway.db", SystemClock())
        try:
            await TemplateService(store).load_defaults(TEMPLATES)
            template = {"name": "payment_reminder", "parameters": REMINDER}
            messages = [
                OutboundMessage.model_validate({"recipient": f"sim:+1555{n:07d}", "template": template})
                for n in range(recipients)
            ]
            await admit(messages[0], store, [Provider.SIMULATOR], SystemClock())
            taken = []
            for shared in (True, False):
                rendered: set = set()
                started = time.perf_counter()
                for message in messages:
                    await admit(
                        message, store, [Provider.SIMULATOR], SystemClock(), rendered=rendered if shared else None
                    )
                taken.append(time.perf_counter() - started)
            return taken[0], taken[1]
        finally:
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    arguments = parser.parse_args()
    once, each = asyncio.run(seconds(arguments.recipients))
    print(f"{arguments.recipients} recipients: rendered once {once:.2f} s, rendered each {each:.2f} s ({each / once:.1f}x)")


if __name__ == "__main__":
    main()
