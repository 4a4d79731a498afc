"""The `wa-gateway` command (also `python -m gateway`)."""

import argparse
import logging
import sys
from collections.abc import Sequence

from aiohttp import web
from pydantic import ValidationError

from gateway import __version__
from gateway.app import create_app
from gateway.settings import Settings

SHUTDOWN_GRACE_SECONDS = 30.0
"""On SIGINT/SIGTERM, requests in flight get this long to finish before the store closes."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
    except ValidationError as error:
        print(configuration_errors(error), file=sys.stderr)
        return 2
    return arguments.command(settings, arguments)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wa-gateway",
        description="WhatsApp bot gateway. Configured by environment variables or a .env file (see README).",
    )
    parser.add_argument("--version", action="version", version=f"wa-gateway {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve_parser = commands.add_parser(
        "serve",
        help="run the web service (webhooks, simulator, admin API, metrics)",
        description="Serve webhooks, the simulator, the admin API and /metrics on GATEWAY_HOST:GATEWAY_PORT. "
        "Stops cleanly on SIGINT or SIGTERM: requests in flight finish and the store is closed.",
    )
    serve_parser.set_defaults(command=serve)

    worker_parser = commands.add_parser(
        "worker",
        help="run an extra outbound queue worker (for scale-out)",
        description="Run only the outbound queue worker, sharing the store with `serve`, to add sending capacity. "
        "Not available yet: the queue worker arrives with the channel adapters.",
    )
    worker_parser.set_defaults(command=worker)
    return parser


def serve(settings: Settings, arguments: argparse.Namespace) -> int:
    """Run the web application until a signal stops it."""
    print(
        f"wa-gateway {__version__} on http://{settings.host}:{settings.port} "
        f"(store: {settings.store_backend}; providers: {', '.join(settings.enabled_providers)})",
        flush=True,
    )
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
        print=None,
        access_log=None,
    )
    return 0


def worker(settings: Settings, arguments: argparse.Namespace) -> int:
    print("wa-gateway worker: the outbound queue worker is not available in this version", file=sys.stderr)
    return 2


def configuration_errors(error: ValidationError) -> str:
    """One line per problem, naming the variable; the rejected values are left out since
    they may be secrets."""
    lines = ["wa-gateway: configuration error"]
    for problem in error.errors(include_input=False, include_url=False):
        variable = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"  {variable}: {message}" if variable else f"  {message}")
    return "\n".join(lines)
