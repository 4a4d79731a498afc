"""Conversation steps: an inbound Meta message through session, engine and plugins to a reply
accepted by the stand-in provider. Throughput, for `serve` alone and for `serve` (ingest only)
+ one `worker` in the same run: every contact greets, then picks the first menu entry, all sent
as fast as 32 connections allow. Latency of the second deployment, at a fixed rate of half the
steps a second it sustained, from each webhook's due time to its reply's arrival: greetings
from new contacts, and returning contacts moving through the menu."""

import tempfile
from collections import Counter
from pathlib import Path

from bench.harness import (
    Deployment,
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

SERVE = Deployment()
ROLES = Deployment(workers=1, ingest_only=True)
SPEED_UP_TARGET = 1.4
CEILING_SHARE_TARGET = 0.10
P99_TARGET_MS = 100
REPLIES_PER_CONTACT = 3
"""A greeting answers with the greeting and the menu, the pick of the first entry with one reply."""


def run(options) -> list[Row]:
    requests = _greet_then_pick(options.steps // 2)
    bare_rate = _ceiling_rate(options, requests)
    alone, alone_row = _throughput(options, SERVE, requests, bare_rate)
    roles, roles_row = _throughput(options, ROLES, requests, bare_rate)
    speed_up = roles / alone
    roles_row.measured += f"; {speed_up:.2f}× serve alone"
    roles_row.target = f"≥ {SPEED_UP_TARGET}× serve alone and ≥ {CEILING_SHARE_TARGET:.0%} of ceiling"
    roles_row.met = roles_row.met and speed_up >= SPEED_UP_TARGET and roles / bare_rate >= CEILING_SHARE_TARGET
    rate = roles / 2
    return [
        alone_row,
        roles_row,
        _first_contact_latency(options, ROLES, rate),
        _returning_contact_latency(options, ROLES, rate),
    ]


def throughput(options, deployment: Deployment) -> tuple[float, Row]:
    """Steps a second a deployment sustains on the greet-then-pick load, with its row."""
    requests = _greet_then_pick(options.steps // 2)
    return _throughput(options, deployment, requests, _ceiling_rate(options, requests))


def _ceiling_rate(options, requests: list) -> float:
    """The same load, as fast as the same connections send it, on the bare-aiohttp ceiling."""
    with tempfile.TemporaryDirectory() as folder, ceiling() as ceiling_url:
        folder = Path(folder)
        replay = write_replay(folder / "replay", requests)
        bare = load(ceiling_url, replay, folder / "ceiling.json", connections=options.connections)
    return len(bare) / (max(answered for _, answered, _ in bare) - min(due for due, _, _ in bare))


def _greet_then_pick(contacts: int) -> list:
    requests = [meta_text(f"wamid.GREET{number}", number, "hi") for number in range(contacts)]
    return requests + [meta_text(f"wamid.PICK{number}", number, "1") for number in range(contacts)]


def _throughput(options, deployment: Deployment, requests: list, bare_rate: float) -> tuple[float, Row]:
    """Steps a second from the first webhook to the last reply, and the row that says so (the
    row is met when no webhook failed and no reply was sent twice)."""
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        folder = Path(folder)
        replay = write_replay(folder / "replay", requests)
        port = free_port()
        with gateway(folder, port, provider_api, options, f"conversation-throughput-{deployment.slug}", deployment):
            answers = load(f"http://127.0.0.1:{port}", replay, folder / "answers.json", connections=options.connections)
            replies = arrivals(provider_api)
    started = min(due for due, _, _ in answers)
    webhooks_done = max(answered for _, answered, _ in answers)
    finished = max(time for time, _ in replies)
    rate = len(requests) / (finished - started)
    failures = sum(1 for *_, status in answers if status != 200)
    twice = sum(1 for count in Counter(recipient for _, recipient in replies).values() if count > REPLIES_PER_CONTACT)
    return rate, Row(
        f"conversation steps, sustained, {deployment.label}",
        f"{rate:,.0f} steps/s: {len(requests):,} steps in {finished - started:.1f} s, {len(replies):,} replies, "
        f"{failures} failed, {twice} contacts answered twice (webhooks all answered in "
        f"{webhooks_done - started:.1f} s; the same load on the ceiling {bare_rate:,.0f}/s)",
        "none failed, none twice",
        not failures and not twice,
        f"{rate / bare_rate:.0%}",
    )


def _first_contact_latency(options, deployment: Deployment, rate: float) -> Row:
    """Greetings from contacts never seen: a new contact and session, language detection, and
    two replies (the greeting and the menu), the heaviest step there is."""
    count = int(rate * options.seconds)
    steps = [(number, "hi") for number in range(count)]
    return _latency(options, deployment, rate, "first greetings", [], steps, replies_per_step=2)


def _returning_contact_latency(options, deployment: Deployment, rate: float) -> Row:
    """Contacts who greeted earlier (not measured) open the menu, then pick its first entry:
    one reply a step."""
    count = int(rate * options.seconds)
    contacts = count // 2
    steps = [(number % contacts, "menu" if number < contacts else "1") for number in range(count)]
    warm_up = [(number, "hi") for number in range(contacts)]
    return _latency(options, deployment, rate, "returning contacts", warm_up, steps, replies_per_step=1)


def _latency(
    options,
    deployment: Deployment,
    rate: float,
    who: str,
    warm_up: list[tuple[int, str]],
    steps: list[tuple[int, str]],
    replies_per_step: int,
) -> Row:
    """Send `warm_up` and let it drain, then `steps` at a fixed rate; each step's latency runs
    from its due time to the arrival of the first of its replies."""
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        folder = Path(folder)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with gateway(folder, port, provider_api, options, f"conversation-latency-{who.replace(' ', '-')}", deployment):
            if warm_up:
                warm = [meta_text(f"wamid.WARM{n}", contact, text) for n, (contact, text) in enumerate(warm_up)]
                load(url, write_replay(folder / "warm", warm), folder / "warm.json", connections=options.connections)
            before = len(arrivals(provider_api, quiet_seconds=1)) if warm_up else 0
            requests = [meta_text(f"wamid.STEP{n}", contact, text) for n, (contact, text) in enumerate(steps)]
            answers = load(url, write_replay(folder / "replay", requests), folder / "answers.json", rate=rate)
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
        f"conversation step at {rate:,.0f}/s (half the sustained), {deployment.label}, {who}, webhook to provider",
        f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {p99:.1f} ms, {unanswered} unanswered of {len(steps):,}",
        f"p99 < {P99_TARGET_MS} ms",
        p99 < P99_TARGET_MS and not unanswered,
    )
