"""Lists paged in the store (templates, plugin records, dead letters): each item once, in
order, however the list changes between pages."""

import asyncio
from datetime import timedelta

from gateway.models import OutboundMessage
from gateway.ports.records import JobState

CARDS = "gateway.conversations"


async def _every_template_page(store, limit, between=None):
    """Page through the latest templates, calling `between(page number)` after each page."""
    seen, after, number = [], None, 0
    while page := await store.templates.page(limit + 1, after):
        shown = page[:limit]
        seen += [(t.name, t.language, t.version) for t in shown]
        if len(page) <= limit:
            break
        after, number = (shown[-1].name, shown[-1].language), number + 1
        if between:
            await between(number)
    return seen


async def test_templates_page_gives_each_latest_version_once_in_order(store, clock):
    for n in range(12):
        for language in ("en", "hi"):
            await store.templates.save(f"t{n:02d}", language, "one")
            await store.templates.save(f"t{n:02d}", language, "two")
    seen = await _every_template_page(store, 5)
    assert seen == [(f"t{n:02d}", language, 2) for n in range(12) for language in ("en", "hi")]
    assert await store.templates.page(5, ("t11", "hi")) == []


async def test_templates_saved_between_pages_are_neither_repeated_nor_lost(store, clock):
    for n in range(10):
        await store.templates.save(f"t{n:02d}", "en", "one")

    async def change(page: int) -> None:
        await store.templates.save("t00", "en", f"edited after page {page}")  # already shown
        await store.templates.save("t09", "en", f"edited after page {page}")  # still to come
        await store.templates.save(f"t{page:02d}", "hi", "new, already passed")
        await store.templates.save(f"u{page:02d}", "en", "new, still to come")

    seen = await _every_template_page(store, 3, change)
    names = [(name, language) for name, language, _ in seen]
    assert names == sorted(set(names)), "each template once, in order"
    assert {(f"t{n:02d}", "en") for n in range(10)} <= set(names)
    assert {("u01", "en"), ("u02", "en"), ("u03", "en")} <= set(names)
    assert dict(((n, l), v) for n, l, v in seen)[("t09", "en")] > 1, "the latest version when it is reached"


async def test_racing_template_saves_leave_one_latest_version(store):
    await asyncio.gather(*(store.templates.save("t", "en", f"body {i}") for i in range(6)))
    await store.templates.save("u", "en", "other")
    assert [(t.name, t.version) for t in await store.templates.page(10)] == [("t", 6), ("u", 1)]
    assert [(t.name, t.version) for t in await store.templates.list()] == [("t", 6), ("u", 1)]


def _card(contact: str, state: str, active: str | None) -> dict:
    return {"contact": contact, "state": state, "last_activity_at": active}


async def _every_record_page(store, where, limit, between=None):
    seen, after, number = [], None, 0
    while page := await store.records.page(CARDS, "last_activity_at", where, limit, after):
        seen += [key for key, _ in page]
        if len(page) < limit:
            break
        last_key, last = page[-1]
        after, number = (last.get("last_activity_at"), last_key), number + 1
        if between:
            await between(number)
    return seen


async def test_records_page_by_a_field_with_a_filter_each_once_newest_first(store, clock):
    for n in range(9):
        state = "waiting" if n % 3 else "closed"
        # two records share each time, so ties are settled by key
        await store.records.put(CARDS, f"c{n}", _card(f"c{n}", state, f"2026-12-01T10:0{n // 2}:00Z"))
    await store.records.put(CARDS, "quiet1", _card("quiet1", "waiting", None))
    await store.records.put(CARDS, "quiet2", {"contact": "quiet2", "state": "waiting"})
    await store.records.put("gateway.other", "c9", _card("c9", "waiting", "2026-12-01T11:00:00Z"))

    for limit in (1, 2, 3, 10):
        assert await _every_record_page(store, {"state": "waiting"}, limit) == [
            "c8", "c7", "c5", "c4", "c2", "c1", "quiet2", "quiet1"
        ], f"pages of {limit}"
    assert await _every_record_page(store, None, 4) == [
        "c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1", "c0", "quiet2", "quiet1"
    ]
    first = await store.records.page(CARDS, "last_activity_at", {"state": "closed"}, 1)
    assert first == [("c6", _card("c6", "closed", "2026-12-01T10:03:00Z"))], "the documents come whole"


async def test_records_written_between_pages_are_neither_repeated_nor_lost(store, clock):
    for n in range(20):
        await store.records.put(CARDS, f"c{n:02d}", _card(f"c{n:02d}", "waiting", f"2026-12-01T10:{n:02d}:00Z"))

    async def change(page: int) -> None:
        if page == 1:  # after c19, c18, c17
            await store.records.put(CARDS, "c18", _card("c18", "waiting", "2026-12-01T12:00:00Z"))  # active again
            await store.records.put(CARDS, "c05", _card("c05", "closed", "2026-12-01T10:05:00Z"))
            await store.records.put(CARDS, "n1", _card("n1", "waiting", "2026-12-01T10:03:30Z"))

    seen = await _every_record_page(store, {"state": "waiting"}, 3, change)
    assert seen == [f"c{n:02d}" for n in range(19, 5, -1)] + ["c04", "n1", "c03", "c02", "c01", "c00"]


async def test_dead_letters_page_by_due_time_each_once(store, clock):
    async def dead(text: str) -> str:
        await store.queue.enqueue(OutboundMessage(recipient="+14155550100", text=text), max_attempts=1)
        claimed = await store.queue.claim("worker", timedelta(minutes=1))
        await store.queue.fail(claimed.id, "worker", "refused")
        return claimed.id

    ids = []
    for n in range(7):
        ids.append(await dead(f"m{n}"))
        clock.advance(seconds=n % 2)  # pairs share a due time, settled by id
    seen, after, pages = [], None, 0
    while True:
        jobs = await store.queue.list(JobState.DEAD, 3, after)
        seen += [job.id for job in jobs]
        if len(jobs) < 3:
            break
        after, pages = (jobs[-1].due_at, jobs[-1].id), pages + 1
        if pages <= 2:
            clock.advance(seconds=1)
            ids.append(await dead(f"late {pages}"))
    assert sorted(seen) == sorted(ids), "each dead job once, those that died between pages too"
    due = {job.id: job.due_at for job in await store.queue.list(JobState.DEAD, 100)}
    assert seen == sorted(seen, key=lambda job: (due[job], job))
