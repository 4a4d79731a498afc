"""What the command line's listing commands print: an aligned table for people, or JSON for
scripts (`--output json`), from the same rows."""

import argparse
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO


def add_output_option(parser: argparse.ArgumentParser, default: str = "table") -> None:
    parser.add_argument(
        "--output",
        choices=("table", "json"),
        default=default,
        help="Print an aligned table for people or JSON for scripts (default: %(default)s).",
    )


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], output: str, stream: TextIO) -> None:
    """Print `rows` as a table of `columns` with a header (nothing when there are none), or as a
    JSON list of objects; times are written in RFC 3339 either way."""
    if output == "json":
        print(json.dumps([{column: row.get(column) for column in columns} for row in rows], default=_json), file=stream)
        return
    if not rows:
        return
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(line[i]) for line in cells)]) for i, column in enumerate(columns)]
    for line in [[column.upper() for column in columns], *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip(), file=stream)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def _json(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
