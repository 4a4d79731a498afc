"""The OpenAPI 3.1 description of the admin API, built from the declared routes and models."""

import re
from typing import Any

from pydantic import BaseModel

from gateway import __version__
from gateway.admin.api import Operation
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
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def with_event_data(description: dict[str, Any], types: dict[str, EventType]) -> dict[str, Any]:
    """The document with each event type's data model in components/schemas, named under the
    event's `data` by type, so a business system reads what each type carries."""
    schemas = dict(description["components"]["schemas"])
    typed = {name: _ref(kind.data, schemas)["$ref"] for name, kind in sorted(types.items()) if kind.data}
    if not typed:
        return description
    event = dict(schemas["Event"], properties=dict(schemas["Event"]["properties"]))
    listing = "; ".join(f"`{name}`: {ref}" for name, ref in typed.items())
    event["properties"]["data"] = event["properties"]["data"] | {
        "description": f"the event's data, as its type's model says: {listing}",
        "x-data-by-type": {name: {"$ref": ref} for name, ref in typed.items()},
    }
    schemas["Event"] = event
    return description | {"components": description["components"] | {"schemas": schemas}}


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]


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
