"""The `wa-gateway` command (also `python -m gateway`)."""

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import aiohttp
import uvloop
import yarl
from aiohttp import web
from pydantic import ValidationError

from adapters.storage import STORE_ERRORS, open_store, unreachable_store
from gateway import __version__, logs, scaffold, slow_clients
from gateway.app import create_app, create_worker_app
from gateway.backup import BackupFailed, back_up, restore_from
from gateway.chat import SimulatorOff, TerminalChat
from gateway.clock import SystemClock
from gateway.console.operators_cli import add_operator_commands
from gateway.conversation.plugin_limits import default_templates
from gateway.listings import add_output_option, emit
from gateway.metrics import GatewayMetrics
from gateway.operator_commands import add_commands
from gateway.phone import InvalidPhoneNumber, to_simulated_contact
from gateway.plugins import get_plugin_manager
from gateway.settings import Role, Settings
from gateway.validation import problems

SHUTDOWN_GRACE_SECONDS = 30.0
"""On SIGINT/SIGTERM, requests in flight get this long to finish before the store closes."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(configuration_errors(error), file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    try:
        code = arguments.command(settings, arguments)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # whoever read the output stopped early (`| head`): nothing failed, so nothing to say;
        # standard output goes to devnull so the interpreter's last flush finds no broken pipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:
        logging.getLogger("gateway.cli").debug("the command failed", exc_info=True)
        print(f"wa-gateway: {type(error).__name__}: {error} (GATEWAY_LOG_LEVEL=DEBUG shows where)", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wa-gateway",
        description="WhatsApp bot gateway. Configured by environment variables or a .env file (see README).",
    )
    parser.add_argument("--version", action="version", version=f"wa-gateway {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve_parser = commands.add_parser(
        "serve",
        help="Run the web service: webhooks, the simulator, the console, the admin API and metrics.",
        description="Serve webhooks, the simulator, the admin API and /metrics on GATEWAY_HOST:GATEWAY_PORT. "
        "Stops cleanly on SIGINT or SIGTERM: requests in flight finish and the store is closed. "
        f"A client that has sent no whole request head {slow_clients.IDLE_SECONDS:g} s after connecting (or after "
        f"its last answer) is disconnected, and one whose body is still arriving {slow_clients.BODY_SECONDS:g} s "
        "after its head is answered 408.",
    )
    serve_parser.add_argument(
        "--ingest-only",
        action="store_true",
        help="Only store webhooks and serve the admin API, while `wa-gateway worker` processes conversations "
        "and sends (the same as GATEWAY_ROLE=ingest).",
    )
    serve_parser.set_defaults(command=serve)

    worker_parser = commands.add_parser(
        "worker",
        help="Process conversations and send, without webhooks, to add capacity.",
        description="Process conversations, run plugins' periodic jobs and send the outbound queue, sharing the "
        "store with `serve`, to add capacity. Any number can run, on any host that reaches the store: each "
        "contact's messages are processed by one process at a time, in order, and each job is sent by one "
        "worker. Stops cleanly on SIGINT or SIGTERM.",
    )
    worker_parser.set_defaults(command=worker)

    chat_parser = commands.add_parser(
        "chat",
        help="Talk to the bot in the terminal through the simulator channel.",
        description="Chat with a running gateway (`wa-gateway serve`) as the given phone number, through the "
        "simulator channel. Type a message per line; after a menu, type its number to choose. Ctrl-D quits.",
    )
    chat_parser.add_argument(
        "--phone", default="+15550001111", help="Chat as the simulated contact sim:PHONE (default: %(default)s)."
    )
    chat_parser.add_argument("--url", help="The running gateway's address (default: http://GATEWAY_HOST:GATEWAY_PORT).")
    chat_parser.set_defaults(command=chat)

    plugins_parser = commands.add_parser(
        "plugins",
        help="List the installed plugins, their hooks, and any that failed to load.",
        description="List every plugin the gateway loads (built-in or from a package's wa_gateway.plugins "
        "entry point) with its version, source and the hooks it implements, and every plugin that failed to "
        "load, with the reason.",
    )
    add_output_option(plugins_parser)
    plugins_parser.set_defaults(command=plugins)
    new_plugin_parser = commands.add_parser(
        "new-plugin",
        help="Create a plugin package to start from, with passing tests.",
        description="Write a new plugin package NAME (lower-case letters, digits and _) into a folder of that "
        "name: an entry point, a menu entry, a form, a notification template, an event type, strings in English "
        "and Spanish, and tests on gateway.testing that pass as it is.",
    )
    new_plugin_parser.add_argument("name", help="The package's name, such as spare_parts.")
    new_plugin_parser.add_argument(
        "--directory", type=Path, default=Path("."), help="Where to create it (default: the current folder)."
    )
    new_plugin_parser.set_defaults(command=new_plugin)

    backup_parser = commands.add_parser(
        "backup",
        help="Copy the SQLite store and its media directory, while the gateway runs.",
        description="Write a consistent copy of the SQLite store (GATEWAY_STORE_URL), taken with SQLite's online "
        "backup API while the gateway goes on working, and of the media directory (GATEWAY_MEDIA_DIR), into the "
        "new directory PATH: PATH/gateway.db and PATH/media/, the layout of var/, so a gateway started with "
        "GATEWAY_STORE_URL=sqlite:///PATH/gateway.db runs on the copy. A MongoDB store is backed up with mongodump "
        "instead (docs/deployment.md).",
    )
    backup_parser.add_argument("path", type=Path, help="The directory to create; it must not exist yet.")
    backup_parser.set_defaults(command=backup)
    restore_parser = commands.add_parser(
        "restore",
        help="Put a backup back as the SQLite store and its media directory.",
        description="Copy PATH/gateway.db, made by `wa-gateway backup`, to GATEWAY_STORE_URL's file and PATH/media/ "
        "to the media directory (GATEWAY_MEDIA_DIR). Stop every process first, and move the old store (with its "
        "-wal and -shm files) and media directory aside: this command writes over neither.",
    )
    restore_parser.add_argument("path", type=Path, help="The directory `wa-gateway backup` wrote.")
    restore_parser.set_defaults(command=restore)
    add_commands(commands)
    add_operator_commands(commands)
    return parser


def serve(settings: Settings, arguments: argparse.Namespace) -> int:
    """Run the web application until a signal stops it, once the port and the store are known
    to be usable; the banner comes once it has started and listens, so a start-up failure is
    never printed after a promise to serve."""
    if arguments.ingest_only:
        settings = settings.model_copy(update={"role": Role.INGEST})
    if (problem := _cannot_listen(settings.host, settings.port) or asyncio.run(_store_problem(settings))) is not None:
        print(f"wa-gateway serve: {problem}", file=sys.stderr)
        return 1
    banner = (
        f"wa-gateway {__version__} on http://{settings.host}:{settings.port} "
        f"(store: {settings.store_backend}; providers: {', '.join(settings.enabled_providers) or 'none'}; "
        f"role: {settings.role})"
    )
    web.run_app(
        create_app(settings),
        loop=uvloop.new_event_loop(),
        host=settings.host,
        port=settings.port,
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
        keepalive_timeout=slow_clients.IDLE_SECONDS,
        print=lambda _: print(banner, flush=True),
        access_log=None,
    )
    return 0


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the gateway could not listen on host:port, or None when it can."""
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as error:
        return f"cannot listen on {host}:{port}: {error.strerror or error}"


async def _store_problem(settings: Settings) -> str | None:
    """Why the configured store cannot be used, or None when it answers."""
    try:
        store = await open_store(settings.store_url, SystemClock())
    except STORE_ERRORS as error:
        return unreachable_store(settings.store_backend, error)
    try:
        await store.ping()
    except STORE_ERRORS as error:
        return unreachable_store(settings.store_backend, error)
    finally:
        await store.close()
    return None


def worker(settings: Settings, arguments: argparse.Namespace) -> int:
    """Process conversations and send until a signal stops it, once the store answers."""
    if (problem := asyncio.run(_store_problem(settings))) is not None:
        print(f"wa-gateway worker: {problem}", file=sys.stderr)
        return 1
    print(f"wa-gateway {__version__} worker (store: {settings.store_backend})", flush=True)
    uvloop.run(_run_until_signalled(create_worker_app(settings)))
    return 0


async def _run_until_signalled(app: web.Application) -> None:
    """Start the app and run it until SIGINT or SIGTERM, which are heeded from the first moment:
    one that arrives while it starts stops it as soon as it has started."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop.set)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def chat(settings: Settings, arguments: argparse.Namespace) -> int:
    """Chat through the simulator in the terminal."""
    base_url = arguments.url or f"http://{settings.host}:{settings.port}"
    if (url := yarl.URL(base_url)).scheme not in ("http", "https") or not url.host:
        print(f"wa-gateway chat: --url: {base_url!r} is not an http:// or https:// address", file=sys.stderr)
        return 2
    try:
        phone = to_simulated_contact(arguments.phone)
    except InvalidPhoneNumber as error:
        print(f"wa-gateway chat: --phone: {error}", file=sys.stderr)
        return 2
    print(f"chatting with {base_url} as {phone}; Ctrl-D quits", flush=True)
    try:
        asyncio.run(_chat(base_url, phone))
    except aiohttp.ClientConnectionError:
        print(
            f"wa-gateway chat: no gateway answers at {base_url}; start one with `GATEWAY_SIMULATOR=true wa-gateway serve`",
            file=sys.stderr,
        )
        return 1
    except SimulatorOff as off:
        print(f"wa-gateway chat: {off}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


async def _chat(base_url: str, phone: str) -> None:
    async with aiohttp.ClientSession() as http:
        await TerminalChat(http, base_url, phone, sys.stdout).run(_stdin_lines())


async def _stdin_lines() -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        yield line


def plugins(settings: Settings, arguments: argparse.Namespace) -> int:
    """Print the plugin table, with the plugins start-up would refuse for their templates; exit 1
    when a plugin failed to load or would be refused."""
    host = get_plugin_manager(GatewayMetrics(settings.store_backend))
    asyncio.run(default_templates(host))
    rows = [
        {
            "name": i.name,
            "version": i.version,
            "source": i.source,
            "state": "refused" if i.name in host.refused else "loaded",
            "hooks": ", ".join(i.hooks),
            "reason": "; ".join(host.refused[i.name]) if i.name in host.refused else None,
        }
        for i in host.describe()
    ]
    rows += [{"name": f.name, "state": "failed", "reason": f.reason} for f in host.failures]
    emit(rows, ("name", "version", "source", "state", "hooks", "reason"), arguments.output, sys.stdout)
    return 1 if host.failures or host.refused else 0


def new_plugin(settings: Settings, arguments: argparse.Namespace) -> int:
    """Write a plugin package and say how to try it."""
    try:
        created = scaffold.create(arguments.name, arguments.directory)
    except (scaffold.ScaffoldError, OSError) as error:
        print(f"wa-gateway new-plugin: {error}", file=sys.stderr)
        return 1
    print(f"created {created}; try it: cd {created} && pip install -e '.[test]' && python -m pytest")
    return 0


def backup(settings: Settings, arguments: argparse.Namespace) -> int:
    """Back the store and its media up into a new directory; exit 1, saying why, when it cannot."""
    try:
        made = back_up(settings, arguments.path)
    except BackupFailed as error:
        print(f"wa-gateway backup: {error}", file=sys.stderr)
        return 1
    print(
        f"backed up the store ({made.store_bytes / 1e6:.1f} MB) and {made.media_files} media files "
        f"({made.media_bytes / 1e6:.1f} MB) to {made.path}"
        + (f"; {made.media_purged} media records left out, their files purged meanwhile" if made.media_purged else "")
    )
    return 0


def restore(settings: Settings, arguments: argparse.Namespace) -> int:
    """Put a backup back where the settings' store goes; exit 1, saying why, when it cannot."""
    try:
        made = restore_from(settings, arguments.path)
    except BackupFailed as error:
        print(f"wa-gateway restore: {error}", file=sys.stderr)
        return 1
    print(
        f"restored the store ({made.store_bytes / 1e6:.1f} MB) and {made.media_files} media files "
        f"({made.media_bytes / 1e6:.1f} MB) from {made.path}; start the gateway"
    )
    return 0


def configuration_errors(error: ValidationError) -> str:
    """One line per problem, naming the variable; the rejected values are left out since
    they may be secrets."""
    return "\n".join(["wa-gateway: configuration error", *(f"  {line}" for line in problems(error))])
