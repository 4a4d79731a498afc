"""Meta webhook ingest and the flood beside a peer, in one run on one machine and under the
same wrk load: pywa (bench/pywa_peer.py), which checks the signature and parses the message but
stores nothing, against the bare-aiohttp ceiling and the gateway, which also stores each message
durably and processes it. In the flood (bench/scenarios/flood.py) pywa answers each greeting
with two texts as the gateway does, and both are measured by the replies the stand-in provider
received by the end of the flood + 2 s."""

import importlib.metadata
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.harness import (
    REPO,
    Row,
    ceiling,
    free_port,
    gateway,
    stand_in_provider,
    stop,
    wait_until_up,
    write_replay,
    wrk,
)
from bench.scenarios.flood import CONTACTS, Flood, flood
from bench.webhooks import meta_texts

FLOOD_TARGET = 3.0


def run(options) -> list[Row]:
    if importlib.util.find_spec("pywa") is None:
        return [Row("peer: pywa", "not run: pywa is in the bench extra (pip install -e '.[bench]')", "-", None)]
    return _ingest(options) + _flood(options)


def _ingest(options) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder, ceiling() as ceiling_url, stand_in_provider() as provider_api:
        folder = Path(folder)
        replay = write_replay(folder / "replay", meta_texts(options.ingest_requests))
        bare = wrk(ceiling_url, replay, options.seconds, options.connections)
        port = free_port()
        with pywa_peer(port):
            pywa = wrk(f"http://127.0.0.1:{port}", replay, options.seconds, options.connections)
        with gateway(folder / "gateway", port, provider_api, options, "peer-meta-ingest"):
            ours = wrk(f"http://127.0.0.1:{port}", replay, options.seconds, options.connections)
    version = importlib.metadata.version("pywa")
    return [
        Row("peer run: ceiling", f"{bare['rps']:,.0f}/s, p99 {bare['p99']:.1f} ms", "-", None),
        _row(f"peer run: pywa {version} (FastAPI, uvicorn): verify, parse", pywa, bare),
        _row("peer run: wa-gateway: verify, parse, store, then process", ours, bare),
    ]


def _flood(options) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        replay = write_replay(folder / "flood", meta_texts(options.ingest_requests, contacts=CONTACTS, text="hi"))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with stand_in_provider() as provider_api, pywa_peer(port, provider_api):
            pywa = flood(url, provider_api, replay, options)
        with stand_in_provider() as provider_api:
            with gateway(folder / "gateway", port, provider_api, options, "peer-flood"):
                ours = flood(url, provider_api, replay, options)
    times = ours.delivered / pywa.delivered
    return [
        Row("peer flood: pywa, two texts a greeting", _flood_figures(pywa), "-", None),
        Row(
            "peer flood: wa-gateway, greeting and menu",
            _flood_figures(ours) + f"; {times:.1f}× pywa",
            f"≥ {FLOOD_TARGET:g}× pywa",
            times >= FLOOD_TARGET and not ours.errors,
        ),
    ]


def _flood_figures(figures: Flood) -> str:
    return (
        f"{figures.delivered:,.0f} replies/s by the end + 2 s ({figures.acknowledged:,.0f} webhooks/s acknowledged, "
        f"{figures.errors:.0f} non-2xx)"
    )


@contextmanager
def pywa_peer(port: int, provider_api: str | None = None) -> Iterator[None]:
    """bench/pywa_peer.py on `port`, answering each message through `provider_api` when given."""
    replying = [provider_api] if provider_api else []
    peer = subprocess.Popen([sys.executable, "-m", "bench.pywa_peer", str(port), *replying], cwd=REPO)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", peer)
        yield
    finally:
        stop(peer)


def _row(name: str, figures: dict[str, float], bare: dict[str, float]) -> Row:
    measured = f"{figures['rps']:,.0f}/s, p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
    return Row(name, measured + f"{figures['errors']:.0f} non-2xx", "-", None, f"{figures['rps'] / bare['rps']:.0%}")
