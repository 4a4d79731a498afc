"""The scheduler runs due jobs by the injected clock and survives a job that raises, hangs or
meets a store hiccup; of several candidates on one store only the holder of the lease runs
them, once per period, and another takes over within one lease when it stops."""

import asyncio
import gc
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.app import create_app, create_worker_app
from gateway.appkeys import METRICS
from gateway.metrics import GatewayMetrics
from gateway.notifications import scheduler as scheduler_module
from gateway.notifications.leadership import Leadership
from gateway.notifications.scheduler import LEASE_NAME, LEASE_TTL, PeriodicJob, Scheduler
from gateway.plugins import get_plugin_manager
from gateway.settings import Role, Settings
from tests.gateway_fixtures import eventually


@pytest.fixture
async def store(tmp_path, clock) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "gateway.db", clock)
    yield opened
    await opened.close()


def scheduler_of(clock, store, *jobs: PeriodicJob) -> tuple[Scheduler, GatewayMetrics]:
    """A scheduler candidate, as one gateway process has, on the shared `store`."""
    metrics = GatewayMetrics("sqlite")
    host = get_plugin_manager(metrics, entry_points=False)
    leadership = Leadership(store.leases, LEASE_NAME, LEASE_TTL, metrics.scheduler_leader.set)
    return Scheduler([("demo", job) for job in jobs], host, clock, store.records, leadership), metrics


def errors_of(metrics: GatewayMetrics, job: str) -> float:
    labels = {"plugin": "demo", "hook": f"job:{job}"}
    return metrics.registry.get_sample_value("gateway_plugin_errors_total", labels) or 0


def leads(metrics: GatewayMetrics) -> bool:
    return metrics.registry.get_sample_value("gateway_scheduler_leader") == 1


async def test_jobs_run_when_due_and_a_failing_one_does_not_stop_the_others(clock, store):
    runs = []

    async def tick() -> None:
        runs.append(clock.now())

    async def broken() -> None:
        raise RuntimeError("backend down")

    scheduler, metrics = scheduler_of(
        clock,
        store,
        PeriodicJob("demo.broken", timedelta(minutes=1), broken),
        PeriodicJob("demo.tick", timedelta(minutes=5), tick),
    )
    assert await scheduler.run_once() == ["demo.broken", "demo.tick"]
    clock.advance(minutes=1)
    assert await scheduler.run_once() == ["demo.broken"]
    clock.advance(minutes=4)
    assert await scheduler.run_once() == ["demo.broken", "demo.tick"]
    assert len(runs) == 2 and errors_of(metrics, "demo.broken") == 3, "each failure recorded, each period kept"


async def test_a_job_that_hangs_is_cut_off_and_recorded_and_the_others_run(clock, store, monkeypatch):
    monkeypatch.setattr(scheduler_module, "JOB_TIMEOUT_SECONDS", 0.01)
    runs = []

    async def hangs() -> None:
        await asyncio.Event().wait()

    async def tick() -> None:
        runs.append(clock.now())

    scheduler, metrics = scheduler_of(
        clock,
        store,
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


async def test_a_store_hiccup_runs_the_job_again_soon_not_at_its_next_period(clock, store):
    attempts = []

    async def nightly() -> None:
        attempts.append(clock.now())
        if len(attempts) < 3:
            raise sqlite3.OperationalError("database is locked")

    scheduler, metrics = scheduler_of(clock, store, PeriodicJob("demo.nightly", timedelta(days=1), nightly))
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


async def test_of_two_candidates_on_one_store_one_leads_and_runs_each_job_once_per_period(clock, store):
    runs = []

    def job(name: str) -> PeriodicJob:
        async def run() -> None:
            runs.append((name, clock.now()))

        return PeriodicJob("demo.reminders", timedelta(minutes=1), run)

    first, first_metrics = scheduler_of(clock, store, job("a"))
    second, second_metrics = scheduler_of(clock, store, job("b"))
    start = clock.now()
    for _ in range(3 * 60 + 1):  # a tick a second for three minutes
        await asyncio.gather(first.run_once(), second.run_once())
        clock.advance(seconds=1)
    assert len({name for name, _ in runs}) == 1, "only the leader runs jobs"
    assert [at - start for _, at in runs] == [timedelta(minutes=n) for n in range(4)]
    assert sorted([leads(first_metrics), leads(second_metrics)]) == [False, True]


async def test_when_the_leader_stops_the_other_takes_over_within_one_lease_and_keeps_the_period(clock, store):
    runs = []

    def job(name: str) -> PeriodicJob:
        async def run() -> None:
            runs.append((name, clock.now()))

        return PeriodicJob("demo.reminders", timedelta(minutes=1), run)

    leader, _ = scheduler_of(clock, store, job("leader"))
    other, other_metrics = scheduler_of(clock, store, job("other"))
    start = clock.now()
    assert await leader.run_once() == ["demo.reminders"]
    assert await other.run_once() == [] and not leads(other_metrics)
    # the leader dies: it renews no more, and the other keeps ticking each second
    while not leads(other_metrics):
        clock.advance(seconds=1)
        await other.run_once()
    assert clock.now() - start <= LEASE_TTL + timedelta(seconds=1), "taken over within one lease"
    assert runs == [("leader", start)], "and the job is not run again at once"
    while clock.now() - start < timedelta(minutes=2):
        clock.advance(seconds=1)
        await other.run_once()
    assert runs == [("leader", start), ("other", start + timedelta(minutes=1)), ("other", start + timedelta(minutes=2))]


async def test_a_leader_that_loses_its_lease_mid_job_cuts_the_job_off_and_the_new_leader_runs_it(
    clock, store, monkeypatch
):
    monkeypatch.setattr(scheduler_module, "TICK_SECONDS", 0.01)
    started, cut_off, runs = asyncio.Event(), asyncio.Event(), []

    async def report() -> None:
        runs.append(clock.now())
        if len(runs) > 1:
            return
        started.set()
        try:
            await asyncio.Event().wait()  # a run that stalls, as a leader cut off from the store would
        except asyncio.CancelledError:
            cut_off.set()
            raise

    job = PeriodicJob("demo.report", timedelta(hours=1), report)
    stalled, stalled_metrics = scheduler_of(clock, store, job)
    other, other_metrics = scheduler_of(clock, store, job)
    async with asyncio.timeout(5):
        stalling = asyncio.create_task(stalled.run_once())
        await started.wait()
        clock.advance(seconds=16)
        assert await other.run_once() == ["demo.report"], "the job's next run was never recorded: due at once"
        await stalling
    assert cut_off.is_set() and len(runs) == 2
    assert leads(other_metrics) and not leads(stalled_metrics)


async def test_a_leader_that_stops_hands_over_at_once(clock, store):
    leader, leader_metrics = scheduler_of(clock, store)
    other, other_metrics = scheduler_of(clock, store)
    running = asyncio.create_task(leader.run())
    async with asyncio.timeout(5):
        while not leads(leader_metrics):
            await asyncio.sleep(0.01)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert not leads(leader_metrics)
    await other.run_once()
    assert leads(other_metrics), "without waiting for the lease to run out"


async def test_an_ingest_only_serve_is_no_candidate_and_a_worker_on_its_store_leads(aiohttp_client, tmp_path, clock):
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'gateway.db'}", role=Role.INGEST)
    ingest = await aiohttp_client(create_app(settings, clock=clock, entry_points=False))
    worker = await aiohttp_client(create_worker_app(settings, clock=clock, entry_points=False))

    async def worker_leads() -> bool:
        return leads(worker.app[METRICS])

    assert await eventually(worker_leads)
    assert not leads(ingest.app[METRICS])


async def test_a_scheduler_stopped_mid_job_leaves_no_unretrieved_error_behind(clock, store):
    """Stopping a gateway while a job awaits (the handover expiry mid-query) ends quietly, not
    with an asyncio ERROR a plugin team would read as their plugin's fault."""
    started = asyncio.Event()

    async def slow() -> None:
        started.set()
        await asyncio.Event().wait()

    scheduler, _ = scheduler_of(clock, store, PeriodicJob("demo.slow", timedelta(minutes=1), slow))
    loop, reported = asyncio.get_running_loop(), []
    loop.set_exception_handler(lambda _, context: reported.append(context["message"]))
    running = asyncio.ensure_future(scheduler.run_once())
    await started.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    for _ in range(5):  # let the cut-off job's task end, as a shutting-down loop does
        await asyncio.sleep(0)
    gc.collect()
    loop.set_exception_handler(None)
    assert reported == []
