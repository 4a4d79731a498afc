"""`/media/...` as a provider fetching a signed link meets it: the file with its type, length
and name while the link lives; the same 403 for every refusal; no listing."""

from urllib.parse import unquote, urlsplit

import pytest

from gateway.app import create_app
from gateway.appkeys import MEDIA, MEDIA_LINKS
from gateway.models import MediaKind
from gateway.settings import Settings

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 100
SCRIPTED = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/console/contacts")</script></svg>'


@pytest.fixture
async def gateway(aiohttp_client, tmp_path, clock):
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'g.db'}", public_url="https://gw.example.com")
    return await aiohttp_client(create_app(settings, clock=clock, entry_points=False))


def path_of(url: str) -> str:
    assert url.startswith("https://gw.example.com/media/")
    return urlsplit(url).path


async def stored_pdf(gateway, filename: str | None = "report.pdf"):
    return await gateway.app[MEDIA].put(PDF, content_type="application/pdf", kind=MediaKind.DOCUMENT, filename=filename)


async def test_a_signed_link_serves_the_file_with_its_type_length_and_name(gateway):
    stored = await stored_pdf(gateway)
    response = await gateway.get(path_of(gateway.app[MEDIA_LINKS].url_for(stored.id)))
    assert response.status == 200
    assert await response.read() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(PDF))
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response.headers["Cache-Control"] == "private, max-age=3600"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


async def test_head_answers_the_headers_without_the_body(gateway):
    stored = await stored_pdf(gateway)
    response = await gateway.head(path_of(gateway.app[MEDIA_LINKS].url_for(stored.id)))
    assert response.status == 200
    assert response.headers["Content-Length"] == str(len(PDF))
    assert await response.read() == b""


async def test_a_non_ascii_name_is_sent_as_rfc_6266_filename_star(gateway):
    stored = await stored_pdf(gateway, "تقرير العيب.pdf")
    response = await gateway.get(path_of(gateway.app[MEDIA_LINKS].url_for(stored.id)))
    disposition = response.headers["Content-Disposition"]
    plain, star = disposition.split("; filename*=UTF-8''")
    assert plain == 'attachment; filename="_____ _____.pdf"'
    assert unquote(star) == "تقرير العيب.pdf"


async def test_cache_lifetime_never_outlives_the_link(gateway, clock):
    stored = await stored_pdf(gateway)
    path = path_of(gateway.app[MEDIA_LINKS].url_for(stored.id))
    clock.advance(minutes=50)
    response = await gateway.get(path)
    assert response.headers["Cache-Control"] == "private, max-age=600"


async def test_every_refusal_is_the_same_403(gateway, clock):
    stored = await stored_pdf(gateway)
    links = gateway.app[MEDIA_LINKS]
    _, _, media_id, expires, signature = path_of(links.url_for(stored.id)).split("/")
    unknown = path_of(links.url_for("no-such-media"))
    gone = await gateway.app[MEDIA].put_unavailable(
        message_id="m1", kind=MediaKind.IMAGE, content_type="image/jpeg", error="404 at the provider", attempts=1
    )
    refusals = [
        f"/media/{media_id}/{expires}/{signature[:-2]}xx",
        f"/media/{media_id}/{int(expires) + 60}/{signature}",
        f"/media/{media_id[:-1]}{'1' if media_id[-1] != '1' else '2'}/{expires}/{signature}",
        f"/media/{media_id}/soon/{signature}",
        unknown,
        path_of(links.url_for(gone.id)),
    ]
    answers = [(response.status, await response.read()) for response in [await gateway.get(p) for p in refusals]]
    clock.advance(hours=1)
    expired = await gateway.get(f"/media/{media_id}/{expires}/{signature}")
    answers.append((expired.status, await expired.read()))
    assert answers[0][0] == 403
    assert all(answer == answers[0] for answer in answers), answers
    assert b"expired" not in answers[0][1] and b"signature" not in answers[0][1]


async def test_nothing_is_listed(gateway):
    stored = await stored_pdf(gateway)
    for path in ["/media", "/media/", f"/media/{stored.id}", f"/media/{stored.id}/"]:
        assert (await gateway.get(path)).status == 404, path


@pytest.mark.parametrize(
    ("content_type", "disposition"),
    [
        ("image/jpeg", "inline"),
        ("image/webp", "inline"),
        ("audio/ogg; codecs=opus", "inline"),
        ("video/mp4", "inline"),
        ("text/plain; charset=utf-8", "inline"),
        ("image/svg+xml", "attachment"),
        ("text/html", "attachment"),
        ("application/xhtml+xml", "attachment"),
        ("IMAGE/SVG+XML", "attachment"),
        ("application/octet-stream", "attachment"),
    ],
)
async def test_only_pictures_sound_video_and_plain_text_are_shown_in_place(gateway, content_type, disposition):
    """A plugin may store any type; an SVG or HTML file opened from a link must not run script
    on the gateway's origin, so it is downloaded, and every answer is sandboxed all the same."""
    stored = await gateway.app[MEDIA].put(SCRIPTED, content_type=content_type, kind=MediaKind.DOCUMENT)
    response = await gateway.get(path_of(gateway.app[MEDIA_LINKS].url_for(stored.id)))
    assert response.status == 200
    assert response.headers["Content-Disposition"].split(";")[0] == disposition
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
