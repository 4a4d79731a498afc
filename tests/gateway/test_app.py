"""The application: health, readiness, metrics, JSON errors and the body size limit."""

import logging

import pytest
from aiohttp import web

from gateway.app import create_app
from gateway.appkeys import MEDIA, STORE
from gateway.models import MediaKind


@pytest.fixture
async def client(aiohttp_client, settings, clock):
    return await aiohttp_client(create_app(settings, clock=clock))


async def test_healthz_names_the_store(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["store"] == "sqlite"


async def test_readyz_reports_a_reachable_store(client):
    response = await client.get("/readyz")
    assert response.status == 200 and (await response.json())["status"] == "ready"


async def test_readyz_is_503_when_the_store_is_unreachable(client, monkeypatch):
    async def unreachable() -> None:
        raise ConnectionError("db.internal:27017 refused, password=hunter2")

    monkeypatch.setattr(client.app[STORE], "ping", unreachable)
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body == {"status": "unavailable", "store": "sqlite", "reason": "store unreachable"}


async def test_readyz_is_503_when_the_media_store_is_unreachable(client, monkeypatch):
    async def unreachable() -> None:
        raise OSError("media directory gone")

    monkeypatch.setattr(client.app[MEDIA], "ping", unreachable)
    response = await client.get("/readyz")
    assert response.status == 503
    assert await response.json() == {"status": "unavailable", "store": "sqlite", "reason": "media store unreachable"}


async def test_the_media_store_is_open_beside_the_store_and_keeps_files(client, settings):
    stored = await client.app[MEDIA].put(b"photo", content_type="image/jpeg", kind=MediaKind.IMAGE)
    assert await client.app[MEDIA].read(stored.id) == b"photo"
    assert (settings.media_directory / stored.sha256[:2] / stored.sha256).read_bytes() == b"photo"


async def test_metrics_are_in_prometheus_text_format_and_count_requests(client):
    await client.get("/healthz")
    await client.get("/no/such/page")
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    text = await response.text()
    assert 'gateway_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'gateway_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'gateway_http_request_duration_seconds_bucket{le="0.001",route="/healthz"}' in text
    assert 'gateway_build_info{store="sqlite",version="' in text
    assert "process_resident_memory_bytes" in text
    assert "/no/such/page" not in text


async def test_unknown_routes_get_a_json_404(client):
    response = await client.get("/no/such/page")
    assert response.status == 404
    assert await response.json() == {"error": {"status": 404, "message": "no route for GET /no/such/page"}}


async def test_wrong_method_gets_a_json_405_with_allow(client):
    response = await client.delete("/healthz")
    assert response.status == 405
    assert "GET" in response.headers["Allow"]
    assert (await response.json())["error"]["message"] == "DELETE is not allowed on /healthz"


async def test_a_body_over_one_mebibyte_is_refused_with_413(aiohttp_client, settings, clock):
    received = []

    async def echo(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.json_response({"bytes": len(received[-1])})

    app = create_app(settings, clock=clock)
    app.router.add_post("/echo", echo)
    client = await aiohttp_client(app)

    assert (await client.post("/echo", data=b"x" * 1024 * 1024)).status == 200
    declared = await client.post("/echo", data=b"x" * (1024 * 1024 + 1))
    assert declared.status == 413 and (await declared.json())["error"]["status"] == 413

    async def chunks():
        for _ in range(3):
            yield b"x" * 512 * 1024

    streamed = await client.post("/echo", data=chunks())
    assert streamed.status == 413
    assert len(received) == 1


async def test_an_unexpected_error_is_a_json_500_without_details(aiohttp_client, settings, clock, caplog):
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals")

    app = create_app(settings, clock=clock)
    app.router.add_get("/broken", broken)
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR):
        response = await client.get("/broken")
    assert response.status == 500
    body = await response.text()
    assert "secret internals" not in body and "Traceback" not in body
    assert (await response.json())["error"]["message"] == "internal error; the gateway logged the details"
    assert "secret internals" in caplog.text
    metrics = await (await client.get("/metrics")).text()
    assert 'gateway_http_requests_total{method="GET",route="/broken",status="500"} 1.0' in metrics
