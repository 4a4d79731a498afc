"""`wa-gateway operators`: console accounts from a terminal, straight on the configured store."""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable

from adapters.storage import STORE_ERRORS, open_store, unreachable_store
from gateway.clock import SystemClock
from gateway.console.accounts import AccountError, Operators, check_password
from gateway.listings import add_output_option, emit
from gateway.settings import Settings


class CommandFailed(Exception):
    """What the operator asked for cannot be done; the message says why."""


def add_operator_commands(commands: argparse._SubParsersAction) -> None:
    operators = commands.add_parser(
        "operators",
        help="Add, disable, enable and list console operators, and set their passwords.",
        description="Manage the accounts that sign in to the console at /console. Names are "
        "case-insensitive; passwords need at least 12 characters and are stored as argon2 hashes.",
    )
    actions = operators.add_subparsers(required=True, metavar="ACTION")
    add = actions.add_parser("add", help="Create an operator; it asks for the password twice.")
    add.add_argument("name")
    password = actions.add_parser("password", help="Set an operator's password; their open sessions end.")
    password.add_argument("name")
    for parser in (add, password):
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from the first line of standard input."
        )
    add.set_defaults(action=_add)
    password.set_defaults(action=_password)
    for name, disabled, help_text in (
        ("disable", True, "Stop an operator signing in; their open sessions stop working."),
        ("enable", False, "Let a disabled operator sign in again."),
    ):
        parser = actions.add_parser(name, help=help_text)
        parser.add_argument("name")
        parser.set_defaults(action=_switch(disabled))
    listing = actions.add_parser("list", help="List every operator: name, enabled or disabled, and when created.")
    add_output_option(listing)
    listing.set_defaults(action=_list)
    operators.set_defaults(command=run)


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    """Do the action on the store; a refusal or an unreachable store prints why and exits 1."""
    try:
        work = arguments.action(arguments)
        asyncio.run(_on_store(settings, work))
    except (CommandFailed, AccountError) as failure:
        print(f"wa-gateway operators: {failure}", file=sys.stderr)
        return 1
    except STORE_ERRORS as error:
        print(f"wa-gateway operators: {unreachable_store(settings.store_backend, error)}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("wa-gateway operators: cancelled", file=sys.stderr)
        return 1
    return 0


async def _on_store(settings: Settings, work: Callable[[Operators], Awaitable[None]]) -> None:
    clock = SystemClock()
    store = await open_store(settings.store_url, clock)
    try:
        await work(Operators(store, clock))
    finally:
        await store.close()


def _add(arguments: argparse.Namespace) -> Callable[[Operators], Awaitable[None]]:
    password = _new_password(arguments.password_stdin)

    async def add(operators: Operators) -> None:
        operator = await operators.add(arguments.name, password)
        print(f"operator {operator.name} added; they sign in at /console")

    return add


def _password(arguments: argparse.Namespace) -> Callable[[Operators], Awaitable[None]]:
    password = _new_password(arguments.password_stdin)

    async def change(operators: Operators) -> None:
        operator = await operators.set_password(arguments.name, password)
        print(f"operator {operator.name} has a new password")

    return change


def _switch(disabled: bool) -> Callable[[argparse.Namespace], Callable[[Operators], Awaitable[None]]]:
    def action(arguments: argparse.Namespace) -> Callable[[Operators], Awaitable[None]]:
        async def switch(operators: Operators) -> None:
            operator = await operators.set_disabled(arguments.name, disabled)
            print(f"operator {operator.name} {'disabled' if disabled else 'enabled'}")

        return switch

    return action


def _list(arguments: argparse.Namespace) -> Callable[[Operators], Awaitable[None]]:
    async def listing(operators: Operators) -> None:
        found = await operators.list()
        if not found:
            print("no operators yet; add one with `wa-gateway operators add NAME`", file=sys.stderr)
        rows = [
            {"name": o.name, "state": "disabled" if o.disabled else "enabled", "created_at": o.created_at} for o in found
        ]
        emit(rows, ("name", "state", "created_at"), arguments.output, sys.stdout)

    return listing


def _new_password(from_stdin: bool) -> str:
    """The password, checked before the store is opened: a line of standard input, or typed
    twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandFailed("the two passwords differ; nothing changed")
    check_password(password)
    return password
