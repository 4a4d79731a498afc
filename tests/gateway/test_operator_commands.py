"""`wa-gateway send`, `templates` and `queue` on the configured store."""

import asyncio
import json
import os
import sys
from datetime import timedelta

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.cli import main
from gateway.clock import SystemClock
from gateway.models import OutboundMessage
from gateway.notifications.template_service import TemplateService
from plugins.billing.templates import TEMPLATES


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("GATEWAY_STORE_URL", "META_ACCESS_TOKEN", "TWILIO_ACCOUNT_SID", "MYOPERATOR_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "ops.db"
    monkeypatch.setenv("GATEWAY_STORE_URL", f"sqlite:///{path}")
    for name, value in META.items():
        monkeypatch.setenv(name, value)
    return path


META = {
    "META_ACCESS_TOKEN": "EAAG-token",
    "META_PHONE_NUMBER_ID": "106540352242922",
    "META_APP_SECRET": "meta-app-secret",
    "META_VERIFY_TOKEN": "verify-me",
}


def run(capsys, *arguments: str) -> tuple[int, str]:
    """The exit code, and what was printed: standard output, or the error on standard error."""
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out if code == 0 else captured.err


def refusal(capsys, *arguments: str) -> str:
    """A refused command's one line on standard error (exit 1, nothing on standard output)."""
    code, captured = main(list(arguments)), capsys.readouterr()
    assert (code, captured.out) == (1, "") and captured.err.count("\n") == 1, captured
    return captured.err.removeprefix("wa-gateway: ").rstrip()


def test_send_queues_a_message_and_queue_summarises(store_path, capsys):
    code, out = run(capsys, "send", "--to", "919812345678", "--text", "Plant closed Monday", "--force-queue")
    assert code == 0 and out.startswith("queued job ") and out.rstrip().endswith("for +919812345678")
    code, out = run(capsys, "queue", "--output", "json")
    assert json.loads(out)["queued"] == 1
    assert run(capsys, "queue")[1].splitlines()[:2] == ["STATE       JOBS", "queued      1"]


def test_send_refuses_a_bad_recipient_with_the_reason(store_path, capsys):
    assert "recipient: '12' is not an international phone number" in refusal(capsys, "send", "--to", "12", "--text", "hi")


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("--template", "nothing"), "not queued: template.name: no template nothing in en"),
        (("--text", "hi", "--provider", "twilio"), "not queued: provider: provider twilio is not configured"),
        (("--text", "hi"), "not queued: text: the contact has never written, outside WhatsApp's 24-hour window"),
    ],
)
def test_send_refuses_what_could_not_be_delivered_and_queues_nothing(store_path, capsys, arguments, says):
    said = refusal(capsys, "send", "--to", "+919812345678", *arguments)
    assert said.startswith(says), said
    assert json.loads(run(capsys, "queue", "--output", "json")[1])["queued"] == 0


def test_send_outside_the_window_says_how_and_queues_with_force_queue(store_path, capsys):
    assert "--force-queue" in refusal(capsys, "send", "--to", "+919812345678", "--text", "hi")
    assert run(capsys, "send", "--to", "+919812345678", "--text", "hi", "--force-queue")[0] == 0


def test_send_to_a_real_number_with_only_the_simulator_is_refused_and_a_simulated_one_queued(
    store_path, capsys, monkeypatch
):
    for name in META:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GATEWAY_SIMULATOR", "true")
    said = refusal(capsys, "send", "--to", "+919812345678", "--text", "hi", "--force-queue")
    assert said.startswith("not queued: recipient: no provider can reach +919812345678: only the simulator"), said
    assert "configure Twilio, Meta or MyOperator" in said
    assert run(capsys, "send", "--to", "sim:+919812345678", "--text", "hi")[0] == 0


def test_templates_save_show_versions_and_rollback(store_path, capsys, tmp_path):
    body = tmp_path / "welcome.j2"
    body.write_text("Welcome {{ customer_name }}")
    assert (
        run(capsys, "templates", "save", "welcome", "en", str(body), "--category", "billing")[1]
        == "saved welcome (en) as v1\n"
    )
    body.write_text("Welcome {{ customer_name")
    assert refusal(capsys, "templates", "save", "welcome", "en", str(body)).startswith("not saved: line 1:")
    body.write_text("Hello again {{ customer_name }}")
    run(capsys, "templates", "save", "welcome", "en", str(body))
    assert run(capsys, "templates", "rollback", "welcome", "en", "1")[1] == "welcome (en) is v1 again, as v3\n"
    code, out = run(capsys, "templates", "show", "welcome", "en")
    assert out.splitlines()[1] == "Welcome {{ customer_name }}"
    assert [line.split()[0] for line in run(capsys, "templates", "versions", "welcome", "en")[1].splitlines()] == [
        "VERSION",
        "3",
        "2",
        "1",
    ]
    assert run(capsys, "templates", "list")[1].splitlines()[1].split()[:4] == ["welcome", "en", "3", "billing"]
    listed = json.loads(run(capsys, "templates", "list", "--output", "json")[1])
    assert [(t["name"], t["version"]) for t in listed] == [("welcome", 3)]
    assert listed[0]["saved_at"].endswith("+00:00") and "T" in listed[0]["saved_at"]
    assert refusal(capsys, "templates", "rollback", "welcome", "en", "9")


def test_dead_letters_are_listed_and_retried(store_path, capsys):
    async def one_dead() -> str:
        store = await SqliteStore.open(store_path, SystemClock())
        job = await store.queue.enqueue(OutboundMessage(recipient="+919812345678", text="x"))
        await store.queue.claim("w", timedelta(minutes=1))
        await store.queue.fail(job.id, "w", "131026: undeliverable")
        await store.close()
        return job.id

    job_id = asyncio.run(one_dead())
    dead = run(capsys, "queue", "dead")[1].splitlines()
    assert dead[1].split()[:2] == [job_id, "+919812345678"] and dead[1].endswith("131026: undeliverable")
    assert json.loads(run(capsys, "queue", "dead", "--output", "json")[1])[0]["job"] == job_id
    assert run(capsys, "queue", "retry", job_id) == (0, f"job {job_id} queued again\n")
    assert refusal(capsys, "queue", "retry", job_id) == (
        f"job {job_id} is queued; only a dead or suppressed job can be retried"
    )


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("queue", "retry"), "`queue retry` needs the job to retry: its id, from `queue dead`"),
        (("queue", "retry", "nojob"), "no job nojob"),
        (("queue", "dead", "abc"), "`queue dead` takes no job; did you mean `queue retry abc`?"),
        (("templates", "versions", "nothing", "en"), "no template nothing in en"),
        (("templates", "preview", "nothing", "en"), "no template nothing in en"),
    ],
)
def test_refusals_are_one_line_on_standard_error(store_path, capsys, arguments, says):
    assert refusal(capsys, *arguments) == says


def test_templates_preview_renders_with_the_values_given(store_path, capsys, tmp_path):
    body = tmp_path / "due.j2"
    body.write_text("Pay {{ amount | money('INR') }} by {{ due | date }}")
    run(capsys, "templates", "save", "due", "en", str(body))
    code, out = run(capsys, "templates", "preview", "due", "en", "--param", "amount=1860", "--param", "due=2026-12-24")
    assert code == 0 and out.startswith("Pay ₹1,860") and "2026-12-24" not in out
    assert refusal(capsys, "templates", "preview", "due", "en", "--param", "amount=lots", "--param", "due=x") == (
        "due (en) v1 cannot render --param amount: the money filter needs a number, such as 1860 or 12.50"
    )


def test_templates_preview_fills_the_deployment_currency_as_the_api_and_the_worker_do(store_path, capsys, monkeypatch):
    asyncio.run(_stored(store_path, TEMPLATES))
    monkeypatch.setenv("GATEWAY_CURRENCY", "EUR")
    values = ("--param", "customer_name=Asha", "--param", "amount=1860", "--param", "period=2026-11")
    code, out = run(capsys, "templates", "preview", "payment_reminder", "en", *values, "--param", "due_date=2026-12-24")
    assert code == 0 and out.startswith("Hi Asha, your bill of €1,860.00 for November 2026 is due on ")
    assert refusal(capsys, "templates", "preview", "payment_reminder", "en", *values) == (
        "payment_reminder (en) v1 cannot render --param due_date: missing value: 'due_date' is undefined"
    )


async def _stored(store_path, templates: list[dict]) -> None:
    store = await SqliteStore.open(store_path, SystemClock())
    try:
        await TemplateService(store).load_defaults(templates)
    finally:
        await store.close()


def test_a_param_without_an_equals_sign_is_refused_before_anything_is_queued(store_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["send", "--to", "+919812345678", "--template", "due", "--param", "bad"])
    assert exited.value.code == 2 and "argument --param: 'bad' is not KEY=VALUE" in capsys.readouterr().err
    assert json.loads(run(capsys, "queue", "--output", "json")[1])["queued"] == 0


def test_an_unreachable_store_is_one_line_naming_it(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("GATEWAY_STORE_URL", f"sqlite:///{blocker / 'gateway.db'}")
    assert refusal(capsys, "queue").startswith("cannot reach the sqlite store: ")


def test_send_of_a_template_its_params_cannot_render_is_not_queued(store_path, capsys):
    asyncio.run(_stored(store_path, TEMPLATES))
    values = ("--param", "customer_name=Asha", "--param", "amount=1860", "--param", "period=2026-11")
    assert refusal(capsys, "send", "--to", "+919812345678", "--template", "payment_reminder", *values) == (
        "not queued: template.parameters.due_date: template payment_reminder (en) v1 cannot render: "
        "missing value: 'due_date' is undefined"
    )
    assert json.loads(run(capsys, "queue", "--output", "json")[1])["queued"] == 0


@pytest.mark.parametrize("command", [("queue",), ("templates", "list"), ("plugins",)])
def test_a_reader_that_stops_early_gets_no_error_message(store_path, capsys, monkeypatch, command):
    asyncio.run(_stored(store_path, TEMPLATES))
    reader, writer = os.pipe()
    os.close(reader)  # as `wa-gateway … | head -1` once head has its line
    with open(writer, "w") as closed:
        monkeypatch.setattr(sys, "stdout", closed)
        code = main(list(command))
    assert (code, capsys.readouterr().err) == (1, "")
