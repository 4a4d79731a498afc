"""`wa-gateway send`, `templates` and `queue`: the admin API's services from a terminal,
straight on the configured store (a running `serve` sends what they queue)."""

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import ValidationError

from adapters.storage import STORE_ERRORS, open_store, unreachable_store
from gateway.clock import SystemClock
from gateway.listings import add_output_option, emit
from gateway.models import OutboundMessage
from gateway.notifications.previews import Unrenderable, preview_text
from gateway.notifications.template_service import TemplateService
from gateway.outbound.admission import Refused, admit
from gateway.outbound.outbox import Outbox
from gateway.ports.records import JobState, TemplateVersion
from gateway.ports.store import NotFound, Store
from gateway.settings import Settings
from gateway.templates import TemplateError
from gateway.validation import problems


class CommandFailed(Exception):
    """Something an operator asked for cannot be done; the message says why."""


def add_commands(commands: argparse._SubParsersAction) -> None:
    send = commands.add_parser(
        "send",
        help="Queue one message for a running gateway to send.",
        description="Queue one message, text or a stored template, for a running gateway to send.",
    )
    send.add_argument("--to", required=True, help="The recipient in E.164, such as +919812345678.")
    content = send.add_mutually_exclusive_group(required=True)
    content.add_argument("--text", help="The text to send.")
    content.add_argument("--template", help="A stored template, rendered in the recipient's language.")
    _add_param_option(send)
    send.add_argument(
        "--provider", help="twilio, meta, myoperator or simulator (default: the way the contact last wrote in)."
    )
    send.add_argument(
        "--force-queue",
        action="store_true",
        help="Queue free text even outside the contact's 24-hour window; the window is checked again when it is "
        "sent, at once, and it dies undelivered unless the contact has written by then.",
    )
    send.set_defaults(command=_on_store(lambda settings, store, arguments: _send(settings, store, arguments)))

    templates = commands.add_parser(
        "templates",
        help="List, show, preview, save, and roll back templates.",
        description="The notification and reply templates operators edit at run time, in the configured store.",
    )
    actions = templates.add_subparsers(required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="List the latest version of every template.")
    add_output_option(listing)
    listing.set_defaults(action=_list_templates)
    for name, handler, help_text in (
        ("show", _show_template, "Print the latest version of a template."),
        ("versions", _versions, "List every version of a template, newest first."),
        ("rollback", _rollback, "Make an earlier version the newest again."),
        ("preview", _preview, "Render the latest version with sample values, as a recipient would read it."),
    ):
        parser = actions.add_parser(name, help=help_text)
        parser.add_argument("name", help="The template's name, such as payment_due.")
        parser.add_argument("language", help="Its language: en, es, fr, pt, ar or hi.")
        if handler is _rollback:
            parser.add_argument("version", type=int, help="The version to restore.")
        if handler is _versions:
            add_output_option(parser)
        if handler is _preview:
            _add_param_option(parser)
        parser.set_defaults(action=handler)
    save = actions.add_parser("save", help="Save a new version from a file; one with a syntax error is refused.")
    save.add_argument("name", help="The template's name.")
    save.add_argument("language", help="Its language: en, es, fr, pt, ar or hi.")
    save.add_argument("file", type=Path, help="The file holding the template's body.")
    save.add_argument("--category", help="The template's category, such as billing.")
    save.set_defaults(action=_save_template)
    templates.set_defaults(
        command=_on_store(lambda settings, store, arguments: arguments.action(settings, store, arguments))
    )

    queue = commands.add_parser(
        "queue",
        help="Summarise the outbound queue, list dead letters, or retry one.",
        description="`queue` counts jobs by state; `queue dead` lists jobs that gave up; `queue retry JOB` "
        "queues a dead or suppressed job again.",
    )
    queue.add_argument("action", nargs="?", choices=("summary", "dead", "retry"), default="summary")
    queue.add_argument("job", nargs="?", help="The job to retry (its id, from `queue dead`).")
    add_output_option(queue)
    queue.set_defaults(command=_on_store(lambda settings, store, arguments: _queue(store, arguments)))


def _add_param_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        type=_key_value,
        metavar="KEY=VALUE",
        help="A value the template uses, such as amount=1860; repeat it for each.",
    )


def _key_value(pair: str) -> tuple[str, str]:
    key, equals, value = pair.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(f"{pair!r} is not KEY=VALUE")
    return key.strip(), value


def _on_store(work: Callable[[Settings, Store, argparse.Namespace], Awaitable[None]]):
    """A command that works on the configured store."""
    return lambda settings, arguments: run(settings, lambda store: work(settings, store, arguments))


def run(settings: Settings, work: Callable[[Store], Awaitable[None]]) -> int:
    """Open the store, do the work, close it; a refusal or an unreachable store prints one line
    on standard error and exits 1."""

    async def with_store() -> None:
        store = await open_store(settings.store_url, SystemClock())
        try:
            await work(store)
        finally:
            await store.close()

    try:
        asyncio.run(with_store())
    except CommandFailed as failure:
        print(f"wa-gateway: {failure}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # the output's reader stopped, not the store: main() ends quietly
    except STORE_ERRORS as error:
        print(f"wa-gateway: {unreachable_store(settings.store_backend, error)}", file=sys.stderr)
        return 1
    return 0


async def _send(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    fields: dict = {"recipient": arguments.to, "provider": arguments.provider}
    if arguments.text is not None:
        fields["text"] = arguments.text
    else:
        fields["template"] = {"name": arguments.template, "parameters": dict(arguments.param)}
    try:
        message = OutboundMessage.model_validate(fields)
    except ValidationError as error:
        raise CommandFailed("; ".join(problems(error))) from None
    try:
        await admit(
            message,
            store,
            settings.enabled_providers,
            SystemClock(),
            force_queue=arguments.force_queue,
            locality=settings.locality,
        )
    except Refused as refused:
        raise CommandFailed(f"not queued: {refused}") from None
    outbox = Outbox(store, settings.enabled_providers, settings.notification_provider, wake=lambda: None)
    job = await outbox.enqueue(message)
    print(f"queued job {job.id} for {message.recipient}")


async def _list_templates(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    rows = [_template_row(template) for template in await store.templates.list()]
    emit(rows, ("name", "language", "version", "category", "saved_by", "saved_at"), arguments.output, sys.stdout)


def _template_row(template: TemplateVersion) -> dict:
    return {
        "name": template.name,
        "language": template.language,
        "version": template.version,
        "category": template.category,
        "saved_by": template.saved_by,
        "saved_at": template.saved_at,
    }


async def _show_template(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    template = await store.templates.get(arguments.name, arguments.language)
    if template is None:
        raise CommandFailed(f"no template {arguments.name} in {arguments.language}")
    print(f"{template.name} ({template.language}) v{template.version}, saved by {template.saved_by}")
    print(template.body)


async def _versions(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    found = await store.templates.versions(arguments.name, arguments.language)
    if not found:
        raise CommandFailed(f"no template {arguments.name} in {arguments.language}")
    emit([_template_row(t) for t in found], ("version", "saved_at", "saved_by", "category"), arguments.output, sys.stdout)


async def _preview(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    """The template as the admin API's preview renders it, with the deployment's currency."""
    template = await store.templates.get(arguments.name, arguments.language)
    if template is None:
        raise CommandFailed(f"no template {arguments.name} in {arguments.language}")
    try:
        print(await preview_text(template, dict(arguments.param), store, settings.locality))
    except Unrenderable as error:
        what = f"{arguments.name} ({arguments.language}) v{template.version} cannot render"
        at_fault = f" --param {error.variable}" if error.variable else ""
        raise CommandFailed(f"{what}{at_fault}: {error}") from None


async def _save_template(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    try:
        saved = await TemplateService(store).save(
            arguments.name, arguments.language, arguments.file.read_text(), category=arguments.category
        )
    except (TemplateError, OSError) as error:
        raise CommandFailed(f"not saved: {error}") from None
    print(f"saved {saved.name} ({saved.language}) as v{saved.version}")


async def _rollback(settings: Settings, store: Store, arguments: argparse.Namespace) -> None:
    try:
        restored = await store.templates.rollback(arguments.name, arguments.language, arguments.version)
    except NotFound as error:
        raise CommandFailed(str(error)) from None
    print(f"{restored.name} ({restored.language}) is v{arguments.version} again, as v{restored.version}")


async def _queue(store: Store, arguments: argparse.Namespace) -> None:
    if arguments.action != "retry" and arguments.job is not None:
        raise CommandFailed(f"`queue {arguments.action}` takes no job; did you mean `queue retry {arguments.job}`?")
    if arguments.action == "summary":
        counts = await store.queue.counts()
        if arguments.output == "json":
            print(json.dumps({state.value: counts.get(state, 0) for state in JobState}))
        else:
            emit([{"state": s.value, "jobs": counts.get(s, 0)} for s in JobState], ("state", "jobs"), "table", sys.stdout)
    elif arguments.action == "dead":
        jobs = await store.queue.list(JobState.DEAD, 100)
        rows = [{"job": j.id, "recipient": j.message.get("recipient"), "failed_at": j.updated_at, "error": j.last_error} for j in jobs]
        emit(rows, ("job", "recipient", "failed_at", "error"), arguments.output, sys.stdout)
    else:
        await _retry(store, arguments.job)


async def _retry(store: Store, job_id: str | None) -> None:
    if job_id is None:
        raise CommandFailed("`queue retry` needs the job to retry: its id, from `queue dead`")
    job = await store.queue.get(job_id)
    if job is None:
        raise CommandFailed(f"no job {job_id}")
    if await store.queue.requeue(job_id) is None:
        raise CommandFailed(f"job {job_id} is {job.state.value}; only a dead or suppressed job can be retried")
    print(f"job {job_id} queued again")
