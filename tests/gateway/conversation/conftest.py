"""A contact talking to a gateway that has the Quality test plugin."""

import pytest

from gateway.testing import SimulatedContact
from tests.gateway.conversation.quality_plugin import Quality


@pytest.fixture
async def chat(make_gateway, clock):
    quality = Quality()
    client = await make_gateway([quality])
    contact = SimulatedContact(client, clock=clock)
    contact.plugin = quality
    return contact
