"""Break policy files: shipped profiles load, units convert, and a bad file says what and where."""

from __future__ import annotations

from importlib.resources import files

import pytest
import yaml

from floorwatch.core.breaks import (
    PROFILES,
    BreakRule,
    PolicyError,
    default_policy,
    load_policy,
    load_profile,
    parse_policy,
)
from floorwatch.core.events import AgentState


def test_every_shipped_profile_file_is_listed_and_loads_under_its_own_name():
    shipped = sorted(
        p.name.removesuffix(".yaml")
        for p in files("floorwatch").joinpath("policies").iterdir()
        if p.name.endswith(".yaml")
    )
    assert shipped == sorted(PROFILES)
    for name in PROFILES:
        policy = load_profile(name)
        assert policy.name == name
        assert policy.description
        assert any(rule.kind == "overrun" for rule in policy.rules)


def test_every_rule_in_a_shipped_profile_has_a_grace_period():
    for name in PROFILES:
        assert all(rule.grace_seconds > 0 for rule in load_profile(name).rules), name


def test_the_default_policy_is_the_default_profile_with_the_domain_defaults():
    policy = default_policy()
    assert policy == load_profile("default")
    rest = next(rule for rule in policy.rules if rule.kind == "continuous_work")
    assert (rest.max_work_seconds, rest.minimum_seconds, rest.grace_seconds) == (7200, 600, 120)
    overrun = next(rule for rule in policy.rules if rule.kind == "overrun")
    assert overrun.grace_seconds == 120


@pytest.mark.parametrize("key, value", [("max_work_seconds", 7200), ("max_work_minutes", 120), ("max_work_hours", 2)])
def test_durations_take_seconds_minutes_or_hours(key, value):
    raw = {"name": "p", "rules": [{"name": "r", "kind": "continuous_work", key: value, "minimum_minutes": 10}]}
    assert parse_policy(raw).rules[0].max_work_seconds == 7200


def _reason(raw) -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policy(raw, "p.yaml")
    return caught.value.reason


RULE = {"name": "r", "kind": "continuous_work", "max_work_minutes": 120, "minimum_minutes": 10}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"name": "p", "rules": [dict(RULE, max_wrk_minutes=1)]}, "p.yaml: rules[0].max_wrk_minutes: unknown key"),
        (
            {"name": "p", "rules": [dict(RULE, minimum_minutes=-5)]},
            "rules[0].minimum_minutes: expected a number of at least 0, got -5",
        ),
        ({"name": "p", "rules": [dict(RULE, minimum_minutes="ten")]}, "rules[0].minimum_minutes: expected a number"),
        ({"name": "p", "rules": [dict(RULE, rest_states=["NAP"])]}, "rules[0].rest_states: unknown agent state 'NAP'"),
        ({"name": "p", "rules": [dict(RULE, kind="nap")]}, "rules[0]: rule 'r': kind must be one of"),
        ({"name": "p", "rules": [dict(RULE, minimum_seconds=600)]}, "rules[0].minimum_seconds: minimum is given twice"),
        ({"name": "p", "rules": [{"kind": "overrun"}]}, "rules[0]: name: missing"),
        ({"name": "p", "rules": [RULE, RULE]}, "rule names must be unique, repeated: r"),
        ({"name": "p", "rules": [dict(RULE, splittable="yes")]}, "rules[0].splittable: expected true or false"),
        (
            {
                "name": "p",
                "rules": [{"name": "r", "kind": "rest_by_worked", "minimum_minutes": 30, "splittable": True}],
            },
            "a splittable rule needs min_slice greater than zero",
        ),
        (
            {"name": "p", "rules": [{"name": "o", "kind": "overrun", "rest_states": ["TRAINING"]}]},
            "overrun watches BREAK and LUNCH only",
        ),
        ({"rules": []}, "p.yaml: name: every policy needs a name"),
        ({"name": "p", "colour": "red"}, "p.yaml: colour: unknown key"),
        ({"name": "p", "extends": "mars"}, "extends: unknown profile 'mars'"),
        (
            {"name": "p", "extends": "uk", "waive": ["no-such-rule"]},
            "waive: no such rule in the extended profile: no-such-rule",
        ),
        ({"name": "p", "paid_break_states": ["TRAINING"]}, "paid_break_states may name BREAK and LUNCH only"),
        (["not", "a", "mapping"], "p.yaml: a policy file holds a mapping"),
    ],
)
def test_a_bad_policy_is_reported_with_the_key_at_fault(raw, expected):
    assert expected in _reason(raw)


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: p\nrules:\n  - name: r\n    kind: [unclosed\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path))
    assert f"{path}: line" in caught.value.reason and "not valid YAML" in caught.value.reason


def test_a_missing_file_is_reported_not_raised_as_os_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(str(tmp_path / "nope.yaml"))


def test_extends_keeps_the_base_rules_replaces_same_named_ones_and_waives_listed_ones(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "site",
                "extends": "germany",
                "waive": ["de-45-min-over-9h"],
                "rules": [
                    {"name": "break-overrun", "kind": "overrun", "rest_states": ["BREAK", "LUNCH"], "grace_minutes": 5}
                ],
            }
        )
    )
    policy = load_policy(str(path))
    assert [rule.name for rule in policy.rules] == [
        "de-6h-in-a-row",
        "de-30-min-over-6h",
        "de-daily-rest",
        "break-overrun",
    ]
    assert policy.rules[-1].grace_seconds == 300
    assert policy.allowed_seconds(AgentState.LUNCH) == 45 * 60  # inherited from germany.yaml


def test_a_file_may_extend_another_file_but_not_itself_in_a_loop(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\nextends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n")
    with pytest.raises(PolicyError, match="extends itself"):
        load_policy(str(tmp_path / "a.yaml"))
    (tmp_path / "c.yaml").write_text("name: c\nextends: uk.yaml\n")
    (tmp_path / "uk.yaml").write_text("name: local-uk\nextends: uk\n")
    assert [rule.name for rule in load_policy(str(tmp_path / "c.yaml")).rules] == [
        "uk-rest-break",
        "uk-daily-rest",
        "break-overrun",
    ]


def test_an_unknown_profile_name_lists_the_shipped_ones():
    with pytest.raises(PolicyError, match="shipped profiles: default, eu-wtd"):
        load_profile("atlantis")


@pytest.mark.parametrize(
    "hours, count",
    # Wage Order 4 § 12(A) as Brinker reads it: none under 3.5 h, 10 min to 6 h, 20 over 6 to 10, 30 over 10 to 14
    [
        (3.5 - 1 / 3600, 0),
        (3.5, 1),
        (6, 1),
        (6 + 1 / 3600, 2),
        (10, 2),
        (10 + 1 / 3600, 3),
        (14, 3),
        (14 + 1 / 3600, 4),
    ],
)
def test_rest_counts_per_day_round_up_from_a_major_fraction(hours, count):
    rest = BreakRule(
        "rest",
        "count_per_worked",
        per_worked_seconds=4 * 3600,
        major_fraction=True,
        after_worked_seconds=3.5 * 3600,
        boundary="reaches",
        minimum_seconds=600,
    )
    assert rest.required_count(hours * 3600) == count


def test_every_shipped_rule_names_its_basis_and_cites_its_source():
    for name in PROFILES:
        for rule in load_profile(name).rules:
            assert rule.basis in ("statute", "guidance", "house_policy"), (name, rule.name)
            assert rule.citation, (name, rule.name)
