"""`wa-gateway new-plugin NAME`: a plugin package that installs, loads and passes its own tests
from the first minute: an entry point, a menu entry, a form, a notification template, an event
type, strings in two languages, and tests on gateway.testing."""

import re
from pathlib import Path
from string import Template

FILES = Path(__file__).parent / "files"
NAME = re.compile(r"[a-z][a-z0-9_]{1,39}")


class ScaffoldError(ValueError):
    """The package cannot be made; the message says why."""


def create(name: str, parent: Path) -> Path:
    """Write the package `name` (a Python identifier in lower case, such as `spare_parts`) into
    a new folder `parent/name` and return it; an existing folder is never touched."""
    if not NAME.fullmatch(name) or name.endswith("_"):
        raise ScaffoldError(f"{name!r} is not a plugin name: 2 to 40 lower-case letters, digits or _, starting with a letter")
    target = parent / name
    if target.exists():
        raise ScaffoldError(f"{target} already exists; nothing was written")
    values = {"package": name, "project": "wa-gateway-" + name.replace("_", "-"), "title": name.replace("_", " ").capitalize()}
    for source in sorted(FILES.rglob("*.tmpl")):
        relative = source.relative_to(FILES).with_suffix("")
        destination = target / Path(*(name if part == "package" else part for part in relative.parts))
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
    return target
