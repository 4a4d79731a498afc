"""An operator sets where a contact reads the bot (time zone, locale) through the admin API."""

import pytest

from tests.gateway.admin.test_admin_api import AUTH, TOKEN


@pytest.fixture
async def api(make_gateway):
    return await make_gateway(admin_token=TOKEN)


async def patch(api, changes: dict, status: int = 200) -> dict:
    response = await api.patch("/api/v1/contacts/sim:+15550001111", headers=AUTH, json=changes)
    assert response.status == status, await response.text()
    return await response.json()


async def test_a_contacts_zone_and_locale_are_set_and_cleared(api):
    updated = await patch(api, {"time_zone": "America/Chicago", "locale": "es_US"})
    assert updated["time_zone"] == "America/Chicago" and updated["locale"] == "es_US"
    cleared = await patch(api, {"time_zone": None})
    assert "time_zone" not in cleared and cleared["locale"] == "es_US"


@pytest.mark.parametrize(("field", "value"), [("time_zone", "Mars/Olympus"), ("locale", "xx_QQ"), ("locale", "")])
async def test_an_unknown_zone_or_locale_is_refused_naming_the_field(api, field, value):
    refused = await patch(api, {field: value}, status=422)
    assert refused["error"]["fields"][0]["path"] == field
