"""Webhook ingest against the HTTP ceiling: signed Meta and Twilio webhooks replayed by wrk
into `wa-gateway serve` (SQLite), and into a bare aiohttp handler that reads the body and
answers 200, on the same machine in the same run.

Run on purpose, never in the test suite:  python bench/ingest.py [--seconds 15]
Prints a table and appends it to BENCHMARKS.md with the date, commit, machine and command.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gateway.testing import meta_headers, twilio_headers  # noqa: E402

META_SECRET = "bench-meta-secret"
TWILIO_TOKEN = "bench-twilio-token"
CEILING = """
from aiohttp import web
async def accept(request):
    await request.read()
    return web.Response(text="")
app = web.Application(client_max_size=1024 * 1024)
app.router.add_post("/{tail:.*}", accept)
web.run_app(app, host="127.0.0.1", port=int(__import__("sys").argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def meta_requests(count: int) -> list[str]:
    lines = []
    for number in range(count):
        sender = f"9198{number % 50_000:08d}"
        message = {
            "from": sender,
            "id": f"wamid.BENCH{number}",
            "timestamp": "1767225600",
            "type": "text",
            "text": {"body": "ping"},
        }
        value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": "1"},
                 "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}], "messages": [message]}  # fmt: skip
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
            }
        )
        lines.append(f"/webhooks/meta\t{json.dumps(meta_headers(body.encode(), META_SECRET))}\t{body}")
    return lines


def twilio_requests(count: int, public_url: str) -> list[str]:
    lines = []
    for number in range(count):
        sender = f"+9198{number % 50_000:08d}"
        params = {"MessageSid": f"SMBENCH{number:028d}", "From": f"whatsapp:{sender}", "To": "whatsapp:+14155550100",
                  "Body": "ping", "MessageType": "text", "NumMedia": "0", "ProfileName": "Bench"}  # fmt: skip
        headers = twilio_headers(public_url + "/webhooks/twilio", params, TWILIO_TOKEN)
        lines.append(f"/webhooks/twilio\t{json.dumps(headers)}\t{urllib.parse.urlencode(params)}")
    return lines


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited early: {process.stderr.read() if process.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def wrk(url: str, replay: Path, seconds: int, connections: int) -> dict[str, float]:
    environment = os.environ | {"REPLAY_FILE": str(replay), "REPLAY_THREADS": "1"}
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(REPO / "bench" / "replay.lua"),
        url,
    ]
    output = subprocess.run(command, env=environment, capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "99"):
        value, unit = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output).groups()
        figures[f"p{percentile}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = float(errors.group(1)) if errors else 0.0
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=120_000, help="distinct signed requests per provider")
    arguments = parser.parse_args()
    ceiling_port = free_port()
    results = {}
    ceiling = subprocess.Popen([sys.executable, "-c", CEILING, str(ceiling_port)], stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{ceiling_port}/up", ceiling)
        for provider in ("meta", "twilio"):
            with tempfile.TemporaryDirectory() as folder:
                gateway_port = free_port()
                public_url = f"http://127.0.0.1:{gateway_port}"
                lines = (
                    meta_requests(arguments.requests)
                    if provider == "meta"
                    else twilio_requests(arguments.requests, public_url)
                )
                replay = Path(folder) / f"{provider}.replay"
                replay.write_text("\n".join(lines) + "\n")
                results[f"ceiling ({provider} requests)"] = wrk(
                    f"http://127.0.0.1:{ceiling_port}", replay, arguments.seconds, arguments.connections
                )
                gateway = start_gateway(folder, gateway_port, public_url, ceiling_port)
                try:
                    results[f"{provider} ingest"] = wrk(public_url, replay, arguments.seconds, arguments.connections)
                finally:
                    stop(gateway)
        report(arguments, results)
    finally:
        stop(ceiling)


def start_gateway(folder: str, port: int, public_url: str, provider_api_port: int) -> subprocess.Popen:
    """A fresh `wa-gateway serve` on its own SQLite file, both providers pointed at the ceiling
    server as their API (so replies cost what a fast provider would)."""
    environment = os.environ | {
        "GATEWAY_PORT": str(port),
        "GATEWAY_STORE_URL": f"sqlite:///{folder}/bench.db",
        "GATEWAY_PUBLIC_URL": public_url,
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_SIMULATOR": "false",
        "META_ACCESS_TOKEN": "t", "META_PHONE_NUMBER_ID": "1", "META_APP_SECRET": META_SECRET, "META_VERIFY_TOKEN": "v",
        "META_API_BASE": f"http://127.0.0.1:{provider_api_port}",
        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_WHATSAPP_NUMBER": "+14155550100",
        "TWILIO_API_BASE": f"http://127.0.0.1:{provider_api_port}",
    }  # fmt: skip
    gateway = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve"], cwd=folder, env=environment, stderr=subprocess.PIPE, text=True
    )
    wait_until_up(f"{public_url}/healthz", gateway)
    return gateway


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not stopped within a minute (a backlog may be draining)."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def report(arguments, results: dict[str, dict[str, float]]) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rows = []
    for name, figures in results.items():
        ceiling = results.get(f"ceiling ({name.split()[0]} requests)")
        ratio = f"{figures['rps'] / ceiling['rps']:.0%}" if ceiling and not name.startswith("ceiling") else "-"
        rows.append(
            f"| {name} | {figures['rps']:,.0f} | {ratio} | {figures['p50']:.1f} | {figures['p99']:.1f} | {figures['errors']:.0f} |"
        )
    table = "\n".join(
        [
            "### Webhook ingest against the HTTP ceiling (SQLite, one fresh serve process per provider)",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} cores, {memory:.0f} GiB; "
            f"`python bench/ingest.py --seconds {arguments.seconds} --connections {arguments.connections}` "
            f"(wrk, 1 thread, {arguments.connections} connections, closed loop, replaying distinct signed requests)",
            "",
            "| target | requests/s | of ceiling | p50 ms | p99 ms | non-2xx |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    print(table)
    with (REPO / "BENCHMARKS.md").open("a") as benchmarks:
        benchmarks.write(table + "\n")


if __name__ == "__main__":
    main()
