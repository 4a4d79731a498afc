"""The tables' own checks: a check naming a string the gateway does not have fails, instead of
passing because no reply contains the misspelled key."""

from types import SimpleNamespace

import pytest

from gateway.appkeys import ENGINE
from gateway.conversation.catalog import Catalog
from gateway.testing import Reply

from .talk import Chat, never_says, says


def _chat() -> Chat:
    catalog = Catalog()
    catalog.add({"en": {"core.stopped": "You will receive no more notifications."}})
    client = SimpleNamespace(app={ENGINE: SimpleNamespace(catalog=catalog)})
    return Chat(client, None, "en", None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("check", [never_says("core.stoped"), says("core.stoped")], ids=["never_says", "says"])
async def test_a_check_on_a_misspelled_key_fails(check) -> None:
    with pytest.raises(AssertionError, match="no string 'core.stoped'"):
        await check(_chat(), [])


async def test_a_check_on_a_known_key_looks_at_the_replies() -> None:
    await never_says("core.stopped")(_chat(), [Reply(text="Hello", options=[], raw={})])
