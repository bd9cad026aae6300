"""The fast path of decoding: msgspec checks the common event in C, pydantic judges the rest.

`codec.decode` asks `fast_event(raw)` first. It returns the very objects pydantic's
validation would make (same classes, fields, values and set fields), or None whenever it is
not certain of that: the caller then asks pydantic, the reference, for the verdict and its
reason. So the fast path may refuse more than the reference (a refusal only costs time) but
must never accept anything the reference would refuse or read differently; the property
tests in tests/unit/core/test_fast_decode.py check exactly that on random and mutated lines.

The msgspec types are derived from the pydantic models at import (`_derive`), so the rules
stay written once, in `events.py`; a rule the derivation does not know how to carry over
(a new pattern, a validator of another kind) stops the import rather than be skipped.
Three things are checked on the raw line instead of per field, because msgspec differs there:
- the identifier pattern (no control characters): msgspec would run Python's `re` on every
  id, slower than the whole decode. A JSON string can hold a control character only as an
  escape (a backslash), a raw DEL (0x7f) or a C1 character (UTF-8 0xc2 0x80-0x9f; raw bytes
  below 0x20 are not JSON). A line with none of those three holds none anywhere.
- fractions of a second beyond microseconds: msgspec rounds them, pydantic truncates; a
  line with seven digits after a point goes to pydantic.
- nothing else: every other difference msgspec has (lax numbers, booleans as strings, Unix
  times, unusual timestamp forms, duplicate tags) makes it refuse, and pydantic decides.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
import typing
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Final, Literal

import annotated_types
import msgspec
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from floorwatch.core.events import EVENT_TYPES, IDENTIFIER_PATTERN, AnyEvent

_new = object.__new__
# The slots of every pydantic model, set through their descriptors: half the cost of object.__setattr__.
_SLOTS = {
    name: BaseModel.__dict__[name].__set__
    for name in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
}
_UNSET: Final = msgspec.UNSET
_FRACTION_BEYOND_MICROSECONDS = re.compile(rb"\.\d{7}")
_UNSUPPORTED = "fast decoding cannot carry over {what} of {where}; teach floorwatch/core/fast_decode.py"
# Model settings the derivation knows: anything else (aliases, stripping, coercion) could
# make pydantic read a line differently from msgspec. `allow_inf_nan` either way: msgspec's JSON
# never yields NaN or infinity (it refuses `NaN` and `1e400`), so it refuses at least what pydantic does.
_KNOWN_CONFIG = {"frozen", "extra", "json_schema_extra", "title", "allow_inf_nan"}

Convert = Callable[[Any], Any]

# Ids naming one of a few thousand agents, teams, sites or queues, millions of times over: interned,
# one string object per value, as pydantic's parser (its string cache) gave the fold. Outputs kept
# for a whole log then share their ids, and the fold's dict lookups by agent and queue meet the same
# object (that wins back the interning's cost; docs/performance.md). Not interned: unique ids
# (events, contacts) and an agent's queue list (only the latest is kept; interning it cost more).
_SHARED_FIELDS: Final = frozenset({"agent_id", "team_id", "site_id", "queue_id", "to_queue_id", "to_agent_id"})


def _sharing(annotation: Any) -> Convert:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return _shared
    if annotation is str:
        return sys.intern
    raise TypeError(_UNSUPPORTED.format(what=f"sharing values of type {annotation}", where="_SHARED_FIELDS"))


def _shared(value: str | None) -> str | None:
    return value if value is None else sys.intern(value)


def fast_event(raw: bytes | str) -> AnyEvent | None:
    """The event pydantic would make of `raw`, or None to say: ask pydantic."""
    line = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    # find(int) is memchr, twice as fast as `in` here
    if line.find(0x5C) >= 0 or line.find(0x7F) >= 0 or (not line.isascii() and line.find(0xC2) >= 0):
        return None  # may hold a control character (an escape, DEL or C1): the identifier pattern decides
    if _FRACTION_BEYOND_MICROSECONDS.search(line) is not None:
        return None
    try:
        decoded = _DECODER.decode(line)
        return _BUILD[type(decoded)](decoded)  # type: ignore[no-any-return]
    except (msgspec.DecodeError, ValueError, AssertionError):  # what pydantic reports as invalid
        return None


class _Plan:
    """How to turn one derived struct back into its pydantic model, as validation would: the
    same `__dict__` (field order included), set fields and empty extras, then the model's
    'after' validators. `build` is generated once per model (as dataclasses generate their
    `__init__`): a loop over fields cost more than the whole msgspec decode."""

    def __init__(self, model: type[BaseModel], tag: str | None):
        self.model = model
        self.tag = tag
        self.fields: list[tuple[str, bool, Any, Convert | None]] = []  # name, required, default, convert
        self.build: Callable[[Any], BaseModel] = self._unready

    def _unready(self, source: Any) -> BaseModel:
        raise RuntimeError(f"the fast plan for {self.model.__name__} was never generated")

    def generate(self) -> None:
        scope: dict[str, Any] = {"_new": _new, "_UNSET": _UNSET, "_model": self.model}
        scope.update({f"_set{index}": setter for index, setter in enumerate(_SLOTS.values())})
        required = [name for name, needed, _, _ in self.fields if needed]
        lines = [f"    given = {set(required)!r}" if required else "    given = set()"]
        entries = []
        for index, (name, needed, default, convert) in enumerate(self.fields):
            if name == "type" and self.tag is not None:
                entries.append(f"{name!r}: {self.tag!r}")
                continue
            value = f"source.{name}"
            if convert is not None:
                scope[f"_convert{index}"] = convert
            if not needed:
                scope[f"_default{index}"] = default
                lines += [
                    f"    value{index} = source.{name}",
                    f"    if value{index} is _UNSET:",
                    f"        value{index} = _default{index}",
                    "    else:",
                    f"        given.add({name!r})",
                ]
                if convert is not None:
                    lines.append(f"        value{index} = _convert{index}(value{index})")
                value = f"value{index}"
            elif convert is not None:
                value = f"_convert{index}(source.{name})"
            entries.append(f"{name!r}: {value}")
        lines += [
            "    model = _new(_model)",
            f"    _set0(model, {{{', '.join(entries)}}})",  # the slots in _SLOTS' order
            "    _set1(model, given)",
            "    _set2(model, None)",
            "    _set3(model, None)",
        ]
        for index, decorator in enumerate(self.model.__pydantic_decorators__.model_validators.values()):
            scope[f"_after{index}"] = decorator.func
            lines.append(f"    model = _after{index}(model)")
        lines.append("    return model")
        exec("def build(source):\n" + "\n".join(lines), scope)
        self.build = scope["build"]


def _derive(model: type[BaseModel], tag: str | None = None) -> tuple[type[msgspec.Struct], Convert]:
    """A msgspec struct with the model's fields and constraints, and how to build the model from it."""
    _check_model(model)
    plan = _Plan(model, tag)
    fields: list[tuple[str, Any, Any]] = []
    for name, info in model.model_fields.items():
        if name == "type" and tag is not None:
            plan.fields.append((name, True, None, None))  # the union's tag: msgspec has matched it
            continue
        spec, convert = _field(info, f"{model.__name__}.{name}")
        if name in _SHARED_FIELDS:
            convert = _chain(convert, [_sharing(info.annotation)])
        required = info.is_required()
        plan.fields.append((name, required, None if required else info.get_default(), convert))
        fields.append((name, spec if required else spec | msgspec.UnsetType, msgspec.NODEFAULT if required else _UNSET))
    plan.generate()
    struct = msgspec.defstruct(
        f"Fast{model.__name__}",
        fields,
        kw_only=True,
        frozen=True,
        forbid_unknown_fields=True,
        tag_field="type" if tag is not None else None,
        tag=tag,
    )
    return struct, plan.build


def _check_model(model: type[BaseModel]) -> None:
    config = dict(model.model_config)
    unknown = set(config) - _KNOWN_CONFIG
    if unknown or config.get("extra") != "forbid":
        raise TypeError(_UNSUPPORTED.format(what=f"the settings {sorted(unknown) or ['extra']}", where=model.__name__))
    decorators = model.__pydantic_decorators__
    others = [d for d in decorators.model_validators.values() if d.info.mode != "after"]
    if others or decorators.field_validators or decorators.validators or decorators.root_validators:
        what = "a validator other than an 'after' model validator"
        raise TypeError(_UNSUPPORTED.format(what=what, where=model.__name__))


def _field(info: FieldInfo, where: str) -> tuple[Any, Convert | None]:
    if info.alias is not None or info.validation_alias is not None:
        raise TypeError(_UNSUPPORTED.format(what="an alias", where=where))
    return _type(info.annotation, info.metadata, where)


def _type(annotation: Any, metadata: list[Any], where: str) -> tuple[Any, Convert | None]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *extra = typing.get_args(annotation)
        more = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        return _type(inner, [*more, *metadata], where)
    if origin in (typing.Union, types.UnionType):
        return _optional(annotation, metadata, where)
    after = [_plain_validator(m.func, where) for m in metadata if isinstance(m, AfterValidator)]
    constraints = _constraints([m for m in metadata if not isinstance(m, AfterValidator)], where)
    spec, convert = _shape(annotation, origin, where)
    if constraints:
        spec = Annotated[spec, msgspec.Meta(**constraints)]
    if after:  # run as pydantic runs them; a ValueError sends the line to pydantic for its reason
        convert = _chain(convert, after)
    return spec, convert


def _plain_validator(func: Any, where: str) -> Convert:
    """An AfterValidator taking the value alone (one taking pydantic's `info` too is not carried over)."""
    parameters = inspect.signature(func).parameters.values()
    if [p.kind for p in parameters] != [inspect.Parameter.POSITIONAL_OR_KEYWORD]:
        raise TypeError(_UNSUPPORTED.format(what=f"the validator {func.__name__}", where=where))
    return typing.cast(Convert, func)


def _shape(annotation: Any, origin: Any, where: str) -> tuple[Any, Convert | None]:
    if annotation in (str, float, bool, datetime) or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return annotation, None
    if origin is Literal:
        return annotation, None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _derive(annotation)
    if origin is tuple:
        item, ellipsis = typing.get_args(annotation)
        if ellipsis is not Ellipsis:
            raise TypeError(_UNSUPPORTED.format(what=f"the tuple type {annotation}", where=where))
        spec, convert = _type(item, [], where)
        each = None if convert is None else (lambda items: tuple(map(convert, items)))
        return tuple.__class_getitem__((spec, ...)), each
    raise TypeError(_UNSUPPORTED.format(what=f"the type {annotation}", where=where))


def _optional(annotation: Any, metadata: list[Any], where: str) -> tuple[Any, Convert | None]:
    """`X | None`: the field's constraints are the X's, as pydantic applies them."""
    options = [a for a in typing.get_args(annotation) if a is not type(None)]
    if len(options) != 1 or len(typing.get_args(annotation)) != 2:
        raise TypeError(_UNSUPPORTED.format(what=f"the union {annotation}", where=where))
    spec, convert = _type(options[0], metadata, where)
    return spec | None, (None if convert is None else lambda value: None if value is None else convert(value))


def _constraints(metadata: list[Any], where: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.MinLen):
            found["min_length"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            found["max_length"] = item.max_length
        elif isinstance(item, annotated_types.Ge):
            found["ge"] = item.ge
        elif isinstance(item, annotated_types.Le):
            found["le"] = item.le
        elif getattr(item, "pattern", None) == IDENTIFIER_PATTERN and len(vars(item)) == 1:
            continue  # checked on the raw line (module docstring)
        else:
            raise TypeError(_UNSUPPORTED.format(what=f"the constraint {item!r}", where=where))
    return found


def _chain(first: Convert | None, then: list[Convert]) -> Convert:
    if first is None and len(then) == 1:
        return then[0]

    def convert(value: Any) -> Any:
        if first is not None:
            value = first(value)
        for step in then:
            value = step(value)
        return value

    return convert


def _union() -> tuple[msgspec.json.Decoder[Any], dict[type, Convert]]:
    plans: dict[type, Convert] = {}
    for tag, model in EVENT_TYPES.items():
        struct, plan = _derive(model, tag)
        plans[struct] = plan
    return msgspec.json.Decoder(typing.Union[tuple(plans)]), plans  # noqa: UP007 (a runtime union of types)


_DECODER, _BUILD = _union()
