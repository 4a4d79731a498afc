"""Who gets past the admin API's door: the token, checked on the route the router chose."""

import asyncio

import pytest

from gateway.appkeys import STORE
from gateway.notifications.notifier import role_key

TOKEN = "admin-secret-token"


@pytest.fixture
async def api(make_gateway):
    return await make_gateway(admin_token=TOKEN)


async def test_the_openapi_document_is_public(api):
    response = await api.get("/api/v1/openapi.json")
    assert response.status == 200 and (await response.json())["openapi"] == "3.1.0"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/api/v1/roles/x%2Fopenapi.json"),
        ("GET", "/api/v1/roles/openapi.json"),
        ("GET", "/api/v1/contacts/openapi.json"),
    ],
)
async def test_a_path_ending_like_the_openapi_document_still_needs_the_token(api, method, path):
    response = await api.request(method, path, json={"members": ["+15550001111"]})
    assert response.status == 401, await response.text()
    settings = api.app[STORE].settings
    assert await settings.get(role_key("x/openapi.json")) is None
    assert await settings.get(role_key("openapi.json")) is None


@pytest.mark.parametrize("credentials", [b"Bearer \xff\xfe", b"\xff", b"Bearer admin-secret-token\xc3"])
async def test_an_authorization_header_that_is_not_utf8_is_401(api, credentials):
    reader, writer = await asyncio.open_connection(api.server.host, api.server.port)
    writer.write(b"GET /api/v1/queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
    writer.write(b"Authorization: " + credentials + b"\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"a valid bearer token is required" in answer


async def test_the_right_token_gets_in(api):
    response = await api.get("/api/v1/queue", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
