"""The plugin guide's example plugin and example test, run exactly as docs/plugins.md prints them."""

import re
import sys
import types
from pathlib import Path

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE, re.DOTALL)


async def test_the_guides_example_plugin_passes_the_guides_example_test(make_gateway, clock, monkeypatch):
    plugin_source, test_source = PYTHON_BLOCKS[0], PYTHON_BLOCKS[1]
    greeter = types.ModuleType("greeter")
    exec(compile(plugin_source, "docs/plugins.md (greeter)", "exec"), greeter.__dict__)
    monkeypatch.setitem(sys.modules, "greeter", greeter)
    example_test: dict = {}
    exec(compile(test_source, "docs/plugins.md (test)", "exec"), example_test)
    await example_test["test_greeting"](make_gateway, clock)
