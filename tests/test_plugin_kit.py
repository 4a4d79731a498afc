"""`wa-gateway new-plugin`: a package written outside this repository runs its own tests, with
its own pytest configuration, on the helpers the gateway ships (gateway.testing)."""

import os
import subprocess
import sys
import tomllib

import pytest
from pydantic import ValidationError

from gateway.cli import main
from tests.gateway.test_cli import REPO


def test_new_plugin_writes_a_package_with_an_entry_point(tmp_path, capsys):
    assert main(["new-plugin", "spare_parts", "--directory", str(tmp_path)]) == 0
    created = tmp_path / "spare_parts"
    assert capsys.readouterr().out.startswith(f"created {created}; try it: cd {created}")
    project = tomllib.loads((created / "pyproject.toml").read_text())
    assert project["project"]["name"] == "wa-gateway-spare-parts"
    assert project["project"]["entry-points"]["wa_gateway.plugins"] == {"spare_parts": "spare_parts.plugin:plugin"}
    assert {path.name for path in created.rglob("*.py")} == {"__init__.py", "plugin.py", "conftest.py", "test_plugin.py"}


def test_new_plugins_event_type_checks_its_data_with_a_model(tmp_path, monkeypatch):
    """As the guide teaches: an EventData model, so the door names a missing or blank field."""
    assert main(["new-plugin", "spare_parts", "--directory", str(tmp_path)]) == 0
    monkeypatch.syspath_prepend(str(tmp_path / "spare_parts"))
    from spare_parts.plugin import Plugin, Reminder

    [reminder] = Plugin().register_event_types()
    assert reminder.data is Reminder and reminder.required == ()
    with pytest.raises(ValidationError) as refused:
        Reminder.model_validate({"what": " "})
    assert refused.value.errors()[0]["loc"] == ("what",)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Spare-Parts", "'Spare-Parts' is not a plugin name: 2 to 40 lower-case letters, digits or _"),
        ("x", "'x' is not a plugin name"),
        ("taken", "already exists; nothing was written"),
    ],
)
def test_new_plugin_refuses_in_one_line(tmp_path, capsys, name, says):
    (tmp_path / "taken").mkdir()
    assert main(["new-plugin", name, "--directory", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("wa-gateway new-plugin: ") and says in error and error.count("\n") == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["taken"]


@pytest.mark.slow
def test_a_new_plugin_passes_its_own_tests_outside_this_repository(tmp_path):
    assert main(["new-plugin", "spare_parts", "--directory", str(tmp_path)]) == 0
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GATEWAY_", "PYTEST_"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=tmp_path / "spare_parts",
        env=environment | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout and f"rootdir: {tmp_path / 'spare_parts'}" in run.stdout
