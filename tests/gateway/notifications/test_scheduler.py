"""The scheduler runs due jobs by the injected clock and survives a job that raises."""

from datetime import timedelta

from gateway.metrics import GatewayMetrics
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
