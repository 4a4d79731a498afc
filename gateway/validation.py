"""pydantic validation errors as short lines a person can act on, without the rejected
values (they may be secrets or phone numbers)."""

from pydantic import ValidationError


def problems(error: ValidationError) -> list[str]:
    """One `where: what` line per problem."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        what = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {what}" if where else what)
    return lines


def first_problem(error: ValidationError) -> str:
    return problems(error)[0]
