"""A provider outage against a real `wa-gateway worker` process: Meta answers 500, then hangs
for longer than the circuit's cool-down, then recovers. Every message is delivered, none is
dead, and the jobs that bounced off the open circuit spent no attempt doing so."""

import asyncio
import subprocess

import pytest

from tests.faults.send_workers import attempts, enqueue, job_states, start_worker, until
from tests.stand_in_provider import Answer, StandInProvider

pytestmark = pytest.mark.slow

MESSAGES = 50
COOL_DOWN_SECONDS = 2
DOWN_SECONDS = 5
HANGING_SECONDS = 20
"""Past the gateway's 15 s provider timeout, so a trial times out while the provider hangs."""

ACCEPTED = Answer(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.BACK"}]})
UNAVAILABLE = Answer(500, {"error": {"message": "Service temporarily unavailable", "code": 131016}})


async def test_every_message_is_delivered_after_an_outage_longer_than_the_cool_down(tmp_path, aiohttp_server):
    meta = await StandInProvider(UNAVAILABLE).start(aiohttp_server)
    database = tmp_path / "gateway.db"
    texts = [f"notice {n}" for n in range(MESSAGES)]
    await enqueue(database, texts)
    worker = start_worker(
        database,
        meta.base,
        tmp_path / "worker.log",
        GATEWAY_CIRCUIT_COOLDOWN_SECONDS=str(COOL_DOWN_SECONDS),
    )
    try:
        await until(lambda: len(meta.requests) >= 5, 30, worker)
        await asyncio.sleep(DOWN_SECONDS)  # real time: the worker's circuit runs on its own clock
        meta.answering.clear()
        before_hanging = len(meta.requests)
        await asyncio.sleep(HANGING_SECONDS)
        trials_while_hanging = len(meta.requests) - before_hanging
        meta.default = ACCEPTED
        meta.answering.set()
        await until(lambda: settled(database), 40, worker)
    finally:
        meta.answering.set()
        stop(worker)

    assert 1 <= trials_while_hanging <= 2, "one trial at a time, each given up after the provider timeout"
    assert job_states(database) == {"sent": MESSAGES}, "none dead"
    delivered = {request.json()["text"]["body"] for request in meta.requests}
    assert delivered == set(texts)
    assert max(attempts(database)) <= 2, "bounces off the open circuit spent no attempt"
    assert len(meta.requests) < 2 * MESSAGES, "bounced jobs never reached the provider"
    log = (tmp_path / "worker.log").read_text()
    for line in ("meta circuit is open (meta answered 500", "meta did not answer in time", "closed again"):
        assert line in log, log
    assert "Traceback" not in log, log


def settled(database) -> bool:
    """No job is waiting or being sent any more: each was sent, or died."""
    return not job_states(database).keys() & {"queued", "sending"}


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
