"""What every scenario needs: processes on loopback (the gateway, a bare aiohttp ceiling, the
stand-in provider), wrk, and a description of the machine and commit for the report."""

import json
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.profiling import profiled

REPO = Path(__file__).resolve().parents[1]
META_SECRET = "bench-meta-secret"
TWILIO_TOKEN = "bench-twilio-token"
ADMIN_TOKEN = "bench-admin-token"
CEILING = """
import sys
from aiohttp import web
async def accept(request):
    await request.read()
    return web.Response(text="")
app = web.Application(client_max_size=1024 * 1024)
app.router.add_post("/{tail:.*}", accept)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


@dataclass
class Row:
    """One line of the report: what was measured against which target."""

    scenario: str
    measured: str
    target: str
    met: bool | None
    of_ceiling: str = "-"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited early with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not stopped within a minute (a backlog may be draining)."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def ceiling() -> Iterator[str]:
    """A bare aiohttp handler that reads the body and answers 200: the most any gateway
    handler could answer on this machine with this load generator."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", CEILING, str(port)])
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def stand_in_provider() -> Iterator[str]:
    """The stand-in provider API (bench/stand_in_provider.py) in its own process."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.stand_in_provider", str(port)], cwd=REPO)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/arrivals", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def fresh_store(store_url: str | None, folder: Path) -> str:
    """A store no earlier run has written to: a SQLite file in `folder`, or a new database on
    the MongoDB server `store_url` names."""
    if not store_url:
        return f"sqlite:///{folder}/bench.db"
    parts = urllib.parse.urlsplit(store_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/wa_gateway_bench_{secrets.token_hex(4)}"))


def gateway_environment(folder: Path, port: int, provider_api: str, store_url: str | None = None) -> dict[str, str]:
    """Meta (the default for notifications) and Twilio configured and pointed at
    `provider_api`; the rate limits lifted so the gateway, not the limiter, is measured. The
    gateway is imported from this checkout, not from wherever the package was installed from."""
    return os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "GATEWAY_DEFAULT_PROVIDER": "meta",
        "GATEWAY_PORT": str(port),
        "GATEWAY_STORE_URL": fresh_store(store_url, folder),
        "GATEWAY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_SIMULATOR": "false",
        "META_ACCESS_TOKEN": "t", "META_PHONE_NUMBER_ID": "1", "META_APP_SECRET": META_SECRET, "META_VERIFY_TOKEN": "v",
        "META_API_BASE": provider_api, "META_SEND_RATE": "100000",
        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_WHATSAPP_NUMBER": "+14155550100",
        "TWILIO_API_BASE": provider_api, "TWILIO_SEND_RATE": "100000",
    }  # fmt: skip


def start(command: str, environment: dict[str, str], folder: Path) -> subprocess.Popen:
    """`wa-gateway <command>` in `folder`; `serve` is waited for until it answers."""
    process = subprocess.Popen([sys.executable, "-m", "gateway", command], cwd=folder, env=environment)
    if command == "serve":
        wait_until_up(f"http://127.0.0.1:{environment['GATEWAY_PORT']}/healthz", process)
    return process


@dataclass(frozen=True)
class Deployment:
    """The processes a run starts: `serve`, doing everything or (`ingest_only`) webhooks and
    admin only, and `workers` more `wa-gateway worker` processes beside it."""

    workers: int = 0
    ingest_only: bool = False

    @property
    def label(self) -> str:
        serve = "serve (ingest only)" if self.ingest_only else "serve"
        return serve + (f" + {self.workers} worker{'s' if self.workers > 1 else ''}" if self.workers else "")

    @property
    def slug(self) -> str:
        """The label as a file name, for profiles."""
        return re.sub(r"[^a-z0-9]+", "-", self.label).strip("-")


@contextmanager
def gateway(
    folder: Path, port: int, provider_api: str, options, name: str, deployment: Deployment | None = None
) -> Iterator[subprocess.Popen]:
    """`wa-gateway serve` on `port`, with workers beside it as `deployment` says (by default
    `options.workers`, serve doing everything; the scale-out of DESIGN.md, here on one host);
    all stopped on leaving. With `options.profile`, serve is profiled under `name`."""
    deployment = deployment or Deployment(workers=options.workers)
    folder.mkdir(exist_ok=True)
    environment = gateway_environment(folder, port, provider_api, options.store_url)
    if deployment.ingest_only:
        environment["GATEWAY_ROLE"] = "ingest"
    serving = start("serve", environment, folder)
    workers = [start("worker", environment, folder) for _ in range(deployment.workers)]
    try:
        with profiled(serving, options.profile, name):
            yield serving
    finally:
        for process in [serving, *workers]:
            stop(process)


def wrk(url: str, replay: Path, seconds: float, connections: int) -> dict[str, float]:
    """Replay the signed requests in `replay` (bench/replay.lua) for `seconds`."""
    environment = os.environ | {"REPLAY_FILE": str(replay)}
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


def write_replay(path: Path, requests: list[tuple[str, dict[str, str], str]]) -> Path:
    """One request a line: path, TAB, headers as JSON, TAB, body (as replay.lua reads them)."""
    path.write_text("".join(f"{target}\t{json.dumps(headers)}\t{body}\n" for target, headers, body in requests))
    return path


def get(url: str, token: str | None = None) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.read()


def get_json(url: str, token: str | None = None) -> object:
    return json.loads(get(url, token))


def send_json(method: str, url: str, body: object, token: str = ADMIN_TOKEN) -> object:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.machine()}, Python {platform.python_version()}"


def commit() -> str:
    """The commit measured, marked `+changes` when files other than BENCHMARKS.md (which each
    run appends to) differ from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!BENCHMARKS.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def start_load(
    url: str, replay: Path, output: Path, *, rate: float | None = None, connections: int | None = None
) -> subprocess.Popen:
    """The load generator (bench/load.py) in its own process: at a fixed `rate`, or as fast as
    `connections` allow."""
    pace = ["--rate", str(rate)] if rate else ["--connections", str(connections)]
    return subprocess.Popen([sys.executable, "-m", "bench.load", url, str(replay), str(output), *pace], cwd=REPO)


def load(
    url: str, replay: Path, output: Path, *, rate: float | None = None, connections: int | None = None
) -> list[list[float]]:
    """Send every request in `replay` once and wait; per request [due, answered, status]."""
    return load_results(start_load(url, replay, output, rate=rate, connections=connections), output)


def load_results(generator: subprocess.Popen, output: Path) -> list[list[float]]:
    """Wait for a load generator; per request [due, answered, status]."""
    if generator.wait():
        raise SystemExit("the load generator failed")
    return json.loads(output.read_text())


def arrivals(provider_api: str, *, quiet_seconds: float = 5) -> list[list]:
    """Every send the stand-in provider accepted, [unix time, recipient], once none has
    arrived for `quiet_seconds` (the gateway has drained its queue)."""
    seen, last_change = -1, time.monotonic()
    while True:
        accepted = get_json(f"{provider_api}/arrivals")
        if len(accepted) != seen:
            seen, last_change = len(accepted), time.monotonic()
        elif time.monotonic() - last_change >= quiet_seconds:
            return accepted
        time.sleep(0.25)
