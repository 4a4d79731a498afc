"""Loops that die are restarted, counted, and reported by /readyz while they are down."""

import asyncio

from gateway.app import create_app
from gateway.appkeys import SUPERVISOR
from gateway.metrics import GatewayMetrics
from gateway.supervision import Supervisor, stop


def restarts(metrics: GatewayMetrics, loop: str) -> float:
    return metrics.registry.get_sample_value("gateway_loop_restarts_total", {"loop": loop}) or 0.0


async def test_a_loop_that_dies_is_started_again_and_counted():
    metrics = GatewayMetrics("sqlite")
    supervisor = Supervisor(metrics, first_pause=0)
    runs = 0
    second_run = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise KeyError("a bug in one item")
        second_run.set()
        await asyncio.Event().wait()

    task = supervisor.start("send", flaky)
    await asyncio.wait_for(second_run.wait(), 5)
    assert runs == 2 and restarts(metrics, "send") == 1 and supervisor.down == []
    await stop(task)
    assert task.cancelled()


async def test_a_loop_that_returns_is_started_again_too():
    metrics = GatewayMetrics("sqlite")
    supervisor = Supervisor(metrics, first_pause=0)
    third_run = asyncio.Event()
    runs = 0

    async def returns_early() -> None:
        nonlocal runs
        runs += 1
        if runs == 3:
            third_run.set()
            await asyncio.Event().wait()

    task = supervisor.start("scheduler", returns_early)
    await asyncio.wait_for(third_run.wait(), 5)
    assert restarts(metrics, "scheduler") == 2
    await stop(task)


async def test_readyz_fails_while_a_loop_is_down(aiohttp_client, settings, clock):
    client = await aiohttp_client(create_app(settings, clock=clock))
    supervisor = client.app[SUPERVISOR]

    async def broken() -> None:
        raise RuntimeError("store schema is wrong")

    task = supervisor.start("inbox", broken)
    for _ in range(100):
        if supervisor.down:
            break
        await asyncio.sleep(0)
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["reason"] == "restarting loops: inbox"
    assert "gateway_loop_restarts_total" in await (await client.get("/metrics")).text()
    await stop(task)
    assert (await client.get("/readyz")).status == 200
