"""GET /api/v1/plugins: what `wa-gateway plugins` shows, over HTTP."""

from dataclasses import asdict

from aiohttp import web

from gateway.admin.api import Api, answer
from gateway.appkeys import PLUGINS


def declare(api: Api) -> None:
    @api.route("GET", "/plugins", "Loaded plugins with version, source and hooks, and why start-up refused one; failures to load")
    async def listing(request: web.Request) -> web.Response:
        host = request.config_dict[PLUGINS]
        return answer(
            {
                "plugins": [
                    asdict(info)
                    | {"in_service": info.name not in host.broken, "refused": host.refused.get(info.name, [])}
                    for info in host.describe()
                ],
                "failed_to_load": [asdict(failure) for failure in host.failures],
            }
        )
