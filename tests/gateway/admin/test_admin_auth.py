"""Who gets past the admin API's door: the token, checked on the route the router chose."""

import asyncio
import hmac
import logging

import pytest
from pydantic import ValidationError

from gateway.admin import auth
from gateway.appkeys import STORE
from gateway.notifications.notifier import role_key
from gateway.settings import Settings

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


class TestRotation:
    """During a change of token both the new and the previous one get in, each compared in
    constant time; once the previous one is unset it is refused."""

    NEW, OLD = "the-new-admin-token", "the-old-admin-token"

    @pytest.fixture
    async def rotating(self, make_gateway):
        return await make_gateway(admin_token=self.NEW, admin_token_previous=self.OLD)

    @pytest.mark.parametrize("token", [NEW, OLD])
    async def test_both_tokens_get_in_during_a_change(self, rotating, token):
        response = await rotating.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 200, await response.text()

    async def test_any_other_token_is_refused_during_a_change(self, rotating):
        response = await rotating.get("/api/v1/queue", headers={"Authorization": "Bearer the-new-admin-toke"})
        assert response.status == 401

    async def test_the_previous_token_is_refused_once_it_is_unset(self, make_gateway):
        api = await make_gateway(admin_token=self.NEW)
        response = await api.get("/api/v1/queue", headers={"Authorization": f"Bearer {self.OLD}"})
        assert response.status == 401

    @pytest.mark.parametrize("token", [NEW, OLD, "wrong"])
    async def test_every_token_is_compared_in_constant_time_whichever_matches(self, rotating, monkeypatch, token):
        compared, constant_time = [], hmac.compare_digest

        def compare_digest(given, expected):
            compared.append(expected)
            return constant_time(given, expected)

        monkeypatch.setattr(auth.hmac, "compare_digest", compare_digest)
        await rotating.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
        assert compared == [self.NEW.encode(), self.OLD.encode()]

    async def test_a_call_with_the_previous_token_is_logged_by_route_without_the_token(self, rotating, caplog):
        caplog.set_level(logging.INFO, logger="gateway.admin.auth")
        await rotating.get("/api/v1/contacts/%2B919812345678", headers={"Authorization": f"Bearer {self.OLD}"})
        [record] = [r for r in caplog.records if r.name == "gateway.admin.auth"]
        assert "GET /api/v1/contacts/{phone} came with GATEWAY_ADMIN_TOKEN_PREVIOUS" in record.getMessage()
        assert self.OLD not in record.getMessage() and "9812345678" not in record.getMessage()

    def test_a_previous_token_without_a_current_one_is_refused_at_start(self):
        with pytest.raises(ValidationError, match="GATEWAY_ADMIN_TOKEN_PREVIOUS is set without GATEWAY_ADMIN_TOKEN"):
            Settings(_env_file=None, admin_token_previous=self.OLD)
