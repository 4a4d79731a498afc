"""Signed media links: valid until they expire, refused when any part is altered or signed with
another deployment's key, and one generated key shared by every process of a deployment."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.media.links import MediaLinks, open_links, signing_key
from gateway.settings import Settings

KEY = b"k" * 32


def parts(url: str) -> tuple[str, str, str]:
    _, media, media_id, expires, signature = urlsplit(url).path.split("/")
    assert media == "media"
    return media_id, expires, signature


def test_a_link_is_absolute_under_the_public_url_and_lives_for_the_ttl(clock):
    links = MediaLinks("https://gw.example.com/", KEY, timedelta(hours=1), clock)
    url = links.url_for("abc123")
    assert url.startswith("https://gw.example.com/media/abc123/")
    media_id, expires, signature = parts(url)
    assert int(expires) == int((clock.now() + timedelta(hours=1)).timestamp())
    assert links.verify(media_id, expires, signature) == 3600
    clock.advance(minutes=59, seconds=59)
    assert links.verify(media_id, expires, signature) == 1
    clock.advance(seconds=1)
    assert links.verify(media_id, expires, signature) is None


def test_altering_any_part_is_refused(clock):
    links = MediaLinks("https://gw.example.com", KEY, timedelta(hours=1), clock)
    media_id, expires, signature = parts(links.url_for("abc123"))
    later = str(int(expires) + 3600)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for tampered in [
        ("abc124", expires, signature),
        (media_id, later, signature),
        (media_id, expires, flipped),
        (media_id, expires, signature[:-1]),
        (media_id, expires, ""),
        (media_id, f"+{expires}", signature),
        (media_id, f"{expires}.0", signature),
        (media_id, "٣" * 10, signature),
    ]:
        assert links.verify(*tampered) is None, tampered


def test_another_deployments_key_is_refused(clock):
    ours = MediaLinks("https://gw.example.com", KEY, timedelta(hours=1), clock)
    theirs = MediaLinks("https://gw.example.com", b"t" * 32, timedelta(hours=1), clock)
    assert theirs.verify(*parts(ours.url_for("abc123"))) is None


def test_the_key_never_shows_in_the_links_repr(clock):
    assert "kkkk" not in repr(MediaLinks("https://gw.example.com", KEY, timedelta(hours=1), clock))


@pytest.fixture
async def store(tmp_path, clock):
    opened = await SqliteStore.open(tmp_path / "g.db", clock)
    yield opened
    await opened.close()


async def test_without_a_configured_key_every_process_shares_the_one_generated_first(tmp_path, clock, store):
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'g.db'}")
    other = await SqliteStore.open(tmp_path / "g.db", clock)  # a second process on the same store
    try:
        first, second = await signing_key(settings, store.records), await signing_key(settings, other.records)
    finally:
        await other.close()
    assert first == second and len(first) == 32
    one = await open_links(settings, store.records, clock)
    assert one.verify(*parts(one.url_for("abc123"))) is not None


async def test_a_configured_key_is_used_as_it_is(tmp_path, clock, store):
    settings = Settings(
        _env_file=None, store_url=f"sqlite:///{tmp_path / 'g.db'}", media_signing_key="s" * 40
    )
    assert await signing_key(settings, store.records) == b"s" * 40
    assert await store.records.get("gateway.media.links", "signing_key") is None
