"""The console's files on its own origin: a picture shows in the page, but a file that could
run script there (an SVG or HTML a plugin stored) is only ever downloaded, and sandboxed."""

import pytest

from gateway.appkeys import MEDIA
from gateway.models import MediaKind
from tests.adapters.channels.test_simulator_media import photo
from tests.gateway.console.conftest import as_operator

SCRIPTED = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/console/contacts")</script></svg>'


@pytest.mark.parametrize(
    ("data", "content_type", "disposition"),
    [
        pytest.param(photo(), "image/jpeg", "inline", id="jpeg"),
        pytest.param(SCRIPTED, "image/svg+xml", "attachment", id="svg"),
        pytest.param(SCRIPTED, "text/html", "attachment", id="html"),
    ],
)
async def test_a_file_that_could_run_script_is_downloaded_never_shown_on_the_consoles_origin(
    console, data, content_type, disposition
):
    stored = await console.app[MEDIA].put(data, content_type=content_type, kind=MediaKind.IMAGE)
    await as_operator(console, "alice")
    served = await console.get(f"/console/media/{stored.id}")
    assert served.status == 200 and await served.read() == data
    assert served.headers["Content-Disposition"].split(";")[0] == disposition
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
