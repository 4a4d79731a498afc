"""What `pip install .` ships: every source folder, so an installed gateway imports as the tree does."""

from pathlib import Path

from setuptools import find_packages
from setuptools.config.setupcfg import read_configuration

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("gateway", "adapters", "plugins")


def test_every_source_folder_is_a_package_that_setuptools_finds():
    found = set(find_packages(str(REPO), include=[f"{top}*" for top in SHIPPED]))
    folders = {
        ".".join(path.parent.relative_to(REPO).parts)
        for top in SHIPPED
        for path in (REPO / top).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert folders <= found, f"not shipped by pip install: {sorted(folders - found)}"


def test_every_translation_file_is_shipped_as_package_data():
    patterns = read_configuration(str(REPO / "setup.cfg"))["options"]["package_data"]
    locale_files = {path for top in SHIPPED for path in (REPO / top).rglob("locale/**/*.po*")}
    shipped = set()
    for package in find_packages(str(REPO), include=[f"{top}*" for top in SHIPPED]):
        folder = REPO.joinpath(*package.split("."))
        for pattern in [*patterns.get("", []), *patterns.get(package, [])]:  # setuptools reads "*" as ""
            shipped |= set(folder.glob(pattern))
    assert locale_files <= shipped, f"not in the wheel: {sorted(str(p.relative_to(REPO)) for p in locale_files - shipped)}"
