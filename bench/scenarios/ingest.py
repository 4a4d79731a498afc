"""Webhook ingest: signed Meta and Twilio text messages, verified, parsed, deduplicated,
stored and answered by `serve` as ingest only (conversations wait in the store for a worker, and
none runs); at full speed against the bare-aiohttp ceiling (wrk, closed loop), then at a fixed
1,000 per second for the answer's p99 (open loop). A fresh gateway for each."""

import tempfile
from pathlib import Path

from bench.harness import (
    Deployment,
    Row,
    ceiling,
    free_port,
    gateway,
    load,
    percentile,
    stand_in_provider,
    write_replay,
    wrk,
)
from bench.webhooks import meta_texts, twilio_texts

RATE_TARGET = 4_000
CEILING_SHARE_TARGET = 0.30
FIXED_RATE = 1_000
P99_TARGET_MS = 25
INGEST_ONLY = Deployment(ingest_only=True)


def run(options) -> list[Row]:
    rows = []
    with ceiling() as ceiling_url, stand_in_provider() as provider_api:
        for provider in ("meta", "twilio"):
            rows += _provider(provider, options, ceiling_url, provider_api)
    return rows


def _provider(provider: str, options, ceiling_url: str, provider_api: str) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        port = free_port()
        public_url = f"http://127.0.0.1:{port}"
        count = options.ingest_requests
        requests = meta_texts(count) if provider == "meta" else twilio_texts(count, public_url)
        replay = write_replay(folder / "replay", requests)
        bare = wrk(ceiling_url, replay, options.seconds, options.connections)
        with gateway(folder / "full", port, provider_api, options, f"{provider}-ingest", INGEST_ONLY):
            full = wrk(public_url, replay, options.seconds, options.connections)
        fixed = write_replay(folder / "fixed", requests[: FIXED_RATE * options.seconds])
        fixed_name = f"{provider}-ingest-fixed-rate"
        with gateway(folder / "fixed-rate", port, provider_api, options, fixed_name, INGEST_ONLY):
            answers = load(public_url, fixed, folder / "answers.json", rate=FIXED_RATE)
    share = full["rps"] / bare["rps"]
    latencies = [(answered - due) * 1000 for due, answered, status in answers]
    failures = sum(1 for *_, status in answers if status != 200)
    p99 = percentile(latencies, 0.99)
    return [
        Row(f"{provider} ingest, ceiling", f"{bare['rps']:,.0f}/s, p99 {bare['p99']:.1f} ms", "-", None),
        Row(
            f"{provider} ingest, full speed",
            f"{full['rps']:,.0f}/s, p50 {full['p50']:.1f} ms, p99 {full['p99']:.1f} ms, {full['errors']:.0f} non-2xx",
            f"≥ {RATE_TARGET:,}/s and ≥ {CEILING_SHARE_TARGET:.0%} of ceiling",
            full["rps"] >= RATE_TARGET and share >= CEILING_SHARE_TARGET and not full["errors"],
            f"{share:.0%}",
        ),
        Row(
            f"{provider} ingest at {FIXED_RATE:,}/s",
            f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {p99:.1f} ms, {failures} failed of {len(answers):,}",
            f"p99 < {P99_TARGET_MS} ms",
            p99 < P99_TARGET_MS and not failures,
        ),
    ]
