"""How many store operations one conversation step costs, webhook to sent reply, read from the
gateway's own `gateway_store_operation_duration_seconds` counts: the figure behind ingest and
step throughput on the one SQLite connection."""

import tempfile
from pathlib import Path

from bench.harness import Row, arrivals, free_port, gateway, get, load, stand_in_provider, write_replay
from bench.webhooks import meta_text

STEPS = 200


def run(options) -> list[Row]:
    requests = [meta_text(f"wamid.OPS{number}", number, "hi") for number in range(STEPS)]
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        folder = Path(folder)
        port = free_port()
        with gateway(folder, port, provider_api, options, "store-ops"):
            load(
                f"http://127.0.0.1:{port}",
                write_replay(folder / "replay", requests),
                folder / "answers.json",
                connections=4,
            )
            arrivals(provider_api, quiet_seconds=2)
            metrics = get(f"http://127.0.0.1:{port}/metrics").decode()
    counts = {}
    for line in metrics.splitlines():
        if line.startswith("gateway_store_operation_duration_seconds_count{"):
            labels, value = line.rsplit(" ", 1)
            counts[labels.split('operation="')[1].split('"')[0]] = float(value)
    top = ", ".join(
        f"{name} {count / STEPS:.1f}" for name, count in sorted(counts.items(), key=lambda item: -item[1])[:6]
    )
    return [Row("store operations per step", f"{sum(counts.values()) / STEPS:.1f} ({top})", "-", None)]
