"""The plugin guide's example plugin and example test, run exactly as docs/plugins.md prints them:
in this repository's tests, and as a package of their own outside it."""

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE, re.DOTALL)
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", GUIDE, re.DOTALL)
REPO = Path(__file__).resolve().parents[1]


async def test_the_guides_example_plugin_passes_the_guides_example_test(make_gateway, clock, monkeypatch):
    plugin_source, test_source = PYTHON_BLOCKS[0], PYTHON_BLOCKS[1]
    greeter = types.ModuleType("greeter")
    exec(compile(plugin_source, "docs/plugins.md (greeter)", "exec"), greeter.__dict__)
    monkeypatch.setitem(sys.modules, "greeter", greeter)
    example_test: dict = {}
    exec(compile(test_source, "docs/plugins.md (test)", "exec"), example_test)
    await example_test["test_greeting"](make_gateway, clock)


@pytest.mark.slow
def test_the_guides_example_passes_in_a_fresh_package_outside_this_repository(tmp_path):
    """Written as a plugin team would from the guide alone: its plugin, its tests and its
    pyproject.toml blocks, run by pytest under that package's configuration, not this repo's."""
    package = tmp_path / "greeter-package"
    (package / "greeter").mkdir(parents=True)
    (package / "tests").mkdir()
    (package / "greeter" / "__init__.py").write_text(PYTHON_BLOCKS[0])
    conftest, test = re.split(r"^# test_greeter\.py\n", PYTHON_BLOCKS[1], flags=re.MULTILINE)
    (package / "tests" / "conftest.py").write_text(conftest)
    (package / "tests" / "test_greeter.py").write_text(test)
    project = '[project]\nname = "greeter"\nversion = "0.1.0"\n\n' + "\n".join(TOML_BLOCKS)
    (package / "pyproject.toml").write_text(project)
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GATEWAY_", "PYTEST_"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=package,
        env=environment | {"PYTHONPATH": os.pathsep.join([str(REPO), str(package)])},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"rootdir: {package}" in run.stdout and "1 passed" in run.stdout
