#!/usr/bin/env python3
"""Checks OpenLineage run events, one JSON object a line (as `qlik-connector discover --format openlineage`
prints them), with OpenLineage's own validator and refuses any departure from the spec.

openlineage-python ships no JSON schemas, only classes generated from the spec's schemas (attrs classes:
their fields, which of them have defaults, their types and validators). So each event is structured into
those classes strictly: a key the spec does not define, a key the spec requires, a value of the wrong type,
a value a class's validator refuses (eventTime, runId, eventType ...) is a refusal naming where it is.
Facets are checked by their name: `schema` and `columnLineage` with the package's facet classes, the
custom facet `qlikConnector_chartUsage` with jsonschema against docs/openlineage/ChartUsageDatasetFacet.json
(its OpenLineage base, `DatasetFacet`, with the package's class).

Usage: check.py [EVENTS.ndjson]   (standard input without a file)
Exit: 0 every event valid; 1 some refused (each refusal on standard error); 2 the checker cannot run.
Runs in the virtualenv scripts/openlineage/setup.sh makes.
"""
from __future__ import annotations

import enum
import json
import pathlib
import sys
import types
import typing
from importlib.metadata import version
from urllib.parse import urldefrag

import attr
import jsonschema
from openlineage.client.generated import base
from openlineage.client.generated.column_lineage_dataset import ColumnLineageDatasetFacet
from openlineage.client.generated.schema_dataset import SchemaDatasetFacet

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent.parent
CHART_USAGE_SCHEMA = REPOSITORY / "docs" / "openlineage" / "ChartUsageDatasetFacet.json"

# The dataset facets the connector writes that the spec defines, by the name the spec gives them.
STANDARD_DATASET_FACETS: dict[str, type] = {"schema": SchemaDatasetFacet, "columnLineage": ColumnLineageDatasetFacet}
CUSTOM_DATASET_FACETS: dict[str, pathlib.Path] = {"qlikConnector_chartUsage": CHART_USAGE_SCHEMA}

# Keys the spec requires that the generated classes give a default (so constructing them would not notice).
SPEC_REQUIRED: dict[type, tuple[str, ...]] = {
    base.BaseEvent: ("eventTime", "producer", "schemaURL"),
    base.BaseFacet: ("_producer", "_schemaURL"),
}


class Refused(Exception):
    """One departure from the spec, with where it is."""


def same_definition(url: str, cls: type) -> bool:
    """Whether a schema URL names the definition a generated class was made from (any version of its file)."""
    given, given_fragment = urldefrag(url)
    expected, expected_fragment = urldefrag(cls._get_schema())
    return given.rsplit("/", 1)[-1] == expected.rsplit("/", 1)[-1] and given_fragment == expected_fragment


def structure(tp: typing.Any, value: typing.Any, path: str) -> typing.Any:
    """The value as an instance of the spec's type `tp`, or Refused."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        members = [arg for arg in args if arg is not type(None)]
        if len(members) != 1:
            raise Refused(f"{path}: the checker does not know how to check the type {tp}")
        return structure(members[0], value, path)
    if origin is list:
        if not isinstance(value, list):
            raise Refused(f"{path}: expected an array, found {json.dumps(value)[:80]}")
        return [structure(args[0], item, f"{path}[{index}]") for index, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise Refused(f"{path}: expected an object, found {json.dumps(value)[:80]}")
        if isinstance(args[1], type) and issubclass(args[1], base.BaseFacet):
            return {key: facet(args[1], key, item, f"{path}.{key}") for key, item in value.items()}
        return {key: structure(args[1], item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        allowed = [member.value for member in tp]
        if value not in allowed:
            raise Refused(f"{path}: {json.dumps(value)} is not one of {', '.join(allowed)}")
        return tp(value)
    if isinstance(tp, type) and attr.has(tp):
        return structure_class(tp, value, path)
    if tp in (str, int, float, bool):
        # JSON's true is not a number, and a whole number is a valid float.
        valid = isinstance(value, tp) and not (tp in (int, float) and isinstance(value, bool))
        valid = valid or (tp is float and isinstance(value, int) and not isinstance(value, bool))
        if not valid:
            raise Refused(f"{path}: expected {tp.__name__}, found {json.dumps(value)[:80]}")
        return value
    raise Refused(f"{path}: the checker does not know how to check the type {tp}")


def structure_class(cls: type, value: typing.Any, path: str, only: typing.Iterable[str] | None = None) -> typing.Any:
    """An instance of a generated class from a JSON object: no unknown key, every required key, each value typed."""
    if not isinstance(value, dict):
        raise Refused(f"{path}: expected an object ({cls.__name__}), found {json.dumps(value)[:80]}")
    hints = typing.get_type_hints(cls)
    fields = {field.name: field for field in attr.fields(cls)}
    unknown = sorted(set(value) - set(fields)) if only is None else []
    if unknown:
        raise Refused(f"{path}: {', '.join(repr(key) for key in unknown)} not defined by the spec's {cls.__name__} "
                      f"(it defines {', '.join(sorted(fields))})")
    required = {name for name, field in fields.items() if field.default is attr.NOTHING}
    for spec_class, keys in SPEC_REQUIRED.items():
        if issubclass(cls, spec_class):
            required.update(keys)
    arguments, assigned = {}, {}
    for name, field in fields.items():
        if name not in value:
            if name in required:
                raise Refused(f"{path}: the spec's {cls.__name__} requires '{name}', which is missing")
            continue
        # The schema URLs are fields the classes set themselves (init=False): given afterwards, through their validators.
        (arguments if field.init else assigned)[field.alias if field.init else name] = structure(hints[name], value[name], f"{path}.{name}")
    try:
        instance = cls(**arguments)
        for name, item in assigned.items():
            setattr(instance, name, item)
        return instance
    except (TypeError, ValueError) as error:
        raise Refused(f"{path}: {cls.__name__} refuses it: {error}") from error


def facet(kind: type, name: str, value: typing.Any, path: str) -> typing.Any:
    """A facet checked against the definition its name stands for; a facet the checker has no schema for is refused."""
    if kind is base.DatasetFacet and name in STANDARD_DATASET_FACETS:
        cls = STANDARD_DATASET_FACETS[name]
        instance = structure_class(cls, value, path)
        if not same_definition(value["_schemaURL"], cls):
            raise Refused(f"{path}._schemaURL: {value['_schemaURL']} does not name {cls._get_schema()}")
        return instance
    if kind is base.DatasetFacet and name in CUSTOM_DATASET_FACETS:
        return custom_facet(CUSTOM_DATASET_FACETS[name], value, path)
    raise Refused(f"{path}: no schema is known for a {kind.__name__} named '{name}', so it cannot be checked")


def custom_facet(schema_path: pathlib.Path, value: typing.Any, path: str) -> typing.Any:
    """A custom facet against the definition its _schemaURL points to in the repository's schema: the parts of its
    allOf that are OpenLineage's own definitions through the package's classes, the others with jsonschema."""
    schema = json.loads(schema_path.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    if not isinstance(value, dict) or not isinstance(value.get("_schemaURL"), str):
        raise Refused(f"{path}: a facet needs a _schemaURL naming its schema definition")
    document, pointer = urldefrag(value["_schemaURL"])
    if document != schema["$id"] or not pointer.startswith("/"):
        raise Refused(f"{path}._schemaURL: {value['_schemaURL']} is not a definition in {schema['$id']} "
                      f"(expected {schema['$id']}#/$defs/<definition>)")
    definition: typing.Any = schema
    for step in pointer.strip("/").split("/"):
        if not isinstance(definition, dict) or step not in definition:
            raise Refused(f"{path}._schemaURL: #{pointer} does not resolve in {schema_path.name}")
        definition = definition[step]
    instance = None
    for part in definition.get("allOf", [definition]):
        reference = part.get("$ref", "")
        if reference.startswith("https://openlineage.io/"):
            bases = [cls for cls in (base.DatasetFacet, base.BaseFacet) if same_definition(reference, cls)]
            if not bases:
                raise Refused(f"{path}: {schema_path.name} builds on {reference}, which the checker cannot check")
            own = {field.name for field in attr.fields(bases[0])}
            instance = structure_class(bases[0], {key: item for key, item in value.items() if key in own}, path, only=own)
            continue
        errors = sorted(validator_class(part).iter_errors(value), key=lambda error: list(error.absolute_path))
        if errors:
            error = errors[0]
            where = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in error.absolute_path)
            raise Refused(f"{path}{where}: {error.message} ({schema_path.name})")
    if instance is None:
        raise Refused(f"{path}: {schema_path.name}'s definition does not build on OpenLineage's DatasetFacet")
    return instance


def check_event(line: str, number: int) -> None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError as error:
        raise Refused(f"event {number}: not JSON: {error}") from error
    job = event.get("job", {}).get("name") if isinstance(event, dict) and isinstance(event.get("job"), dict) else None
    where = f"event {number}" + (f" (job '{job}')" if job else "")
    instance = structure_class(base.RunEvent, event, where)
    if not same_definition(event["schemaURL"], base.RunEvent):
        raise Refused(f"{where}.schemaURL: {event['schemaURL']} does not name {base.RunEvent._get_schema()}")
    del instance


def main(arguments: list[str]) -> int:
    if len(arguments) > 1:
        print("usage: check.py [EVENTS.ndjson] (one OpenLineage run event a line; standard input without a file)", file=sys.stderr)
        return 2
    text = pathlib.Path(arguments[0]).read_text() if arguments else sys.stdin.read()
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        print("openlineage-check: no events to check (expected one OpenLineage run event a line)", file=sys.stderr)
        return 1
    refusals = []
    for number, line in enumerate(lines, start=1):
        try:
            check_event(line, number)
        except Refused as refusal:
            refusals.append(str(refusal))
    for refusal in refusals:
        print(f"openlineage-check: refused: {refusal}", file=sys.stderr)
    if refusals:
        return 1
    print(f"openlineage-check: {len(lines)} events valid (openlineage-python {version('openlineage-python')}, "
          f"jsonschema {version('jsonschema')})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
