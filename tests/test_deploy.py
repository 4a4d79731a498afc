"""What deploy/ ships works with this gateway. The dashboard and alert rules never point at a
metric that does not exist: every metric their PromQL names has samples in /metrics after a
scripted session with a conversation, a notification, a retry, a dead letter, a bad signature,
a plugin error and a contact's photo. The systemd units run the right commands, hardened, and
give the gateway its shutdown grace before killing it."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from gateway import gauges
from gateway.app import create_app
from gateway.cli import SHUTDOWN_GRACE_SECONDS
from gateway.appkeys import CLOCK, INBOX, METRICS, STORE, WORKER
from gateway.hookspecs import hookimpl
from gateway.ports.records import JobState
from gateway.settings import Settings
from gateway.testing import SimulatedContact, meta_headers
from plugins.billing.plugin import BillingPlugin
from tests.gateway_fixtures import META_SECRET, eventually, meta_text

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
PROMETHEUS_BUILTINS = {"up"}
TOKEN = "ops-token"


def expressions() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    dashboard = json.loads((DEPLOY / "grafana" / "dashboard.json").read_text())
    alerts = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    panels = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return alerts + panels


def metric_names(expression: str) -> set[str]:
    return set(re.findall(r"\b(gateway_[a-z_]+|up)\b(?=\s*[{\[)\s])", expression + " "))


def test_every_alert_has_a_summary_and_a_runbook():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    for rule in (rule for group in rules["groups"] for rule in group["rules"]):
        assert rule["annotations"]["summary"] and rule["annotations"]["runbook"], rule["alert"]


class Clumsy:
    @hookimpl
    def handle_message(self, message, conversation):
        if message.text == "boom":
            raise RuntimeError("plugin bug")
        return None


async def scripted_session(aiohttp_client, provider_settings, clock, stand_ins) -> str:
    settings = provider_settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    client = await aiohttp_client(
        create_app(settings, clock=clock, plugins=[BillingPlugin(), Clumsy()], entry_points=False)
    )
    store = client.app[STORE]
    subscriber = SimulatedContact(client, "+15550001111", clock)
    await subscriber.send("menu")
    await subscriber.press("Billing")
    await subscriber.press("Pause deliveries")
    await subscriber.send("2026-01-20")
    await subscriber.send("boom")

    body = json.dumps(meta_text("wamid.IN-1", "ping")).encode()
    await client.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    await client.post("/webhooks/meta", data=body, headers=meta_headers(body, "wrong"))
    await client.app[INBOX].idle()  # the contact is now inside the 24-hour window, on Meta
    await stand_ins.meta.wait_for(1)  # the bot's answer to "ping" has gone out
    stand_ins.meta.then(503, {"error": {"code": 131016, "message": "unavailable"}})
    event = {"id": "evt-ops", "type": "payment.due", "recipients": ["+919812345678", "+14155550123"],
             "data": {"customer_name": "Asha", "amount": 1860, "period": "2025-12", "due_date": "2026-01-10"}}  # fmt: skip
    published = await client.post("/api/v1/events", json=event, headers={"Authorization": f"Bearer {TOKEN}"})
    assert published.status == 202, await published.text()
    # each recipient's reminder, then their bill: the first is inside the window, the second not;
    # whichever of the first's calls to Meta comes first meets the 503 and is retried
    jobs = (await published.json())["jobs"]
    reminders = [job for job in jobs if "template" in (await store.queue.get(job)).message]
    await eventually(lambda: any_retried(store, jobs))
    clock.advance(minutes=5)
    client.app[WORKER].wake()
    sent = await eventually(lambda: job_in(store, reminders[0], JobState.SENT))
    await eventually(lambda: job_in(store, reminders[1], JobState.DEAD))
    for state in ("delivered", "read"):
        report = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "statuses": [{"id": sent.provider_message_id, "status": state, "timestamp": "1767225700", "recipient_id": "919812345678"}]}}]}]}  # fmt: skip
        body = json.dumps(report).encode()
        await client.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    photo = meta_text("wamid.IN-2")  # Meta's media API (the stand-in) gives no URL: the file is unavailable
    message = photo["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message.update(type="image", image={"id": "1479537139650973", "mime_type": "image/jpeg"})
    body = json.dumps(photo).encode()
    await client.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    await client.app[INBOX].idle()
    await gauges.refresh(store, client.app[METRICS], client.app[CLOCK])
    return await (await client.get("/metrics")).text()


async def any_retried(store, job_ids):
    jobs = [await store.queue.get(job_id) for job_id in job_ids]
    return any(job.attempts >= 1 and job.state is JobState.QUEUED for job in jobs)


async def job_in(store, job_id, state):
    job = await store.queue.get(job_id)
    return job if job.state is state else None


async def test_every_metric_the_dashboard_and_alerts_use_exists(aiohttp_client, provider_settings, clock, stand_ins):
    exposition = await scripted_session(aiohttp_client, provider_settings, clock, stand_ins)
    sampled = {
        line.split("{")[0].split(" ")[0] for line in exposition.splitlines() if line and not line.startswith("#")
    }
    wanted = set().union(*map(metric_names, expressions())) - PROMETHEUS_BUILTINS
    assert len(wanted) >= 15
    assert not wanted - sampled, f"referenced but never exposed: {sorted(wanted - sampled)}"


@pytest.mark.parametrize(
    "name",
    [
        "gateway_retries_total",
        "gateway_dead_letters_total",
        "gateway_flows_total",
        "gateway_delivery_reports_total",
        "gateway_media_fetches_total",
    ],
)
async def test_the_scripted_session_moves_the_metric(aiohttp_client, provider_settings, clock, stand_ins, name):
    exposition = await scripted_session(aiohttp_client, provider_settings, clock, stand_ins)
    values = [float(line.rsplit(" ", 1)[1]) for line in exposition.splitlines() if line.startswith(name + "{")]
    assert values and sum(values) >= 1


# systemd units: what an operator installs from deploy/systemd/.

SYSTEMD = DEPLOY / "systemd"
UNITS = {"wa-gateway.service": "serve", "wa-gateway-worker@.service": "worker"}


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections, each key with every value it is given (systemd keys repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = sections.setdefault("", {})
    for line in (SYSTEMD / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current.setdefault(key, []).append(value)
    return sections


def seconds(value: str) -> float:
    return sum(float(n) * {"min": 60, "s": 1, "": 1}[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)\s*(min|s|)", value))


@pytest.mark.parametrize(("name", "command"), UNITS.items())
def test_each_unit_runs_its_command_restarted_on_failure_and_stopped_after_the_shutdown_grace(name, command):
    service = unit(name)["Service"]
    [start] = service["ExecStart"]
    assert start.split()[-1] == command and start.split()[0].endswith("/bin/wa-gateway")
    assert service["Restart"] == ["on-failure"] and service["KillSignal"] == ["SIGTERM"]
    assert seconds(service["TimeoutStopSec"][0]) > SHUTDOWN_GRACE_SECONDS + 10, "SIGKILL before the grace ends"
    assert service["EnvironmentFile"] == ["/etc/wa-gateway/gateway.env"]
    assert service["User"] == ["wa-gateway"]


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_is_hardened_and_may_write_only_where_the_default_store_lives(name):
    service = unit(name)["Service"]
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices", "ProtectKernelTunables"):
        assert service[option] == ["yes"], option
    assert service["ProtectSystem"] == ["strict"] and service["CapabilityBoundingSet"] == [""]
    default_store = Path(Settings.model_fields["store_url"].default.removeprefix("sqlite:///"))
    assert service["ReadWritePaths"] == [str(Path(service["WorkingDirectory"][0]) / default_store.parent)]
    assert service["ReadWritePaths"][0].endswith("/var")


def test_workers_are_a_template_so_several_run_on_one_host():
    assert unit("wa-gateway-worker@.service")["Unit"]["Description"][0].endswith("%i")
    assert "wa-gateway.service" in unit("wa-gateway-worker@.service")["Unit"]["After"][0]


def test_the_environment_file_example_is_a_valid_configuration_of_known_variables(monkeypatch):
    example = SYSTEMD / "gateway.env.example"
    names = {line.split("=", 1)[0] for line in example.read_text().splitlines() if line and not line.startswith("#")}
    known = {field.validation_alias.choices[0] for field in Settings.model_fields.values()}
    assert names <= known, names - known
    for name in os.environ:
        if name.startswith("GATEWAY_"):
            monkeypatch.delenv(name)
    settings = Settings(_env_file=example)
    assert settings.admin_token is not None and not settings.simulator and settings.public_url.scheme == "https"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    """Run on copies whose ExecStart is this environment's wa-gateway, since verify checks it exists."""
    executable = Path(sys.executable).with_name("wa-gateway")
    for name in UNITS:
        text = (SYSTEMD / name).read_text().replace("/opt/wa-gateway/.venv/bin/wa-gateway", str(executable))
        (tmp_path / name).write_text(text)
    verify = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")
