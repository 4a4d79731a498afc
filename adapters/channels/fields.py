"""Reading values out of provider JSON that may have any shape: a signed payload is still
untrusted input, and a field of the wrong type must make its item unreadable, not the request."""

from typing import Any


def value_at(item: Any, *path: str) -> Any:
    """The value at `path` in nested objects, or None where a step is missing or not an object."""
    for key in path:
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return item


def text_at(item: Any, *path: str) -> str | None:
    """The string (or integer, as a string) at `path`, or None."""
    return as_text(value_at(item, *path))


def as_text(value: Any) -> str | None:
    """A string as it is, an integer as its digits (providers send ids either way), else None."""
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
