"""The OpenAPI 3.1 description of the admin API, built from the declared routes and models."""

import re
from typing import Any

from pydantic import BaseModel

from gateway import __version__
from gateway.admin.api import Operation
from gateway.conversation.catalog import LANGUAGES
from gateway.models import contact_id_schema
from gateway.notifications.events import EventType

PREFIX = "/api/v1"


def document(operations: list[Operation]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        entry: dict[str, Any] = {
            "summary": operation.summary,
            "responses": {str(status): {"description": text} for status, text in operation.answers.items()}
            | {
                "400": {"description": "the request cannot be read: a request line or header over 8 KiB"},
                "401": {"description": "no or wrong bearer token"},
            },
        }
        if operation.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(operation.body, schemas)}},
            }
            entry["responses"]["400"] = {"description": "the request cannot be read, or its body is not JSON"}
        if operation.body_content is not None:
            entry["requestBody"] = {"required": True, "content": operation.body_content}
        success = str(min(operation.answers))
        if operation.returns is not None:
            entry["responses"][success]["content"] = {"application/json": {"schema": _ref(operation.returns, schemas)}}
        if operation.returns_file:
            entry["responses"][success]["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
        if operation.body is not None or operation.query is not None:
            entry["responses"]["422"] = {"description": "invalid field; `error.fields` lists each path and problem"}
        else:
            refused = "a query parameter it does not take, named in `error.fields`"
            entry["responses"].setdefault("422", {"description": refused})
        parameters = _path_parameters(operation.path) + (_parameters(operation.query) if operation.query else [])
        if "{" in operation.path:
            entry["responses"].setdefault("404", {"description": "nothing by that name or id"})
        if parameters:
            entry["parameters"] = parameters
        paths.setdefault(PREFIX + operation.path, {})[operation.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "wa-gateway admin API", "version": __version__},
        "security": [{"bearer": []}],
        "paths": _shared(paths),
        "components": {
            "schemas": _shared(schemas) | {"ContactId": contact_id_schema()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def with_event_types(description: dict[str, Any], types: dict[str, EventType]) -> dict[str, Any]:
    """The document with `Event` as one variant per registered event type, told apart by `type`:
    each names its type and takes the data its type validates with (its EventData model, or the
    keys and numbers it requires), so a business system reads exactly what each type takes."""
    if not types:
        return description
    schemas = dict(description["components"]["schemas"])
    base = schemas["Event"]
    variants = {name: _event_variant(base, kind, schemas) for name, kind in sorted(types.items())}
    refs = {name: f"#/components/schemas/{_variant_name(name)}" for name in variants}
    schemas |= {_variant_name(name): variant for name, variant in variants.items()}
    schemas = _shared(schemas) | {"ContactId": contact_id_schema()}
    schemas["Event"] = {
        "title": "Event",
        "description": base.get("description", ""),
        "oneOf": [{"$ref": ref} for ref in refs.values()],
        "discriminator": {"propertyName": "type", "mapping": refs},
    }
    return description | {"components": description["components"] | {"schemas": schemas}}


def _variant_name(event_type: str) -> str:
    return f"Event.{event_type}"


def _event_variant(base: dict[str, Any], kind: EventType, schemas: dict[str, Any]) -> dict[str, Any]:
    properties = dict(base["properties"])
    properties["type"] = {"type": "string", "const": kind.type}
    properties["data"] = _ref(kind.data, schemas) if kind.data is not None else _required_keys(kind)
    required = [*base.get("required", []), "type", "data"]
    if kind.to_recipients and not kind.roles:
        properties["recipients"] = properties["recipients"] | {"minItems": 1}
        required.append("recipients")
    elif not kind.to_recipients:
        properties.pop("recipients")
    return base | {"title": f"Event {kind.type}", "properties": properties, "required": list(dict.fromkeys(required))}


def _required_keys(kind: EventType) -> dict[str, Any]:
    """The data of a type declared with `required` and `numeric` keys rather than a model."""
    numbers = {key: {"type": "number"} for key in kind.numeric}
    return {"type": "object", "properties": numbers, "required": list(kind.required), "additionalProperties": True}


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "phone": {"$ref": "#/components/schemas/ContactId"},
    "language": {"type": "string", "enum": list(LANGUAGES)},
}
"""What a path parameter takes, by its name, as the routes check it (gateway/admin/contacts.py's
and handovers.py's contact, templates.py's language); any other is a string."""


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": PATH_SCHEMAS.get(name, {"type": "string"})}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _shared(node: Any) -> Any:
    """The document with each contact id schema as one reference to components/schemas/ContactId."""
    if node == contact_id_schema():
        return {"$ref": "#/components/schemas/ContactId"}
    if isinstance(node, dict):
        return {key: _shared(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_shared(value) for value in node]
    return node


def _parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "deprecated": spec.get("deprecated", False),
            "schema": {k: v for k, v in spec.items() if k != "title"},
        }
        for name, spec in schema["properties"].items()
    ]
