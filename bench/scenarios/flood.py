"""Flood: greetings ("hi") from 5,000 contacts, signed Meta webhooks sent as fast as wrk's
connections allow for the run length; the replies the stand-in provider received by the end of
the flood + 2 s, per second, beside the same figure for the same deployment under the same
greetings at a fixed rate: the most it delivered at any of a rising series of rates, stopping
at the first it fell behind. For `serve` alone and for `serve` (ingest only) + one `worker`,
each on a fresh store."""

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import (
    Deployment,
    Row,
    arrivals,
    free_port,
    gateway,
    get_json,
    load,
    stand_in_provider,
    write_replay,
    wrk,
)
from bench.webhooks import meta_text, meta_texts

CONTACTS = 5_000
AFTER_SECONDS = 2.0
SHARE_TARGET = 0.5
FIRST_FIXED_RATE = 100
RATE_STEP = 1.5
KEEPING_UP = 0.9
"""A fixed rate is kept up with when this share of its replies arrived within its window."""
DEPLOYMENTS = (Deployment(), Deployment(workers=1, ingest_only=True))


@dataclass
class Flood:
    """What one flood did: webhooks acknowledged, and replies a second delivered in its window
    and in as long again after it (the backlog draining)."""

    acknowledged: float
    delivered: float
    drain: float
    errors: float


def run(options) -> list[Row]:
    return [row for deployment in DEPLOYMENTS for row in _deployment(options, deployment)]


def flood(url: str, provider_api: str, replay: Path, options) -> Flood:
    """wrk on `url` for the run length; counts what the stand-in provider received by the end + 2 s,
    and in as long again after that."""
    started = time.time()
    figures = wrk(url, replay, options.seconds, options.connections)
    window_end = time.time() + AFTER_SECONDS
    drain_end = window_end + (window_end - started)
    time.sleep(drain_end - time.time())
    replies = [moment for moment, _ in get_json(f"{provider_api}/arrivals")]
    in_window = sum(1 for moment in replies if moment <= window_end)
    drained = sum(1 for moment in replies if window_end < moment <= drain_end)
    return Flood(
        acknowledged=figures["rps"],
        delivered=in_window / (window_end - started),
        drain=drained / (drain_end - window_end),
        errors=figures["errors"],
    )


def sustained(url: str, provider_api: str, folder: Path, seconds: int) -> tuple[float, float]:
    """Greetings at FIRST_FIXED_RATE a second, then RATE_STEP times more each time, until the
    replies fall behind; the most replies a second delivered and the greetings' rate then."""
    best, best_rate, rate, sent = 0.0, 0.0, float(FIRST_FIXED_RATE), 0
    while True:
        count = int(rate * seconds)
        requests = [meta_text(f"wamid.FIXED{sent + n}", (sent + n) % CONTACTS, "hi") for n in range(count)]
        sent += count
        before = len(get_json(f"{provider_api}/arrivals"))
        answers = load(url, write_replay(folder / "fixed", requests), folder / "fixed.json", rate=rate)
        window_end = answers[-1][0] + AFTER_SECONDS
        replies = arrivals(provider_api, quiet_seconds=3)[before:]
        in_window = sum(1 for moment, _ in replies if moment <= window_end)
        delivered = in_window / (window_end - answers[0][0])
        if delivered > best:
            best, best_rate = delivered, rate
        if in_window < KEEPING_UP * len(replies):
            return best, best_rate
        rate *= RATE_STEP


def _deployment(options, deployment: Deployment) -> list[Row]:
    name = deployment.label
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        replay = write_replay(folder / "flood", meta_texts(options.ingest_requests, contacts=CONTACTS, text="hi"))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with stand_in_provider() as provider_api:
            with gateway(folder / "flood-run", port, provider_api, options, f"flood-{deployment.slug}", deployment):
                flooded = flood(url, provider_api, replay, options)
        with stand_in_provider() as provider_api:
            with gateway(folder / "fixed-rate", port, provider_api, options, f"flood-fixed-{deployment.slug}", deployment):
                most, fixed_rate = sustained(url, provider_api, folder, options.seconds)
    share = flooded.delivered / most
    return [
        Row(
            f"flood, {name}: replies by its end + 2 s",
            f"{flooded.delivered:,.0f} replies/s ({flooded.acknowledged:,.0f} webhooks/s acknowledged, "
            f"{flooded.errors:.0f} non-2xx; then, as long again, the backlog drained at "
            f"{flooded.drain:,.0f} replies/s)",
            f"≥ {SHARE_TARGET:.0%} of the fixed-rate figure",
            share >= SHARE_TARGET and not flooded.errors,
            f"{share:.0%} of fixed rate",
        ),
        Row(
            f"flood, {name}: the same greetings at fixed rates",
            f"{most:,.0f} replies/s by the end + 2 s, the most at any rate (at {fixed_rate:,.0f} greetings/s)",
            "-",
            None,
        ),
    ]
