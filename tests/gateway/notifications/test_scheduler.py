"""The scheduler runs due jobs by the injected clock and survives a job that raises, hangs or
meets a store hiccup."""

import asyncio
import sqlite3
from datetime import timedelta

from gateway.metrics import GatewayMetrics
from gateway.notifications import scheduler as scheduler_module
from gateway.notifications.scheduler import PeriodicJob, Scheduler
from gateway.plugins import get_plugin_manager


async def test_jobs_run_when_due_and_a_failing_one_does_not_stop_the_others(clock):
    runs = []

    async def tick() -> None:
        runs.append(clock.now())

    async def broken() -> None:
        raise RuntimeError("backend down")

    host = get_plugin_manager(GatewayMetrics("sqlite"), entry_points=False)
    jobs = [
        ("demo", PeriodicJob("demo.broken", timedelta(minutes=1), broken)),
        ("demo", PeriodicJob("demo.tick", timedelta(minutes=5), tick)),
    ]
    scheduler = Scheduler(jobs, host, clock)
    assert await scheduler.run_once() == ["demo.broken", "demo.tick"]
    clock.advance(minutes=1)
    assert await scheduler.run_once() == ["demo.broken"]
    clock.advance(minutes=4)
    assert await scheduler.run_once() == ["demo.broken", "demo.tick"]
    assert len(runs) == 2 and "demo" not in host.broken, "a failing job leaves its plugin in service"


def scheduler_of(clock, *jobs: PeriodicJob) -> tuple[Scheduler, GatewayMetrics]:
    metrics = GatewayMetrics("sqlite")
    host = get_plugin_manager(metrics, entry_points=False)
    return Scheduler([("demo", job) for job in jobs], host, clock), metrics


def errors_of(metrics: GatewayMetrics, job: str) -> float:
    labels = {"plugin": "demo", "hook": f"job:{job}"}
    return metrics.registry.get_sample_value("gateway_plugin_errors_total", labels) or 0


async def test_a_job_that_hangs_is_cut_off_and_recorded_and_the_others_run(clock, monkeypatch):
    monkeypatch.setattr(scheduler_module, "JOB_TIMEOUT_SECONDS", 0.01)
    runs = []

    async def hangs() -> None:
        await asyncio.Event().wait()

    async def tick() -> None:
        runs.append(clock.now())

    scheduler, metrics = scheduler_of(
        clock,
        PeriodicJob("demo.hangs", timedelta(minutes=1), hangs),
        PeriodicJob("demo.tick", timedelta(minutes=1), tick),
    )
    async with asyncio.timeout(5):
        assert await scheduler.run_once() == ["demo.hangs", "demo.tick"]
    assert len(runs) == 1
    assert errors_of(metrics, "demo.hangs") == 1, "the hang is recorded against its plugin"
    clock.advance(minutes=1)
    async with asyncio.timeout(5):
        assert await scheduler.run_once() == ["demo.hangs", "demo.tick"], "and it runs again at its next turn"


async def test_a_store_hiccup_runs_the_job_again_soon_not_at_its_next_period(clock):
    attempts = []

    async def nightly() -> None:
        attempts.append(clock.now())
        if len(attempts) < 3:
            raise sqlite3.OperationalError("database is locked")

    scheduler, metrics = scheduler_of(clock, PeriodicJob("demo.nightly", timedelta(days=1), nightly))
    assert await scheduler.run_once() == ["demo.nightly"]
    clock.advance(seconds=5)
    assert await scheduler.run_once() == ["demo.nightly"], "tried again after 5 s"
    clock.advance(seconds=5)
    assert await scheduler.run_once() == [], "then after 10 s"
    clock.advance(seconds=5)
    assert await scheduler.run_once() == ["demo.nightly"]
    assert len(attempts) == 3 and errors_of(metrics, "demo.nightly") == 0, "a hiccup is not a plugin bug"
    clock.advance(hours=23)
    assert await scheduler.run_once() == [], "once it succeeds, it keeps its own period"
    clock.advance(hours=1)
    assert await scheduler.run_once() == ["demo.nightly"]
