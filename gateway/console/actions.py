"""What an operator does to a conversation: take, reply, hand back, close, tag, pin, block and
mark read. Each is a POST form that works without JavaScript (answered by a redirect back to
the conversation); the page's script sends the same form by fetch and gets 204, or the error
as JSON to show next to the control. A refusal is said in words and loses nothing typed."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from gateway.appkeys import CONSOLE_WATCHER, HANDOVERS
from gateway.console import guard
from gateway.console.pages import contact_of, conversation_view, inbox_view, mark_read, offered_templates
from gateway.console.rendering import render
from gateway.console.words import conversation_path
from gateway.handover.service import ContactBlocked, HandoverConflict, OutsideWindow
from gateway.models import MAX_BODY_CHARS, Content, TemplateRef

routes = web.RouteTableDef()

FETCHED = "X-Console-Fetch"
"""The header the page's script sends, asking for 204 or a JSON error instead of a page."""
MAX_TAGS = 10

Tag = Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=r"^[\w -]+$")]


class ReplyForm(BaseModel):
    """Free text inside the 24-hour window, or an approved template with its parameters."""

    model_config = ConfigDict(str_strip_whitespace=True)
    text: str | None = Field(None, min_length=1, max_length=MAX_BODY_CHARS)
    template: str | None = Field(None, min_length=1, description="an approved template's name")
    language: str | None = None
    parameters: dict[str, Annotated[str, StringConstraints(min_length=1, max_length=1024)]] = {}

    def content(self) -> Content:
        if self.template:
            return Content(template=TemplateRef(name=self.template, language=self.language, parameters=self.parameters))
        if self.text is None:
            raise ValueError("write a message first")
        return Content(text=self.text)


class TagsForm(BaseModel):
    tags: list[Tag] = Field(max_length=MAX_TAGS)

    @field_validator("tags", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return list(dict.fromkeys(tag.strip() for tag in value.split(",") if tag.strip()))
        return value


class SwitchForm(BaseModel):
    on: bool


@routes.post("/contacts/{contact}/take")
async def take(request: web.Request) -> web.Response:
    return await _act(request, "state", lambda handovers, contact, me: handovers.take(contact, me))


@routes.post("/contacts/{contact}/hand-back")
async def hand_back(request: web.Request) -> web.Response:
    return await _act(request, "state", lambda handovers, contact, me: handovers.hand_back(contact, me))


@routes.post("/contacts/{contact}/close")
async def close(request: web.Request) -> web.Response:
    return await _act(request, "state", lambda handovers, contact, me: handovers.close(contact, me))


@routes.post("/contacts/{contact}/read")
async def read(request: web.Request) -> web.Response:
    """The page's script says the operator saw new messages arrive in the open conversation."""
    return await _act(request, "state", lambda handovers, contact, me: mark_read(request, contact))


@routes.post("/contacts/{contact}/reply")
async def reply(request: web.Request) -> web.Response:
    form = await request.post()
    parameters = {key.removeprefix("parameter."): value for key, value in form.items() if key.startswith("parameter.")}
    fields = {key: form[key] for key in ("text", "template", "language") if form.get(key)}
    try:
        content = ReplyForm.model_validate(fields | {"parameters": parameters}).content()
    except ValidationError as error:
        return await _refused(request, "composer", "{}: {}".format(*field_problem(error)), 422)
    except ValueError as error:
        return await _refused(request, "composer", f"text: {error}", 422)
    if content.template is not None and (problem := await _unapproved(request, content.template)):
        return await _refused(request, "composer", problem, 422)
    return await _act(request, "composer", lambda handovers, contact, me: handovers.reply(contact, me, content))


@routes.post("/contacts/{contact}/tags")
async def tags(request: web.Request) -> web.Response:
    try:
        chosen = TagsForm.model_validate({"tags": (await request.post()).get("tags", "")}).tags
    except ValidationError as error:
        return await _refused(request, "tags", "{}: {}".format(*field_problem(error)), 422)
    return await _act(request, "tags", lambda handovers, contact, me: handovers.set_tags(contact, chosen, me))


@routes.post("/contacts/{contact}/pin")
async def pin(request: web.Request) -> web.Response:
    return await _switch(request, "pin", lambda handovers, contact, on, me: handovers.set_pinned(contact, on, me))


@routes.post("/contacts/{contact}/block")
async def block(request: web.Request) -> web.Response:
    return await _switch(request, "block", lambda handovers, contact, on, me: handovers.set_blocked(contact, on, me))


async def _switch(request: web.Request, control: str, change: Callable[..., Awaitable[Any]]) -> web.Response:
    try:
        on = SwitchForm.model_validate({"on": (await request.post()).get("on")}).on
    except ValidationError:
        return await _refused(request, control, "on: must be true or false", 422)
    return await _act(request, control, lambda handovers, contact, me: change(handovers, contact, on, me))


async def _unapproved(request: web.Request, template: TemplateRef) -> str | None:
    """Why the composer may not send `template` to this contact (it is not one it offers, or a
    parameter is missing), or None."""
    handovers = request.config_dict[HANDOVERS]
    card = await handovers.card(contact_of(request))
    for offered in await offered_templates(handovers, card):
        if (offered["name"], offered["language"]) == (template.name, template.language):
            missing = [name for name in offered["parameters"] if name not in template.parameters]
            return f"parameters.{missing[0]}: Field required" if missing else None
    return f"template: {template.name} ({template.language}) is not approved for this contact's provider"


def field_problem(error: ValidationError) -> tuple[str, str]:
    """The form field at fault and what is wrong with it, in words."""
    problem = error.errors()[0]
    field = ".".join(str(part) for part in problem["loc"]) or "form"
    return field, problem["msg"].removeprefix("Value error, ")


async def _act(request: web.Request, control: str, action: Callable[..., Awaitable[Any]]) -> web.Response:
    """Do `action` as the signed-in operator and answer for the page; a refusal is shown
    next to `control`."""
    contact = contact_of(request)
    handovers = request.config_dict[HANDOVERS]
    try:
        await action(handovers, contact, guard.operator_of(request))
    except HandoverConflict:
        card = await handovers.card(contact)
        return await _refused(
            request, control, f"{card.assigned_to} has this conversation now; only they can act on it."
        )
    except OutsideWindow:
        return await _refused(
            request,
            control,
            "The contact last wrote more than 24 hours ago, so WhatsApp delivers only an approved template now.",
        )
    except ContactBlocked:
        return await _refused(request, control, "This contact is blocked: unblock them to write to them.")
    request.config_dict[CONSOLE_WATCHER].wake()
    if request.headers.get(FETCHED):
        return web.Response(status=204)
    raise web.HTTPSeeOther(conversation_path(contact))


async def _refused(request: web.Request, control: str, message: str, status: int = 409) -> web.Response:
    """The refusal in words: JSON for the page's script, else the conversation page again
    with the message beside the control and the composer holding what was typed."""
    if request.headers.get(FETCHED):
        return web.json_response({"error": {"status": status, "field": control, "message": message}}, status=status)
    contact = contact_of(request)
    typed = (await request.post()).get("text", "")
    shown = await conversation_view(request, contact, error={"control": control, "message": message}, typed=typed)
    return render(request, "conversation.html", await inbox_view(request) | shown, status=status)
