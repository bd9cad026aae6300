"""Break policies: rules built from a few primitives, so a jurisdiction is a profile, not code.

A policy is a list of rules of four kinds; `docs/breaks.md` defines it and explains each
primitive and which profile uses it:

- `continuous_work`: at most `max_work` of work without an uninterrupted rest of at least
  `minimum` (the default 120/10 min; screen-work guidance; Germany's "never more than 6 h in
  a row").
- `rest_by_worked`: once the day's work exceeds `after_worked` (raised to
  `waived_if_day_at_most` where a waiver is agreed), rest of at least `minimum` in total, in
  uninterrupted slices of at least `min_slice` if `splittable` (else in one piece), taken
  before `latest_start_worked` of work or, without it, by the end of the working day.
- `count_per_worked`: one rest of at least `minimum` per `per_worked` of work (rounded up
  from a `major_fraction`), from `after_worked` on (California rest periods).
- `overrun`: a break running past its scheduled or allowed length.

Every rule has a `grace` before floorwatch flags it: the framing is that a break is due, not
that an agent is caught (docs/breaks.md). Profiles live in `floorwatch/policies/*.yaml`,
durations written with a unit suffix (`_seconds`, `_minutes`, `_hours`); `load_policy` reads
one and reports a bad file with the key at fault, never a traceback from deep inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from floorwatch.core.adherence import AdherenceConfig
from floorwatch.core.events import AgentState

RuleKind = Literal["continuous_work", "rest_by_worked", "count_per_worked", "overrun"]
RULE_KINDS: tuple[str, ...] = ("continuous_work", "rest_by_worked", "count_per_worked", "overrun")
BREAK_STATES = frozenset({AgentState.BREAK, AgentState.LUNCH})
# Being logged out is not work either: a lunch taken logged out is still a rest.
DEFAULT_REST_STATES = frozenset({AgentState.BREAK, AgentState.LUNCH, AgentState.LOGGED_OUT})


class PolicyError(ValueError):
    """A policy that cannot be used; `reason` names the file, the key and what is wrong."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class BreakRule:
    name: str
    kind: str
    description: str = ""
    rest_states: frozenset[AgentState] = DEFAULT_REST_STATES
    minimum_seconds: float = 0.0
    splittable: bool = False
    min_slice_seconds: float = 0.0
    max_work_seconds: float = 0.0
    after_worked_seconds: float = 0.0
    latest_start_worked_seconds: float | None = None
    waived_if_day_at_most_seconds: float | None = None
    per_worked_seconds: float = 0.0
    major_fraction: bool = False
    grace_seconds: float = 120.0

    def __post_init__(self) -> None:
        problem = _rule_problem(self)
        if problem:
            raise PolicyError(f"rule {self.name!r}: {problem}")

    @property
    def slice_seconds(self) -> float:
        """The shortest uninterrupted rest that counts towards `minimum_seconds`."""
        return self.min_slice_seconds if self.splittable else self.minimum_seconds

    @property
    def trigger_worked_seconds(self) -> float:
        """Work after which the rule applies: `after_worked`, or the waiver's day length if longer."""
        return max(self.after_worked_seconds, self.waived_if_day_at_most_seconds or 0.0)

    def count_deadline_worked_seconds(self, k: int) -> float:
        """count_per_worked: work by which the k-th rest (k >= 1) must have been taken."""
        offset = self.per_worked_seconds / 2 if self.major_fraction else 0.0
        return max(self.after_worked_seconds, k * self.per_worked_seconds - offset)


def _rule_problem(rule: BreakRule) -> str | None:
    if not rule.name:
        return "needs a name"
    if rule.kind not in RULE_KINDS:
        return f"kind must be one of {', '.join(RULE_KINDS)}, got {rule.kind!r}"
    if not rule.rest_states:
        return "rest_states must name at least one state"
    durations = (
        rule.minimum_seconds,
        rule.min_slice_seconds,
        rule.max_work_seconds,
        rule.after_worked_seconds,
        rule.per_worked_seconds,
        rule.grace_seconds,
    )
    if min(durations) < 0:
        return "durations cannot be negative"
    if rule.kind == "continuous_work" and (rule.max_work_seconds <= 0 or rule.minimum_seconds <= 0):
        return "continuous_work needs max_work and minimum greater than zero"
    if rule.kind == "rest_by_worked" and rule.minimum_seconds <= 0:
        return "rest_by_worked needs a minimum greater than zero"
    if rule.kind == "rest_by_worked" and rule.splittable and not 0 < rule.min_slice_seconds <= rule.minimum_seconds:
        return "a splittable rule needs min_slice greater than zero and at most minimum"
    if rule.kind == "count_per_worked" and (rule.per_worked_seconds <= 0 or rule.minimum_seconds <= 0):
        return "count_per_worked needs per_worked and minimum greater than zero"
    if rule.kind == "overrun" and not rule.rest_states <= BREAK_STATES:
        return "overrun watches BREAK and LUNCH only"
    return None


@dataclass(frozen=True, slots=True)
class BreakPolicy:
    name: str = "default"
    description: str = ""
    rules: tuple[BreakRule, ...] = ()
    # Paid breaks count as hours worked (California rest periods); unpaid ones do not.
    paid_break_states: frozenset[AgentState] = frozenset()
    # How long a break may run when no scheduled break says otherwise (overrun rules).
    allowed_break_seconds: tuple[tuple[AgentState, float], ...] = (
        (AgentState.BREAK, 900.0),
        (AgentState.LUNCH, 3600.0),
    )
    # A logout this long ends the working day (the same notion of shift as occupancy's).
    new_day_after_logged_out_seconds: float = 4 * 3600.0
    adherence: AdherenceConfig = field(default_factory=AdherenceConfig)
    # Breaks and violations kept per agent, newest last (bounds memory on long replays).
    history_limit: int = 200

    def __post_init__(self) -> None:
        names = [rule.name for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise PolicyError(f"policy {self.name!r}: rule names must be unique, repeated: {', '.join(duplicates)}")
        if not self.paid_break_states <= BREAK_STATES:
            raise PolicyError(f"policy {self.name!r}: paid_break_states may name BREAK and LUNCH only")
        if self.new_day_after_logged_out_seconds <= 0 or self.history_limit < 1:
            raise PolicyError(f"policy {self.name!r}: new_day_after_logged_out and history_limit must be positive")

    def allowed_seconds(self, state: AgentState) -> float | None:
        for allowed_state, seconds in self.allowed_break_seconds:
            if allowed_state is state:
                return seconds
        return None


# --- profiles and policy files ----------------------------------------------------------

PROFILES: tuple[str, ...] = (
    "default",
    "eu-wtd",
    "uk",
    "uk-young-workers",
    "germany",
    "france",
    "california",
    "japan",
    "screen-work-hse",
)
_UNITS = {"_seconds": 1.0, "_minutes": 60.0, "_hours": 3600.0}
_RULE_DURATIONS = frozenset(
    {
        "minimum",
        "min_slice",
        "max_work",
        "after_worked",
        "latest_start_worked",
        "waived_if_day_at_most",
        "per_worked",
        "grace",
    }
)
_RULE_TEXT = frozenset({"name", "kind", "description"})
_RULE_FLAGS = frozenset({"splittable", "major_fraction"})
_POLICY_KEYS = (
    "name",
    "description",
    "extends",
    "waive",
    "rules",
    "paid_break_states",
    "allowed_break_<unit>",
    "new_day_after_logged_out_<unit>",
    "history_limit",
    "adherence",
)
_ADHERENCE_DURATIONS = frozenset({"start_grace", "length_grace", "exception_tolerance", "early_match"})


def default_policy() -> BreakPolicy:
    """The shipped `default` profile (floorwatch/policies/default.yaml)."""
    return load_profile("default")


def load_profile(name: str) -> BreakPolicy:
    """A profile shipped with floorwatch, by name (see PROFILES)."""
    from importlib.resources import files

    if name not in PROFILES:
        raise PolicyError(f"unknown break policy profile {name!r}; shipped profiles: {', '.join(PROFILES)}")
    resource = files("floorwatch").joinpath("policies", f"{name}.yaml")
    return _load_text(resource.read_text(encoding="utf-8"), f"{name}.yaml", None, ())


def load_policy(path: str) -> BreakPolicy:
    """A policy file; `extends:` may name a shipped profile or another file next to this one."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc}") from None
    return _load_text(text, str(file), file.parent, ())


def _load_text(text: str, source: str, folder: Path | None, seen: tuple[str, ...]) -> BreakPolicy:
    import yaml

    if source in seen:
        raise PolicyError(f"{source}: extends itself through {' -> '.join(seen)}")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PolicyError(f"{source}:{where} not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_policy(raw, source, folder, seen + (source,))


def _base(raw: dict[object, object], source: str, folder: Path | None, seen: tuple[str, ...]) -> BreakPolicy:
    extends = raw.get("extends")
    if extends is None:
        return BreakPolicy(name="", rules=())
    if not isinstance(extends, str):
        raise PolicyError(f"{source}: extends: expected a profile name or a file name, got {extends!r}")
    if extends.endswith((".yaml", ".yml")) and folder is not None:
        path = folder / extends
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"{source}: extends: cannot read {path}: {exc}") from None
        return _load_text(text, str(path), path.parent, seen)
    if extends not in PROFILES:
        raise PolicyError(f"{source}: extends: unknown profile {extends!r}; shipped profiles: {', '.join(PROFILES)}")
    from importlib.resources import files

    text = files("floorwatch").joinpath("policies", f"{extends}.yaml").read_text(encoding="utf-8")
    return _load_text(text, f"{extends}.yaml", None, seen)


def parse_policy(
    raw: object, source: str = "<policy>", folder: Path | None = None, seen: tuple[str, ...] = ()
) -> BreakPolicy:
    """A policy from parsed YAML (a mapping); PolicyError names the key at fault."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: a policy file holds a mapping (name:, rules: ...), got {type(raw).__name__}")
    base = _base(raw, source, folder, seen)
    values: dict[str, object] = {
        "name": base.name,
        "description": base.description,
        "paid_break_states": base.paid_break_states,
        "allowed_break_seconds": base.allowed_break_seconds,
        "adherence": base.adherence,
        "history_limit": base.history_limit,
        "new_day_after_logged_out_seconds": base.new_day_after_logged_out_seconds,
    }
    rules = _waive(base.rules, raw.get("waive"), source)
    for key, value in raw.items():
        where = f"{source}: {key}"
        unit = _unit(key)
        if key in ("name", "description"):
            values[key] = _text(value, where)
        elif key in ("extends", "waive"):
            continue
        elif key == "rules":
            rules = _merge(rules, _rules(value, source))
        elif key == "paid_break_states":
            values[key] = _states(value, where)
        elif unit and unit[0] == "allowed_break":
            values["allowed_break_seconds"] = _allowances(value, unit[1], where)
        elif unit and unit[0] == "new_day_after_logged_out":
            values["new_day_after_logged_out_seconds"] = _number(value, where) * unit[1]
        elif key == "history_limit":
            values[key] = int(_number(value, where))
        elif key == "adherence":
            values[key] = _adherence(value, where)
        else:
            raise PolicyError(f"{where}: unknown key; known keys: {', '.join(_POLICY_KEYS)}")
    if not values["name"]:
        raise PolicyError(f"{source}: name: every policy needs a name")
    try:
        return BreakPolicy(rules=rules, **values)  # type: ignore[arg-type]
    except PolicyError as exc:
        raise PolicyError(f"{source}: {exc.reason}") from None


def _waive(rules: tuple[BreakRule, ...], waive: object, source: str) -> tuple[BreakRule, ...]:
    if waive is None:
        return rules
    if not isinstance(waive, list) or not all(isinstance(name, str) for name in waive):
        raise PolicyError(f"{source}: waive: expected a list of rule names")
    unknown = sorted(set(waive) - {rule.name for rule in rules})
    if unknown:
        raise PolicyError(f"{source}: waive: no such rule in the extended profile: {', '.join(unknown)}")
    return tuple(rule for rule in rules if rule.name not in waive)


def _merge(rules: tuple[BreakRule, ...], added: tuple[BreakRule, ...]) -> tuple[BreakRule, ...]:
    """A rule named like an inherited one replaces it; new names are appended."""
    by_name = {rule.name: rule for rule in added}
    kept = tuple(by_name.pop(rule.name, rule) for rule in rules)
    return kept + tuple(rule for rule in added if rule.name in by_name)


def _rules(raw: object, source: str) -> tuple[BreakRule, ...]:
    if not isinstance(raw, list):
        raise PolicyError(f"{source}: rules: expected a list of rules")
    return tuple(_rule(item, f"{source}: rules[{index}]") for index, item in enumerate(raw))


def _rule(raw: object, where: str) -> BreakRule:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping with name:, kind: and the rule's settings")
    values: dict[str, object] = {}
    for key, value in raw.items():
        unit, at = _unit(key), f"{where}.{key}"
        if unit and unit[0] in _RULE_DURATIONS:
            name = f"{unit[0]}_seconds"
            if name in values:
                raise PolicyError(f"{at}: {unit[0]} is given twice (in two units)")
            values[name] = None if value is None else _number(value, at) * unit[1]
        elif key in _RULE_TEXT:
            values[key] = _text(value, at)
        elif key in _RULE_FLAGS:
            if not isinstance(value, bool):
                raise PolicyError(f"{at}: expected true or false, got {value!r}")
            values[key] = value
        elif key == "rest_states":
            values[key] = _states(value, at)
        else:
            known = sorted(_RULE_TEXT | _RULE_FLAGS | {"rest_states"} | {f"{d}_<unit>" for d in _RULE_DURATIONS})
            raise PolicyError(f"{at}: unknown key; known keys: {', '.join(known)} (<unit>: seconds, minutes or hours)")
    for required in ("name", "kind"):
        if required not in values:
            raise PolicyError(f"{where}: {required}: missing")
    try:
        return BreakRule(**values)  # type: ignore[arg-type]
    except PolicyError as exc:
        raise PolicyError(f"{where}: {exc.reason}") from None


def _adherence(raw: object, where: str) -> AdherenceConfig:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping")
    values: dict[str, object] = {}
    for key, value in raw.items():
        unit, at = _unit(key), f"{where}.{key}"
        if unit and unit[0] in _ADHERENCE_DURATIONS:
            values[f"{unit[0]}_seconds"] = _number(value, at) * unit[1]
        elif key in ("in_adherence", "neutral"):
            if not isinstance(value, dict):
                raise PolicyError(f"{at}: expected a mapping of activity -> list of states")
            values[key] = tuple(
                (str(activity), _states(states, f"{at}.{activity}")) for activity, states in value.items()
            )
        else:
            raise PolicyError(
                f"{at}: unknown key; known: start_grace_<unit>, length_grace_<unit>, "
                "exception_tolerance_<unit>, early_match_<unit>, in_adherence, neutral"
            )
    return AdherenceConfig(**values)  # type: ignore[arg-type]


def _allowances(raw: object, factor: float, where: str) -> tuple[tuple[AgentState, float], ...]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping of BREAK/LUNCH -> length")
    allowances = tuple(
        (_state(state, where), _number(value, f"{where}.{state}") * factor) for state, value in raw.items()
    )
    if not {state for state, _ in allowances} <= BREAK_STATES:
        raise PolicyError(f"{where}: allowances are for BREAK and LUNCH only")
    return allowances


def _unit(key: str) -> tuple[str, float] | None:
    for suffix, factor in _UNITS.items():
        if key.endswith(suffix):
            return key[: -len(suffix)], factor
    return None


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PolicyError(f"{where}: expected a number of at least 0, got {value!r}")
    return float(value)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: expected text, got {value!r}")
    return value.strip()


def _state(value: object, where: str) -> AgentState:
    if isinstance(value, str):
        try:
            return AgentState(value)
        except ValueError:
            pass  # named below, with the states there are
    known = ", ".join(state.value for state in AgentState)
    raise PolicyError(f"{where}: unknown agent state {value!r}; states: {known}")


def _states(value: object, where: str) -> frozenset[AgentState]:
    if not isinstance(value, list):
        raise PolicyError(f"{where}: expected a list of agent states, e.g. [BREAK, LUNCH]")
    return frozenset(_state(item, where) for item in value)
