"""Plugins shipped as their own packages: found through the wa_gateway.plugins entry point,
listed, and isolated when they fail to import."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.appkeys import PLUGINS
from gateway.cli import main
from gateway.settings import Settings
from gateway.testing import SimulatedContact

REPO = Path(__file__).resolve().parents[2]

GREETER = """
from gateway.conversation.flows import Flow, MenuEntry, Step
from gateway.hookspecs import hookimpl
from gateway.models import Content


class Greeter:
    @hookimpl
    def register_menu_entries(self):
        return [MenuEntry("greeter.greet", "greeter.greet", "greeter.menu", flow="greeter.greet")]

    @hookimpl
    def register_flows(self):
        return [Flow("greeter.greet", (Step("name", "greeter.ask"),), self.greet)]

    @hookimpl
    def register_translations(self):
        return {"en": {"greeter.menu": "Greetings", "greeter.greet": "Greet me", "greeter.ask": "Your name?"}}

    async def greet(self, answers, conversation):
        return [Content(text=f"Pleased to meet you, {answers['name']}!")]


plugin = Greeter()
"""


def install(site: Path, distribution: str, version: str, module: str, source: str, entry_point: str) -> None:
    """Lay a distribution out on disk as pip would: the module and its .dist-info metadata."""
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[wa_gateway.plugins]\n{entry_point} = {module}:plugin\n")


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    site = tmp_path / "site-packages"
    site.mkdir()
    install(site, "wa-greeter", "1.2.0", "wa_greeter", GREETER, "greeter")
    install(site, "wa-broken", "0.0.1", "wa_broken", "raise ImportError('needs libfoo')\n", "broken")
    monkeypatch.syspath_prepend(str(site))
    return site


async def test_an_installed_plugin_is_discovered_shown_and_its_flow_completes(site, aiohttp_client, tmp_path, clock):
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'g.db'}", simulator=True)
    client = await aiohttp_client(create_app(settings, clock=clock))
    host = client.app[PLUGINS]
    greeter = next(info for info in host.describe() if info.name == "greeter")
    assert (greeter.version, greeter.source) == ("1.2.0", "package wa-greeter")
    assert "register_flows" in greeter.hooks
    assert [(failure.name, failure.reason) for failure in host.failures] == [("broken", "ImportError: needs libfoo")]

    contact = SimulatedContact(client, "+15550003333", clock)
    _, menu = await contact.send("hello")
    assert "Greetings" in menu.titles
    await contact.press("Greetings")
    [done] = await contact.send("Meera")
    assert done.text == "Pleased to meet you, Meera!"
    metrics = await (await client.get("/metrics")).text()
    assert 'gateway_plugin_load_failures_total{plugin="broken"} 1.0' in metrics


def test_wa_gateway_plugins_lists_versions_hooks_and_failures(site, tmp_path):
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    listing = subprocess.run(
        [sys.executable, "-m", "gateway", "plugins"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 1, "a plugin failed to load"
    assert re.search(r"^greeter +1\.2\.0 +package wa-greeter +loaded +.*register_flows", listing.stdout, re.M)
    assert re.search(r"^broken +- +- +failed +- +ImportError: needs libfoo$", listing.stdout, re.M)
    assert re.search(r"^gateway\.default_help ", listing.stdout, re.M)


NOTICES = """
from gateway.hookspecs import hookimpl


class Notices:
    @hookimpl
    def register_templates(self):
        return [{"name": "notice", "language": "en", "body": "Hi {{ name"}]


plugin = Notices()
"""


def test_wa_gateway_plugins_shows_a_plugin_start_up_would_refuse_and_why(site, tmp_path, monkeypatch, capsys):
    install(site, "wa-notices", "0.1.0", "wa_notices", NOTICES, "notices")
    monkeypatch.chdir(tmp_path)
    assert main(["plugins", "--output", "json"]) == 1
    listed = {plugin["name"]: plugin for plugin in json.loads(capsys.readouterr().out)}
    assert listed["notices"]["state"] == "refused"
    assert listed["notices"]["reason"] == (
        "template notice (en): body: line 1: unexpected end of template, expected 'end of print statement'."
    )
    assert (listed["greeter"]["state"], listed["greeter"]["reason"]) == ("loaded", None)
