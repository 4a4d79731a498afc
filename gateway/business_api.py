"""A business system's REST API, for plugins whose data lives there (their `http` backends)."""

from typing import Any

import aiohttp
from pydantic import HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict


class BusinessApiError(Exception):
    """The business system could not answer; plugins let it propagate and the user is told politely."""


class BusinessApi:
    """JSON over HTTP to one base URL, through the gateway's shared client session."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str | None = None) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def get(self, path: str, **params: str) -> Any | None:
        """The JSON at `path`, or None when the system answers 404."""
        return await self._call("GET", path, params=params or None)

    async def post(self, path: str, body: dict[str, Any], *, idempotency_key: str) -> Any:
        """Write `body` to `path`; the system answers a repeated key with what it did the first time."""
        return await self._call("POST", path, json=body, headers=self._headers | {"Idempotency-Key": idempotency_key})

    async def _call(self, method: str, path: str, **request: Any) -> Any:
        url = f"{self._base}/{path.lstrip('/')}"
        request.setdefault("headers", self._headers)
        try:
            async with self._http.request(method, url, **request) as response:
                if response.status == 404:
                    return None
                if response.status >= 400:
                    raise BusinessApiError(f"{method} {path} answered {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise BusinessApiError(f"{method} {path} failed: {type(error).__name__}") from None


class BusinessSystemSettings(BaseSettings):
    """A plugin's `<PREFIX>_API_URL` and `<PREFIX>_API_TOKEN`; subclasses set `env_prefix`.
    With no URL the plugin keeps its data in the gateway's own store."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")
    api_url: HttpUrl | None = None
    api_token: str | None = None

    def api(self, http: aiohttp.ClientSession) -> BusinessApi | None:
        """The business system's API, or None when no URL is configured."""
        return BusinessApi(http, str(self.api_url), self.api_token) if self.api_url is not None else None
