"""SLA warnings and breaches: one each per ticket, under the injected clock, across a restart."""

from gateway.app import create_app
from gateway.appkeys import SCHEDULER, STORE
from gateway.ports.records import JobState
from gateway.settings import Settings
from gateway.testing import SimulatedContact
from plugins.maintenance.plugin import MaintenancePlugin

REPORTER = "+919812345678"
SUPERVISOR = "+919800000001"


async def templates_queued(store) -> list[tuple[str, str]]:
    jobs = [job for state in JobState for job in await store.queue.list(state, limit=100)]
    return sorted(
        (job.message["template"]["name"], job.message["recipient"]) for job in jobs if "template" in job.message
    )


async def test_warning_then_breach_each_sent_once_also_after_a_restart(aiohttp_client, tmp_path, clock):
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'g.db'}", simulator=True)
    client = await aiohttp_client(
        create_app(settings, clock=clock, plugins=[MaintenancePlugin()], entry_points=False, run_worker=False)
    )
    store, scheduler = client.app[STORE], client.app[SCHEDULER]
    await store.settings.set("roles.supervisors", [SUPERVISOR])
    operator = await SimulatedContact(client, REPORTER, clock).hold("staff")
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("Report an issue")
    await operator.send("CNC-01")
    await operator.press("Electrical")
    await operator.press("High")
    await operator.press("Skip")

    await scheduler.run_once()
    assert await templates_queued(store) == []
    clock.advance(hours=6, minutes=30)
    await scheduler.run_once()
    warned = [("sla_warning", SUPERVISOR), ("sla_warning", f"sim:{REPORTER}")]
    assert await templates_queued(store) == sorted(warned)
    clock.advance(minutes=5)
    await scheduler.run_once()
    assert await templates_queued(store) == sorted(warned), "a warning is sent once"
    await client.close()

    restarted = await aiohttp_client(
        create_app(settings, clock=clock, plugins=[MaintenancePlugin()], entry_points=False, run_worker=False)
    )
    clock.advance(hours=2)
    await restarted.app[SCHEDULER].run_once()
    await restarted.app[SCHEDULER].run_once()
    clock.advance(minutes=1)
    await restarted.app[SCHEDULER].run_once()
    expected = sorted([*warned, ("sla_breached", SUPERVISOR), ("sla_breached", f"sim:{REPORTER}")])
    assert await templates_queued(restarted.app[STORE]) == expected
