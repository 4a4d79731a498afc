"""What `pip install .` ships: every source folder, so an installed gateway imports as the tree does."""

from pathlib import Path

from setuptools import find_packages

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
