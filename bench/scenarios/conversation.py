"""Conversation steps: an inbound Meta message through session, engine and plugins to a reply
accepted by the stand-in provider. Throughput: every contact greets, then picks the first
menu entry, all sent as fast as 32 connections allow. Latency, at a fixed 500 steps a second
from each webhook's due time to its reply's arrival: greetings from new contacts, and
returning contacts moving through the menu."""

import tempfile
from collections import Counter
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
    return [_throughput(options), _first_contact_latency(options), _returning_contact_latency(options)]


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


def _first_contact_latency(options) -> Row:
    """Greetings from contacts never seen: a new contact and session, language detection, and
    two replies (the greeting and the menu), the heaviest step there is."""
    count = FIXED_RATE * options.seconds
    steps = [(number, "hi") for number in range(count)]
    return _latency(options, "first greetings", [], steps, replies_per_step=2)


def _returning_contact_latency(options) -> Row:
    """Contacts who greeted earlier (not measured) open the menu, then pick its first entry:
    one reply a step."""
    count = FIXED_RATE * options.seconds
    contacts = count // 2
    steps = [(number % contacts, "menu" if number < contacts else "1") for number in range(count)]
    warm_up = [(number, "hi") for number in range(contacts)]
    return _latency(options, "returning contacts", warm_up, steps, replies_per_step=1)


def _latency(
    options, who: str, warm_up: list[tuple[int, str]], steps: list[tuple[int, str]], replies_per_step: int
) -> Row:
    """Send `warm_up` and let it drain, then `steps` at a fixed rate; each step's latency runs
    from its due time to the arrival of the first of its replies."""
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        folder = Path(folder)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with gateway(folder, port, provider_api, options, f"conversation-latency-{who.replace(' ', '-')}"):
            if warm_up:
                warm = [meta_text(f"wamid.WARM{n}", contact, text) for n, (contact, text) in enumerate(warm_up)]
                load(url, write_replay(folder / "warm", warm), folder / "warm.json", connections=options.connections)
            before = len(arrivals(provider_api, quiet_seconds=1)) if warm_up else 0
            requests = [meta_text(f"wamid.STEP{n}", contact, text) for n, (contact, text) in enumerate(steps)]
            answers = load(url, write_replay(folder / "replay", requests), folder / "answers.json", rate=FIXED_RATE)
            replies = arrivals(provider_api)[before:]
    replies_by_contact: dict[str, list[float]] = {}
    for time, recipient in replies:
        replies_by_contact.setdefault(recipient, []).append(time)
    answered_steps: Counter = Counter()
    latencies = []
    for (contact, _), (due, _, _) in zip(steps, answers):
        number = sender(contact)
        position = answered_steps[number] * replies_per_step
        if position < len(replies_by_contact.get(number, [])):
            latencies.append((replies_by_contact[number][position] - due) * 1000)
            answered_steps[number] += 1
    unanswered = len(steps) - len(latencies)
    p99 = percentile(latencies, 0.99)
    return Row(
        f"conversation step at {FIXED_RATE}/s, {who}, webhook to provider",
        f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {p99:.1f} ms, {unanswered} unanswered of {len(steps):,}",
        f"p99 < {P99_TARGET_MS} ms",
        p99 < P99_TARGET_MS and not unanswered,
    )
