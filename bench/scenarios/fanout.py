"""Notification fan-out: one `delivery.delayed` event to 10,000 recipients, through the
approved-template mapping (none of them wrote in the last 24 hours), every send accepted by
the stand-in provider, with the rate limits lifted."""

import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.harness import ADMIN_TOKEN, Row, arrivals, free_port, gateway, get_json, send_json, stand_in_provider
from bench.webhooks import sender

SENDS_TARGET = 2_000


def run(options) -> list[Row]:
    recipients = [f"+{sender(number)}" for number in range(options.recipients)]
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        port = free_port()
        api = f"http://127.0.0.1:{port}/api/v1"
        with gateway(Path(folder), port, provider_api, options, "fanout"):
            template = get_json(f"{api}/templates/delivery_delayed/en", ADMIN_TOKEN)
            approved = {"meta": {"name": "delivery_delayed", "language": "en", "parameters": ["customer_name", "eta"]}}
            send_json(
                "PUT", f"{api}/templates/delivery_delayed/en", {"body": template["body"], "provider_template": approved}
            )
            posted = time.time()
            event = {"id": "bench-fanout", "type": "delivery.delayed", "recipients": recipients,
                     "data": {"customer_name": "Asha", "eta": "2026-12-01"}}  # fmt: skip
            send_json("POST", f"{api}/events", event)
            queued = time.time()
            sends = arrivals(provider_api)
    per_recipient = Counter(recipient for _, recipient in sends)
    twice = sum(1 for count in per_recipient.values() if count > 1)
    first, last = min(moment for moment, _ in sends), max(moment for moment, _ in sends)
    rate = len(sends) / (last - posted)
    exact = len(sends) == len(recipients) and not twice and set(per_recipient) == {r[1:] for r in recipients}
    return [
        Row(
            f"fan-out, one event to {len(recipients):,}",
            f"{rate:,.0f} sends/s: {len(sends):,} sends ({twice} recipients twice) in {last - posted:.1f} s "
            f"from the POST, which answered in {queued - posted:.1f} s ({len(sends) / (last - first):,.0f}/s "
            "from the first send to the last)",
            f"≥ {SENDS_TARGET:,} sends/s; exactly {len(recipients):,}, none twice",
            rate >= SENDS_TARGET and exact,
        )
    ]
