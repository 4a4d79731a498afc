"""`wa-gateway send`, `templates` and `queue`: the admin API's services from a terminal,
straight on the configured store (a running `serve` sends what they queue)."""

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import ValidationError

from adapters.storage import open_store
from gateway.clock import SystemClock
from gateway.models import OutboundMessage
from gateway.notifications.template_service import TemplateService
from gateway.outbound.outbox import Outbox
from gateway.ports.records import JobState
from gateway.ports.store import NotFound, Store
from gateway.settings import Settings
from gateway.templates import TemplateError
from gateway.validation import problems


class CommandFailed(Exception):
    """Something an operator asked for cannot be done; the message says why."""


def add_commands(commands: argparse._SubParsersAction) -> None:
    send = commands.add_parser(
        "send", help="queue one message", description="Queue one message for a running gateway to send."
    )
    send.add_argument("--to", required=True, help="the recipient, E.164 (+919812345678)")
    content = send.add_mutually_exclusive_group(required=True)
    content.add_argument("--text", help="the text to send")
    content.add_argument("--template", help="a stored template to render in the recipient's language")
    send.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a template value (repeatable)")
    send.add_argument("--provider", help="twilio, meta, myoperator or simulator (default: the contact's last)")
    send.set_defaults(
        command=lambda settings, arguments: run(settings, lambda store: _send(settings, store, arguments))
    )

    templates = commands.add_parser("templates", help="list, show, save, version and roll back templates")
    actions = templates.add_subparsers(required=True, metavar="ACTION")
    actions.add_parser("list", help="the latest version of every template").set_defaults(action=_list_templates)
    for name, handler, extra in (
        ("show", _show_template, ()),
        ("versions", _versions, ()),
        ("rollback", _rollback, ("version",)),
    ):
        parser = actions.add_parser(name, help=f"{name} a template")
        parser.add_argument("name")
        parser.add_argument("language")
        for argument in extra:
            parser.add_argument(argument, type=int)
        parser.set_defaults(action=handler)
    save = actions.add_parser("save", help="save a new version from a file; a syntax error is refused")
    save.add_argument("name")
    save.add_argument("language")
    save.add_argument("file", type=Path)
    save.add_argument("--category")
    save.set_defaults(action=_save_template)
    templates.set_defaults(
        command=lambda settings, arguments: run(settings, lambda store: arguments.action(store, arguments))
    )

    queue = commands.add_parser("queue", help="queue summary, dead letters, retry one")
    queue.add_argument("action", nargs="?", choices=("summary", "dead", "retry"), default="summary")
    queue.add_argument("job", nargs="?", help="the job to retry")
    queue.set_defaults(command=lambda settings, arguments: run(settings, lambda store: _queue(store, arguments)))


def run(settings: Settings, work: Callable[[Store], Awaitable[None]]) -> int:
    """Open the store, do the work, close it; a refusal prints its reason and exits 1."""

    async def with_store() -> None:
        store = await open_store(settings.store_url, SystemClock())
        try:
            await work(store)
        finally:
            await store.close()

    try:
        asyncio.run(with_store())
    except CommandFailed as failure:
        print(f"wa-gateway: {failure}")
        return 1
    return 0


async def _send(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    fields: dict = {"recipient": arguments.to, "provider": arguments.provider}
    if arguments.text is not None:
        fields["text"] = arguments.text
    else:
        parameters = dict(pair.split("=", 1) for pair in arguments.param if "=" in pair)
        fields["template"] = {"name": arguments.template, "parameters": parameters}
    try:
        message = OutboundMessage.model_validate(fields)
    except ValidationError as error:
        raise CommandFailed("; ".join(problems(error))) from None
    outbox = Outbox(store, settings.enabled_providers, settings.notification_provider, wake=lambda: None)
    job = await outbox.enqueue(message)
    print(f"queued job {job.id} for {message.recipient}")


async def _list_templates(store: Store, arguments: argparse.Namespace) -> None:
    for template in await store.templates.list():
        print(
            f"{template.name}  {template.language}  v{template.version}  {template.category or '-'}  by {template.saved_by}"
        )


async def _show_template(store: Store, arguments: argparse.Namespace) -> None:
    template = await store.templates.get(arguments.name, arguments.language)
    if template is None:
        raise CommandFailed(f"no template {arguments.name} in {arguments.language}")
    print(f"{template.name} ({template.language}) v{template.version}, saved by {template.saved_by}")
    print(template.body)


async def _versions(store: Store, arguments: argparse.Namespace) -> None:
    for template in await store.templates.versions(arguments.name, arguments.language):
        print(f"v{template.version}  {template.saved_at:%Y-%m-%d %H:%M}  by {template.saved_by}")


async def _save_template(store: Store, arguments: argparse.Namespace) -> None:
    try:
        saved = await TemplateService(store).save(
            arguments.name, arguments.language, arguments.file.read_text(), category=arguments.category
        )
    except (TemplateError, OSError) as error:
        raise CommandFailed(f"not saved: {error}") from None
    print(f"saved {saved.name} ({saved.language}) as v{saved.version}")


async def _rollback(store: Store, arguments: argparse.Namespace) -> None:
    try:
        restored = await store.templates.rollback(arguments.name, arguments.language, arguments.version)
    except NotFound as error:
        raise CommandFailed(str(error)) from None
    print(f"{restored.name} ({restored.language}) is v{arguments.version} again, as v{restored.version}")


async def _queue(store: Store, arguments: argparse.Namespace) -> None:
    if arguments.action == "summary":
        print(json.dumps(await store.queue.counts()))
    elif arguments.action == "dead":
        for job in await store.queue.list(JobState.DEAD, 100):
            print(f"{job.id}  {job.message.get('recipient')}  {job.last_error}")
    else:
        if arguments.job is None or await store.queue.requeue(arguments.job) is None:
            raise CommandFailed(f"job {arguments.job} is not dead or suppressed")
        print(f"job {arguments.job} queued again")
