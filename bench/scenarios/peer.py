"""Meta webhook ingest beside a peer, in one run on one machine and under the same wrk load:
pywa (bench/pywa_peer.py), which checks the signature and parses the message but stores
nothing, against the bare-aiohttp ceiling and the gateway, which also stores each message
durably and processes it."""

import importlib.metadata
import importlib.util
import subprocess
import sys
import tempfile
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
from bench.webhooks import meta_texts


def run(options) -> list[Row]:
    if importlib.util.find_spec("pywa") is None:
        return [Row("peer: pywa", "not run: pywa is in the bench extra (pip install -e '.[bench]')", "-", None)]
    with tempfile.TemporaryDirectory() as folder, ceiling() as ceiling_url, stand_in_provider() as provider_api:
        folder = Path(folder)
        replay = write_replay(folder / "replay", meta_texts(options.ingest_requests))
        bare = wrk(ceiling_url, replay, options.seconds, options.connections)
        port = free_port()
        peer = subprocess.Popen([sys.executable, "-m", "bench.pywa_peer", str(port)], cwd=REPO)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", peer)
            pywa = wrk(f"http://127.0.0.1:{port}", replay, options.seconds, options.connections)
        finally:
            stop(peer)
        with gateway(folder / "gateway", port, provider_api, options, "peer-meta-ingest"):
            ours = wrk(f"http://127.0.0.1:{port}", replay, options.seconds, options.connections)
    version = importlib.metadata.version("pywa")
    return [
        Row("peer run: ceiling", f"{bare['rps']:,.0f}/s, p99 {bare['p99']:.1f} ms", "-", None),
        _row(f"peer run: pywa {version} (FastAPI, uvicorn): verify, parse", pywa, bare),
        _row("peer run: wa-gateway: verify, parse, store, then process", ours, bare),
    ]


def _row(name: str, figures: dict[str, float], bare: dict[str, float]) -> Row:
    measured = f"{figures['rps']:,.0f}/s, p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
    return Row(name, measured + f"{figures['errors']:.0f} non-2xx", "-", None, f"{figures['rps'] / bare['rps']:.0%}")
