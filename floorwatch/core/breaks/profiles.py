"""The shipped break policy profiles and policy files: find, read and parse them.

Profiles live in `floorwatch/policies/*.yaml`; a file may `extends:` a profile or another
file and `waive:` inherited rules (docs/breaks.md)."""

from __future__ import annotations

from pathlib import Path

from floorwatch.core.breaks import parsing
from floorwatch.core.breaks.policy import BreakPolicy, PolicyError

PROFILES: tuple[str, ...] = (
    "default",
    "eu-wtd",
    "uk",
    "uk-young-workers",
    "eu-young-workers",
    "germany",
    "france",
    "france-young-workers",
    "california",
    "japan",
    "screen-work-hse",
)
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
    "compliance_bases",
    "adherence",
)


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
        "compliance_bases": base.compliance_bases,
    }
    rules = parsing.waived(base.rules, raw.get("waive"), source)
    for key, value in raw.items():
        where = f"{source}: {key}"
        unit = parsing.split_unit(key)
        if key in ("name", "description"):
            values[key] = parsing.text(value, where)
        elif key in ("extends", "waive"):
            continue
        elif key == "rules":
            rules = parsing.merged(rules, parsing.rule_list(value, source))
        elif key == "paid_break_states":
            values[key] = parsing.agent_states(value, where)
        elif unit and unit[0] == "allowed_break":
            values["allowed_break_seconds"] = parsing.allowances_of(value, unit[1], where)
        elif unit and unit[0] == "new_day_after_logged_out":
            values["new_day_after_logged_out_seconds"] = parsing.number(value, where) * unit[1]
        elif key == "history_limit":
            values[key] = int(parsing.number(value, where))
        elif key == "adherence":
            values[key] = parsing.adherence_config(value, where)
        elif key == "compliance_bases":
            values[key] = parsing.bases(value, where)
        else:
            raise PolicyError(f"{where}: unknown key; known keys: {', '.join(_POLICY_KEYS)}")
    if not values["name"]:
        raise PolicyError(f"{source}: name: every policy needs a name")
    try:
        return BreakPolicy(rules=rules, **values)  # type: ignore[arg-type]  # each value was parsed to its field's type; a dict cannot say so per key
    except PolicyError as exc:
        raise PolicyError(f"{source}: {exc.reason}") from None
