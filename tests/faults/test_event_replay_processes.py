"""One business event posted 20 times at once, split between two real `wa-gateway serve`
processes on one SQLite file, as a business system's retries behind a load balancer land:
one set of jobs, plugins told once; a replay that changes the event is a 409."""

import asyncio

import aiohttp
import pytest

from tests.faults.probe_plugin import install_probe, notes_in
from tests.faults.send_workers import job_states, start_gateway
from tests.faults.test_kill_turns import free_port, healthy

pytestmark = pytest.mark.slow

TOKEN = "admin-secret-token"
EVENT = {
    "id": "erp-8812",
    "type": "payment.due",
    "data": {"customer_name": "Asha", "amount": 1860, "period": "2025-12", "due_date": "2026-01-10"},
    "recipients": ["+15550001111", "+919812345678"],
}


async def test_twenty_posts_of_one_event_on_two_processes_queue_one_set_of_jobs_and_tell_plugins_once(tmp_path):
    probe = install_probe(tmp_path)
    database = tmp_path / "gateway.db"
    ports = list({free_port(), free_port(), free_port()})[:2]
    processes = [
        start_gateway(
            "serve",
            database,
            "http://127.0.0.1:9",
            tmp_path / f"serve-{port}.log",
            GATEWAY_PORT=str(port),
            GATEWAY_ADMIN_TOKEN=TOKEN,
            **probe,
        )
        for port in ports
    ]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            for port, process in zip(ports, processes):
                await healthy(session, f"http://127.0.0.1:{port}", process)

            async def post(port: int, event: dict) -> tuple[int, dict]:
                url = f"http://127.0.0.1:{port}/api/v1/events"
                async with session.post(url, json=event, headers=headers) as answer:
                    return answer.status, await answer.json()

            answers = await asyncio.gather(*(post(ports[n % 2], EVENT) for n in range(20)))
            changed = EVENT | {"data": EVENT["data"] | {"amount": 1900}}
            conflict_status, conflict = await post(ports[1], changed)
    finally:
        for process in processes:
            process.terminate()
            process.wait()

    assert [status for status, _ in answers] == [202] * 20
    assert [body["replay"] for _, body in answers].count(False) == 1
    # a reminder and its bill for each of the two recipients, once in the whole store
    assert len({tuple(body["jobs"]) for _, body in answers}) == 1 and len(answers[0][1]["jobs"]) == 4
    assert sum(job_states(database).values()) == 4, "one reminder and one bill per recipient in the whole store"
    assert [what for _, _, what in notes_in(probe["PROBE_EVENTS"])] == ["erp-8812"], "on_event once, on one process"
    assert conflict_status == 409 and [field["path"] for field in conflict["error"]["fields"]] == ["data"]
