"""The values inside a policy file: rules, states, durations with their unit suffix.

Each function reads one parsed YAML value and raises PolicyError naming the key at fault."""

from __future__ import annotations

from floorwatch.core.breaks.adherence_model import AdherenceConfig
from floorwatch.core.breaks.policy import BASES, BREAK_STATES, BreakRule, PolicyError
from floorwatch.core.events import AgentState

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
_RULE_TEXT = frozenset({"name", "kind", "description", "basis", "citation", "boundary"})
_RULE_FLAGS = frozenset({"splittable", "major_fraction", "must_interrupt_work"})
_ADHERENCE_DURATIONS = frozenset({"start_grace", "length_grace", "exception_tolerance", "early_match"})


def waived(rules: tuple[BreakRule, ...], waive: object, source: str) -> tuple[BreakRule, ...]:
    if waive is None:
        return rules
    if not isinstance(waive, list) or not all(isinstance(name, str) for name in waive):
        raise PolicyError(f"{source}: waive: expected a list of rule names")
    unknown = sorted(set(waive) - {rule.name for rule in rules})
    if unknown:
        raise PolicyError(f"{source}: waive: no such rule in the extended profile: {', '.join(unknown)}")
    return tuple(rule for rule in rules if rule.name not in waive)


def merged(rules: tuple[BreakRule, ...], added: tuple[BreakRule, ...]) -> tuple[BreakRule, ...]:
    """A rule named like an inherited one replaces it; new names are appended."""
    by_name = {rule.name: rule for rule in added}
    kept = tuple(by_name.pop(rule.name, rule) for rule in rules)
    return kept + tuple(rule for rule in added if rule.name in by_name)


def rule_list(raw: object, source: str) -> tuple[BreakRule, ...]:
    if not isinstance(raw, list):
        raise PolicyError(f"{source}: rules: expected a list of rules")
    return tuple(one_rule(item, f"{source}: rules[{index}]") for index, item in enumerate(raw))


def one_rule(raw: object, where: str) -> BreakRule:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping with name:, kind: and the rule's settings")
    values: dict[str, object] = {}
    for key, value in raw.items():
        unit, at = split_unit(key), f"{where}.{key}"
        if unit and unit[0] in _RULE_DURATIONS:
            name = f"{unit[0]}_seconds"
            if name in values:
                raise PolicyError(f"{at}: {unit[0]} is given twice (in two units)")
            values[name] = None if value is None else number(value, at) * unit[1]
        elif key in _RULE_TEXT:
            values[key] = text(value, at)
        elif key in _RULE_FLAGS:
            if not isinstance(value, bool):
                raise PolicyError(f"{at}: expected true or false, got {value!r}")
            values[key] = value
        elif key == "rest_states":
            values[key] = agent_states(value, at)
        elif key == "periods":
            values[key] = int(number(value, at))
        else:
            known = sorted(
                _RULE_TEXT | _RULE_FLAGS | {"rest_states", "periods"} | {f"{d}_<unit>" for d in _RULE_DURATIONS}
            )
            raise PolicyError(f"{at}: unknown key; known keys: {', '.join(known)} (<unit>: seconds, minutes or hours)")
    for required in ("name", "kind"):
        if required not in values:
            raise PolicyError(f"{where}: {required}: missing")
    try:
        return BreakRule(**values)  # type: ignore[arg-type]  # each value was parsed to its field's type; a dict cannot say so per key
    except PolicyError as exc:
        raise PolicyError(f"{where}: {exc.reason}") from None


def adherence_config(raw: object, where: str) -> AdherenceConfig:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping")
    values: dict[str, object] = {}
    for key, value in raw.items():
        unit, at = split_unit(key), f"{where}.{key}"
        if unit and unit[0] in _ADHERENCE_DURATIONS:
            values[f"{unit[0]}_seconds"] = number(value, at) * unit[1]
        elif key in ("in_adherence", "neutral"):
            if not isinstance(value, dict):
                raise PolicyError(f"{at}: expected a mapping of activity -> list of states")
            values[key] = tuple(
                (str(activity), agent_states(states, f"{at}.{activity}")) for activity, states in value.items()
            )
        else:
            raise PolicyError(
                f"{at}: unknown key; known: start_grace_<unit>, length_grace_<unit>, "
                "exception_tolerance_<unit>, early_match_<unit>, in_adherence, neutral"
            )
    return AdherenceConfig(**values)  # type: ignore[arg-type]  # each value was parsed to its field's type; a dict cannot say so per key


def allowances_of(raw: object, factor: float, where: str) -> tuple[tuple[AgentState, float], ...]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping of BREAK/LUNCH -> length")
    allowances = tuple(
        (agent_state(state, where), number(value, f"{where}.{state}") * factor) for state, value in raw.items()
    )
    if not {state for state, _ in allowances} <= BREAK_STATES:
        raise PolicyError(f"{where}: allowances are for BREAK and LUNCH only")
    return allowances


def split_unit(key: str) -> tuple[str, float] | None:
    for suffix, factor in _UNITS.items():
        if key.endswith(suffix):
            return key[: -len(suffix)], factor
    return None


def number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PolicyError(f"{where}: expected a number of at least 0, got {value!r}")
    return float(value)


def text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: expected text, got {value!r}")
    return value.strip()


def agent_state(value: object, where: str) -> AgentState:
    if isinstance(value, str):
        try:
            return AgentState(value)
        except ValueError:
            pass  # named below, with the states there are
    known = ", ".join(state.value for state in AgentState)
    raise PolicyError(f"{where}: unknown agent state {value!r}; states: {known}")


def agent_states(value: object, where: str) -> frozenset[AgentState]:
    if not isinstance(value, list):
        raise PolicyError(f"{where}: expected a list of agent states, e.g. [BREAK, LUNCH]")
    return frozenset(agent_state(item, where) for item in value)


def bases(value: object, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not value or not set(value) <= set(BASES):
        raise PolicyError(f"{where}: expected a list naming some of {', '.join(BASES)}")
    return frozenset(str(item) for item in value)
