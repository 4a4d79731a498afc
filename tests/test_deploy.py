"""The dashboard and alert rules can never point at a metric that does not exist: every
metric their PromQL names has samples in /metrics after a scripted session with a
conversation, a notification, a retry, a dead letter, a bad signature, a plugin error and a
contact's photo."""

import json
import re
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from gateway import gauges
from gateway.app import create_app
from gateway.appkeys import CLOCK, INBOX, METRICS, STORE, WORKER
from gateway.hookspecs import hookimpl
from gateway.ports.records import JobState
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
             "data": {"customer_name": "Asha", "amount": 1860, "period": "December", "due_date": "2026-01-10"}}  # fmt: skip
    published = await client.post("/api/v1/events", json=event, headers={"Authorization": f"Bearer {TOKEN}"})
    assert published.status == 202, await published.text()
    jobs = (await published.json())["jobs"]
    await eventually(lambda: job_retried(store, jobs[0]))
    clock.advance(minutes=5)
    client.app[WORKER].wake()
    sent = await eventually(lambda: job_in(store, jobs[0], JobState.SENT))
    await eventually(lambda: job_in(store, jobs[1], JobState.DEAD))
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


async def job_retried(store, job_id):
    job = await store.queue.get(job_id)
    return job if job.attempts >= 1 and job.state is JobState.QUEUED else None


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
