"""The promise to a newcomer: after the README's first command, the simulator speaks Spanish
on `hola` and, chatting as the README's factory operator, takes a defect against a demo order
with a photo attached, as the README's demo does, with the plugins as installed."""

import re
import shlex
from pathlib import Path

from gateway.app import create_app
from gateway.settings import Settings
from gateway.testing import SimulatedContact
from tests.adapters.channels.test_simulator_media import photo

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def first_command_environment() -> dict[str, str]:
    """The `NAME=value` assignments in front of `wa-gateway serve` in the README's first command."""
    command = re.search(r"```sh\n#[^\n]*\n([^\n]*)\n```", README).group(1)
    serve = command.split("&&")[-1]
    words = shlex.split(serve)
    assert words[-2:] == [".venv/bin/wa-gateway", "serve"], serve
    return dict(word.split("=", 1) for word in words[:-2])


async def test_hola_then_a_defect_in_spanish_with_the_installed_plugins(aiohttp_client, tmp_path, clock, monkeypatch):
    for name, value in first_command_environment().items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'gateway.db'}")
    gateway = await aiohttp_client(create_app(settings, clock=clock))
    _, menu = await SimulatedContact(gateway, "+15550001111", clock).send("hola")
    assert menu.titles == ["Pedidos", "Facturación", "Ayuda"], "the default phone is a customer"
    assert "?phone=+15550003333" in README
    newcomer = SimulatedContact(gateway, "+15550003333", clock)
    _, menu = await newcomer.send("hola")
    assert menu.titles == ["Calidad", "Pedidos", "Mantenimiento", "Facturación", "Ayuda"]
    await newcomer.press("Calidad")
    await newcomer.press("Reportar un defecto")
    await newcomer.send("4412")
    await newcomer.press("Acabado superficial")
    [asked] = await newcomer.press("Media")
    assert asked.titles == ["Omitir"], "the photo of the defect may be skipped"
    demo = " ".join(README.split())
    assert "press *Surface Finish* and *Medium*" in demo and "choose a photo" in demo
    [recorded, *_] = await newcomer.attach(photo(), "image/jpeg", "grieta.jpg")
    assert recorded.text.startswith("Defecto registrado como *DEF-")
    assert "El pedido ORD-4412 queda EN ESPERA." in recorded.text
