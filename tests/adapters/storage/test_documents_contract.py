"""Templates, settings, sessions and plugin records: the semantics every store must keep."""

import asyncio
from datetime import timedelta

import pytest

from gateway.ports.store import NotFound, StaleSession

TTL = timedelta(minutes=30)


async def test_saving_a_template_keeps_every_version(store, clock):
    first = await store.templates.save("order_completed", "en", "Order {{ order_id }} is done", category="orders")
    clock.advance(minutes=1)
    second = await store.templates.save("order_completed", "en", "Order {{ order_id }} completed!", category="orders")
    assert (first.version, second.version) == (1, 2)
    assert (await store.templates.get("order_completed", "en")).body == "Order {{ order_id }} completed!"
    assert [v.version for v in await store.templates.versions("order_completed", "en")] == [2, 1]
    assert await store.templates.get("order_completed", "fr") is None


async def test_rollback_saves_the_old_body_as_the_newest_version(store):
    await store.templates.save("t", "en", "one", provider_template={"name": "t_v1", "language": "en_US"})
    await store.templates.save("t", "en", "two")
    restored = await store.templates.rollback("t", "en", 1)
    assert restored.version == 3 and restored.body == "one"
    assert restored.provider_template == {"name": "t_v1", "language": "en_US"}
    assert restored.saved_by == "rollback to version 1"
    with pytest.raises(NotFound):
        await store.templates.rollback("t", "en", 9)


async def test_template_list_gives_the_latest_of_each(store):
    await store.templates.save("b", "en", "b1")
    await store.templates.save("a", "es", "a1")
    await store.templates.save("b", "en", "b2")
    listed = await store.templates.list()
    assert [(t.name, t.language, t.body) for t in listed] == [("a", "es", "a1"), ("b", "en", "b2")]


async def test_concurrent_template_saves_get_distinct_versions(store):
    saved = await asyncio.gather(*(store.templates.save("t", "en", f"body {i}") for i in range(5)))
    assert sorted(t.version for t in saved) == [1, 2, 3, 4, 5]


async def test_global_and_contact_settings(store):
    assert await store.settings.get("roles.supervisors") is None
    await store.settings.set("roles.supervisors", ["+14155550100"])
    assert await store.settings.get("roles.supervisors") == ["+14155550100"]

    assert (await store.settings.contact("+919812345678")).values == {}
    await store.settings.update_contact("+919812345678", {"language": "hi", "opt_out": True})
    updated = await store.settings.update_contact("+919812345678", {"opt_out": None, "provider": "meta"})
    assert updated.values == {"language": "hi", "provider": "meta"}
    assert (await store.settings.contact("+919812345678")).values == {"language": "hi", "provider": "meta"}


async def test_global_settings_are_listed_by_the_start_of_their_key(store):
    await store.settings.set("roles.staff", ["+14155550101"])
    await store.settings.set("roles.quality", [])
    await store.settings.set("rolesX", "not a role")
    await store.settings.set("currency", "INR")
    assert await store.settings.starting_with("roles.") == {"roles.quality": [], "roles.staff": ["+14155550101"]}
    assert list(await store.settings.starting_with("")) == ["currency", "roles.quality", "roles.staff", "rolesX"]
    assert await store.settings.starting_with("roles.%") == {}, "the prefix is taken literally"
    assert await store.settings.many(["roles.staff", "roles.nobody", "currency"]) == {
        "roles.staff": ["+14155550101"],
        "currency": "INR",
    }
    assert await store.settings.many([]) == {}


async def test_contacts_are_listed_in_order_page_by_page(store):
    for phone in ("+919800000003", "+919800000001", "+919800000002"):
        await store.settings.update_contact(phone, {"language": "hi"})
    first = await store.settings.contacts(limit=2)
    assert [c.contact for c in first] == ["+919800000001", "+919800000002"]
    rest = await store.settings.contacts(limit=2, after=first[-1].contact)
    assert [c.contact for c in rest] == ["+919800000003"] and rest[0].values == {"language": "hi"}


async def test_session_versions_guard_against_lost_updates(store):
    assert await store.sessions.load("+14155550100") is None
    created = await store.sessions.save("+14155550100", {"step": "menu"}, expected_version=0, ttl=TTL)
    assert created.version == 1
    updated = await store.sessions.save("+14155550100", {"step": "order"}, expected_version=1, ttl=TTL)
    assert updated.version == 2
    with pytest.raises(StaleSession):
        await store.sessions.save("+14155550100", {"step": "stale"}, expected_version=1, ttl=TTL)
    with pytest.raises(StaleSession):
        await store.sessions.save("+14155550100", {"step": "fresh?"}, expected_version=0, ttl=TTL)
    assert (await store.sessions.load("+14155550100")).data == {"step": "order"}


async def test_two_writers_from_one_version_cannot_both_win(store):
    await store.sessions.save("+14155550100", {"n": 0}, expected_version=0, ttl=TTL)
    outcomes = await asyncio.gather(
        *(store.sessions.save("+14155550100", {"n": i}, expected_version=1, ttl=TTL) for i in range(4)),
        return_exceptions=True,
    )
    assert sum(not isinstance(outcome, Exception) for outcome in outcomes) == 1
    assert all(isinstance(outcome, StaleSession) for outcome in outcomes if isinstance(outcome, Exception))


async def test_sessions_expire_on_the_injected_clock(store, clock):
    await store.sessions.save("+14155550100", {"step": "order"}, expected_version=0, ttl=TTL)
    clock.advance(minutes=29)
    assert await store.sessions.load("+14155550100") is not None
    clock.advance(minutes=1)
    assert await store.sessions.load("+14155550100") is None
    fresh = await store.sessions.save("+14155550100", {"step": "menu"}, expected_version=0, ttl=TTL)
    assert fresh.data == {"step": "menu"} and fresh.expires_at == clock.now() + TTL
    await store.sessions.delete("+14155550100")
    assert await store.sessions.load("+14155550100") is None


async def test_plugin_records_are_namespaced_and_filterable(store, clock):
    await store.records.put("defects", "DEF-000001", {"reporter": "+14155550100", "status": "open"})
    clock.advance(seconds=1)
    await store.records.put("defects", "DEF-000002", {"reporter": "+14155550100", "status": "closed"})
    clock.advance(seconds=1)
    await store.records.put("defects", "DEF-000003", {"reporter": "+919812345678", "status": "open"})
    await store.records.put("orders", "DEF-000001", {"other": "plugin"})

    assert await store.records.get("defects", "DEF-000001") == {"reporter": "+14155550100", "status": "open"}
    mine = await store.records.find("defects", {"reporter": "+14155550100"})
    assert [record["status"] for record in mine] == ["closed", "open"]
    assert len(await store.records.find("defects", {"status": "open"}, limit=1)) == 1
    assert await store.records.delete("defects", "DEF-000001")
    assert not await store.records.delete("defects", "DEF-000001")
    assert await store.records.get("orders", "DEF-000001") == {"other": "plugin"}
    with pytest.raises(ValueError):
        await store.records.find("defects", {"status') OR 1=1 --": "x"})


async def test_sequences_are_unique_under_concurrency(store):
    numbers = await asyncio.gather(*(store.records.next_sequence("defects", "reference") for _ in range(20)))
    assert sorted(numbers) == list(range(1, 21))
    assert await store.records.next_sequence("maintenance", "reference") == 1
    assert await store.records.sequences("defects") == {"reference": 20}
    assert await store.records.sequences("nobody") == {}
    totals = await asyncio.gather(*(store.records.add("gateway.sessions", "seconds", 90) for _ in range(4)))
    assert sorted(totals) == [90, 180, 270, 360]


async def test_insert_creates_a_record_only_when_its_key_is_new(store):
    assert await store.records.insert("defects", "key:msg-1", {"reference": "DEF-000001"})
    assert not await store.records.insert("defects", "key:msg-1", {"reference": "DEF-000002"})
    assert await store.records.get("defects", "key:msg-1") == {"reference": "DEF-000001"}, "the first stays"
    assert await store.records.insert("orders", "key:msg-1", {"reference": "BOM-000001"}), "keys are per plugin"
    assert await store.records.find("defects") == [{"reference": "DEF-000001"}]
    await store.records.delete("defects", "key:msg-1")
    assert await store.records.insert("defects", "key:msg-1", {"reference": "DEF-000003"})


async def test_of_concurrent_inserts_of_one_key_exactly_one_wins(store):
    won = await asyncio.gather(*(store.records.insert("defects", "key:msg-1", {"writer": n}) for n in range(20)))
    assert won.count(True) == 1
    assert await store.records.get("defects", "key:msg-1") == {"writer": won.index(True)}


async def test_swap_writes_only_over_the_version_it_was_read_at(store):
    cards, contact = "gateway.conversations", "+14155550100"
    assert await store.records.swap(cards, contact, {"version": 1, "state": "waiting"}, version=0)
    assert not await store.records.swap(cards, contact, {"version": 1}, version=0), "it exists"
    assert not await store.records.swap(cards, contact, {"version": 3}, version=2), "it is at version 1"
    assert await store.records.swap(cards, contact, {"version": 2, "state": "assigned"}, version=1)
    assert await store.records.get(cards, contact) == {"version": 2, "state": "assigned"}
    assert not await store.records.swap("orders", contact, {"version": 3}, version=2), "keys are per plugin"


async def test_of_concurrent_swaps_from_one_version_exactly_one_wins(store):
    cards, contact = "gateway.conversations", "+14155550100"
    await store.records.put(cards, contact, {"version": 1, "assigned_to": None})
    takes = [store.records.swap(cards, contact, {"version": 2, "assigned_to": f"op{n}"}, version=1) for n in range(20)]
    won = await asyncio.gather(*takes)
    assert won.count(True) == 1
    assert await store.records.get(cards, contact) == {"version": 2, "assigned_to": f"op{won.index(True)}"}
