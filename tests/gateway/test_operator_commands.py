"""`wa-gateway send`, `templates` and `queue` on the configured store."""

import asyncio
import json
from datetime import timedelta

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.cli import main
from gateway.clock import SystemClock
from gateway.models import OutboundMessage


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("GATEWAY_STORE_URL", "META_ACCESS_TOKEN", "TWILIO_ACCOUNT_SID", "MYOPERATOR_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "ops.db"
    monkeypatch.setenv("GATEWAY_STORE_URL", f"sqlite:///{path}")
    return path


def run(capsys, *arguments: str) -> tuple[int, str]:
    code = main(list(arguments))
    return code, capsys.readouterr().out


def test_send_queues_a_message_and_queue_summarises(store_path, capsys):
    code, out = run(capsys, "send", "--to", "919812345678", "--text", "Plant closed Monday")
    assert code == 0 and out.startswith("queued job ") and out.rstrip().endswith("for +919812345678")
    code, out = run(capsys, "queue")
    assert json.loads(out)["queued"] == 1


def test_send_refuses_a_bad_recipient_with_the_reason(store_path, capsys):
    code, out = run(capsys, "send", "--to", "12", "--text", "hi")
    assert code == 1 and "recipient: '12' is not an international phone number" in out


def test_templates_save_show_versions_and_rollback(store_path, capsys, tmp_path):
    body = tmp_path / "welcome.j2"
    body.write_text("Welcome {{ customer_name }}")
    assert (
        run(capsys, "templates", "save", "welcome", "en", str(body), "--category", "billing")[1]
        == "saved welcome (en) as v1\n"
    )
    body.write_text("Welcome {{ customer_name")
    code, out = run(capsys, "templates", "save", "welcome", "en", str(body))
    assert code == 1 and "not saved: line 1:" in out
    body.write_text("Hello again {{ customer_name }}")
    run(capsys, "templates", "save", "welcome", "en", str(body))
    assert run(capsys, "templates", "rollback", "welcome", "en", "1")[1] == "welcome (en) is v1 again, as v3\n"
    code, out = run(capsys, "templates", "show", "welcome", "en")
    assert out.splitlines()[1] == "Welcome {{ customer_name }}"
    assert [line.split()[0] for line in run(capsys, "templates", "versions", "welcome", "en")[1].splitlines()] == [
        "v3",
        "v2",
        "v1",
    ]
    assert "welcome  en  v3  billing" in run(capsys, "templates", "list")[1]
    assert run(capsys, "templates", "rollback", "welcome", "en", "9")[0] == 1


def test_dead_letters_are_listed_and_retried(store_path, capsys):
    async def one_dead() -> str:
        store = await SqliteStore.open(store_path, SystemClock())
        job = await store.queue.enqueue(OutboundMessage(recipient="+919812345678", text="x"))
        await store.queue.claim("w", timedelta(minutes=1))
        await store.queue.fail(job.id, "w", "131026: undeliverable")
        await store.close()
        return job.id

    job_id = asyncio.run(one_dead())
    assert run(capsys, "queue", "dead")[1].startswith(f"{job_id}  +919812345678  131026: undeliverable")
    assert run(capsys, "queue", "retry", job_id) == (0, f"job {job_id} queued again\n")
    assert run(capsys, "queue", "retry", job_id)[0] == 1
