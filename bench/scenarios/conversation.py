"""Conversation steps: an inbound Meta message through session, engine and plugins to a reply
accepted by the stand-in provider. Throughput: every contact greets, then picks the first
menu entry, all sent as fast as 32 connections allow; latency: greetings from new contacts
at a fixed 500 per second, from each webhook's due time to its first reply's arrival."""

import tempfile
from pathlib import Path

from bench.harness import (
    Row,
    arrivals,
    ceiling,
    free_port,
    gateway,
    load,
    percentile,
    stand_in_provider,
    write_replay,
)
from bench.webhooks import meta_text, sender

STEPS_TARGET = 1_000
FIXED_RATE = 500
P99_TARGET_MS = 100


def run(options) -> list[Row]:
    return [_throughput(options), _latency(options)]


def _throughput(options) -> Row:
    contacts = options.steps // 2
    requests = [meta_text(f"wamid.GREET{number}", number, "hi") for number in range(contacts)]
    requests += [meta_text(f"wamid.PICK{number}", number, "1") for number in range(contacts)]
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api, ceiling() as ceiling_url:
        folder = Path(folder)
        replay = write_replay(folder / "replay", requests)
        bare = load(ceiling_url, replay, folder / "ceiling.json", connections=options.connections)
        port = free_port()
        with gateway(folder, port, provider_api, options, "conversation-throughput"):
            answers = load(f"http://127.0.0.1:{port}", replay, folder / "answers.json", connections=options.connections)
            replies = arrivals(provider_api)
    bare_rate = len(bare) / (max(answered for _, answered, _ in bare) - min(due for due, _, _ in bare))
    started = min(due for due, _, _ in answers)
    webhooks_done = max(answered for _, answered, _ in answers)
    finished = max(time for time, _ in replies)
    rate = len(requests) / (finished - started)
    failures = sum(1 for *_, status in answers if status != 200)
    return Row(
        "conversation steps, sustained",
        f"{rate:,.0f} steps/s: {len(requests):,} steps in {finished - started:.1f} s, {len(replies):,} replies, "
        f"{failures} failed (webhooks all answered in {webhooks_done - started:.1f} s; the same load on the "
        f"ceiling {bare_rate:,.0f}/s)",
        f"≥ {STEPS_TARGET:,} steps/s",
        rate >= STEPS_TARGET and not failures,
        f"{rate / bare_rate:.0%}",
    )


def _latency(options) -> Row:
    count = FIXED_RATE * options.seconds
    requests = [meta_text(f"wamid.NEW{number}", number, "hi") for number in range(count)]
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        folder = Path(folder)
        port = free_port()
        with gateway(folder, port, provider_api, options, "conversation-latency"):
            answers = load(f"http://127.0.0.1:{port}", write_replay(folder / "replay", requests), folder / "answers.json",
                           rate=FIXED_RATE)  # fmt: skip
            replies = arrivals(provider_api)
    first_reply: dict[str, float] = {}
    for time, recipient in replies:
        first_reply.setdefault(recipient, time)
    latencies = [
        (first_reply[sender(number)] - due) * 1000
        for number, (due, _, _) in enumerate(answers)
        if sender(number) in first_reply
    ]
    unanswered = count - len(latencies)
    p99 = percentile(latencies, 0.99)
    return Row(
        f"conversation step at {FIXED_RATE}/s, webhook to provider",
        f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {p99:.1f} ms, {unanswered} unanswered of {count:,}",
        f"p99 < {P99_TARGET_MS} ms",
        p99 < P99_TARGET_MS and not unanswered,
    )
