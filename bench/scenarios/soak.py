"""Soak: conversation steps at a fixed 300 per second for ten minutes (contacts greet, pick
a menu entry and come back), sampling the gateway's resident memory every 10 seconds. After a
one-minute warm-up, memory may grow by less than 10 %, nothing may fail, and the webhooks'
p99 must hold: no later minute above twice the second minute's."""

import tempfile
import time
from pathlib import Path

from bench.harness import (
    Row,
    arrivals,
    free_port,
    gateway,
    load_results,
    percentile,
    rss_mib,
    stand_in_provider,
    start_load,
    write_replay,
)
from bench.webhooks import meta_text

GROWTH_TARGET = 0.10
WARM_UP_SECONDS = 60
CONTACTS = 20_000
TEXTS = ("hi", "1", "menu", "2", "hi", "3")


def run(options) -> list[Row]:
    count = int(options.soak_rate * options.soak_minutes * 60)
    requests = [
        meta_text(f"wamid.SOAK{number}", number % CONTACTS, TEXTS[number // CONTACTS % len(TEXTS)])
        for number in range(count)
    ]
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        folder = Path(folder)
        port = free_port()
        with gateway(folder, port, provider_api, options, "soak") as serving:
            generator = start_load(f"http://127.0.0.1:{port}", write_replay(folder / "replay", requests), folder / "answers.json",
                                   rate=options.soak_rate)  # fmt: skip
            started, memory = time.time(), []
            while generator.poll() is None:
                memory.append((time.time() - started, rss_mib(serving.pid)))
                time.sleep(10)
            answers = load_results(generator, folder / "answers.json")
            replies = arrivals(provider_api)
    warm = [mib for moment, mib in memory if moment >= WARM_UP_SECONDS]
    growth = (warm[-1] - warm[0]) / warm[0]
    failures = sum(1 for *_, status in answers if status != 200)
    by_minute: dict[int, list[float]] = {}
    for due, answered, _ in answers:
        by_minute.setdefault(int(due - answers[0][0]) // 60, []).append((answered - due) * 1000)
    p99s = [percentile(latencies, 0.99) for _, latencies in sorted(by_minute.items())]
    stable = max(p99s[1:]) <= 2 * max(p99s[1], 1.0)
    return [
        Row(
            f"soak, {options.soak_minutes:g} min at {options.soak_rate}/s",
            f"RSS {warm[0]:.0f} → {warm[-1]:.0f} MiB after warm-up ({growth:+.1%}); {failures} failed of {count:,}; "
            f"webhook p99 by minute {', '.join(f'{p99:.0f}' for p99 in p99s)} ms; {len(replies):,} replies",
            "RSS growth < 10 %; no errors; p99 stable",
            growth < GROWTH_TARGET and not failures and stable,
        )
    ]
