"""The media store contract, run against every adapter: what goes in comes out whole, a
message's or a key's file is kept once, and old files go with their bytes."""

import asyncio
import hashlib
import os
from datetime import timedelta

import pytest

from gateway.models import MediaKind, MediaRefusal
from gateway.ports.media import MediaState, ProviderUpload
from gateway.ports.store import NotFound

PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(3000)


async def test_a_file_comes_back_whole_with_its_metadata(media, clock):
    stored = await media.put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, filename="crack.jpg")
    assert await media.read(stored.id) == PHOTO
    again = await media.get(stored.id)
    assert again == stored
    assert (again.state, again.kind, again.content_type, again.filename) == (
        MediaState.STORED,
        MediaKind.IMAGE,
        "image/jpeg",
        "crack.jpg",
    )
    assert again.size == len(PHOTO) and again.sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert again.created_at == clock.now()


async def test_a_message_s_file_is_kept_once(media):
    first = await media.put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="in-1")
    again = await media.put(b"other bytes", content_type="image/png", kind=MediaKind.IMAGE, message_id="in-1")
    assert again == first
    assert await media.read(first.id) == PHOTO
    assert await media.of_message("in-1") == [first]


async def test_a_generated_file_is_kept_once_per_key_and_found_by_it(media):
    assert await media.cached("report:v1:abc") is None
    pdf = {"content_type": "application/pdf", "kind": MediaKind.DOCUMENT, "cache_key": "report:v1:abc"}
    made = await media.put(b"%PDF-1.7 ...", **pdf)
    again = await media.put(b"%PDF-1.7 other", **pdf)
    assert again == made and await media.cached("report:v1:abc") == made


async def test_two_puts_at_once_for_one_message_keep_one_file(media):
    puts = [
        media.put(PHOTO + bytes([n]), content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="in-2")
        for n in range(4)
    ]
    stored = await asyncio.gather(*puts)
    assert len({record.id for record in stored}) == 1
    assert await media.of_message("in-2") == [stored[0]]
    assert await media.read(stored[0].id) in {PHOTO + bytes([n]) for n in range(4)}


async def test_two_puts_at_once_for_one_key_keep_one_file(media):
    puts = [
        media.put(b"chart %d" % n, content_type="image/png", kind=MediaKind.IMAGE, cache_key="chart:1")
        for n in range(4)
    ]
    stored = await asyncio.gather(*puts)
    assert len({record.id for record in stored}) == 1
    assert await media.cached("chart:1") == stored[0]


async def test_a_file_that_could_not_be_had_is_recorded_without_bytes(media):
    missing = await media.put_unavailable(
        message_id="in-3", kind=MediaKind.VIDEO, content_type="video/mp4", error="too large: 40 MB", attempts=1
    )
    assert missing.state is MediaState.UNAVAILABLE and missing.size == 0 and missing.error == "too large: 40 MB"
    assert await media.get(missing.id) == missing
    assert await media.of_message("in-3") == [missing]
    with pytest.raises(NotFound):
        await media.read(missing.id)
    with pytest.raises(NotFound):
        [piece async for piece in media.chunks(missing.id)]


async def test_a_later_failure_updates_the_unavailable_record_and_a_later_success_replaces_it(media):
    failed = {"message_id": "in-4", "kind": MediaKind.IMAGE, "content_type": None}
    await media.put_unavailable(**failed, error="timeout", attempts=1)
    again = await media.put_unavailable(**failed, error="503", attempts=2)
    assert (again.error, again.attempts) == ("503", 2)
    assert await media.of_message("in-4") == [again]
    stored = await media.put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="in-4", attempts=3)
    assert await media.of_message("in-4") == [stored] and stored.attempts == 3
    after = await media.put_unavailable(**failed, error="late", attempts=4)
    assert after == stored, "a stored file is never taken back by a late failure"


async def test_a_refused_file_keeps_which_refusal_for_a_turn_run_again(media):
    lying = {"message_id": "in-5", "kind": MediaKind.IMAGE, "content_type": "image/jpeg"}
    wrong_type = MediaRefusal.WRONG_TYPE
    refused = await media.put_unavailable(**lying, error="its bytes are a PDF", attempts=1, refused=wrong_type)
    assert await media.of_message("in-5") == [refused] and refused.refused is MediaRefusal.WRONG_TYPE
    again = await media.put_unavailable(**lying, error="over 5 MB", attempts=1, refused=MediaRefusal.TOO_LARGE)
    assert await media.of_message("in-5") == [again] and again.refused is MediaRefusal.TOO_LARGE
    timed_out = await media.put_unavailable(**lying, error="timeout", attempts=2)
    assert (await media.get(timed_out.id)).refused is None


async def test_a_provider_upload_is_remembered_per_provider(media, clock):
    stored = await media.put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE)
    meta = ProviderUpload(id="1234567890", at=clock.now())
    await media.remember_upload(stored.id, "meta", meta)
    clock.advance(days=31)
    newer = ProviderUpload(id="555", at=clock.now())
    await media.remember_upload(stored.id, "meta", newer)
    await media.remember_upload(stored.id, "other", meta)
    assert (await media.get(stored.id)).uploads == {"meta": newer, "other": meta}
    with pytest.raises(NotFound):
        await media.remember_upload("no-such-id", "meta", meta)


async def test_a_multi_megabyte_file_streams_back_in_pieces(media):
    video = os.urandom(5 * 1024 * 1024 + 17)
    stored = await media.put(video, content_type="video/mp4", kind=MediaKind.VIDEO)
    pieces = [piece async for piece in media.chunks(stored.id)]
    assert len(pieces) > 1 and max(len(piece) for piece in pieces) < len(video)
    assert b"".join(pieces) == video and stored.size == len(video)


async def test_purge_removes_old_records_and_their_bytes_and_keeps_newer(media, clock):
    old = [
        await media.put(b"old %d" % n, content_type="image/png", kind=MediaKind.IMAGE, message_id=f"old-{n}")
        for n in range(5)
    ]
    gone = await media.put_unavailable(message_id="old-x", kind=None, content_type=None, error="404", attempts=1)
    clock.advance(days=10)
    cutoff = clock.now()
    kept = await media.put(b"new", content_type="image/png", kind=MediaKind.IMAGE, message_id="new")
    assert await media.purge_before(cutoff, batch=2) == 6
    for record in (*old, gone):
        assert await media.get(record.id) is None
        with pytest.raises(NotFound):
            await media.read(record.id)
    assert await media.of_message("old-1") == []
    assert await media.read(kept.id) == b"new"
    assert await media.purge_before(cutoff) == 0


async def test_purge_keeps_bytes_another_newer_record_still_uses(media, clock):
    old = await media.put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="first")
    clock.advance(days=10)
    newer = await media.put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="resent")
    assert await media.purge_before(clock.now() - timedelta(days=1)) == 1
    assert await media.get(old.id) is None
    assert await media.read(newer.id) == PHOTO


async def test_an_unknown_id_is_not_found(media):
    assert await media.get("0123456789abcdef") is None
    with pytest.raises(NotFound):
        await media.read("0123456789abcdef")
    with pytest.raises(NotFound):
        [piece async for piece in media.chunks("0123456789abcdef")]
    assert await media.of_message("never") == [] and await media.cached("never") is None


async def test_the_store_answers_a_ping(media):
    await media.ping()
