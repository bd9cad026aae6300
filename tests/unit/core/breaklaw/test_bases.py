"""Law apart from guidance and house policy, in every shipped profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorwatch.core import breaks
from floorwatch.core.breaks import PROFILES, BreakRuleBreached, load_profile
from tests.unit.core.break_folds import fold
from tests.unit.core.breaklaw.law_table import HOME, blocks
from tests.unit.core.builders import BREAK, LOGGED_OUT, LUNCH

# Days that break something in most profiles: long stretches, short and overlong breaks, short rest.
BAD_DAYS = [
    blocks(10 * 60 + 30, HOME),
    blocks(60, (BREAK, 40), 5 * 60, (BREAK, 3), 4 * 60, (LOGGED_OUT, 6 * 60), 3 * 60, HOME),
]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_violation_carries_the_basis_of_its_own_rule(profile):
    policy = load_profile(profile)
    basis_of = {rule.name: rule.basis for rule in policy.rules}
    found = [o for day in BAD_DAYS for o in fold(policy, day)[1] if isinstance(o, BreakRuleBreached)]
    assert found, "the bad days break at least one rule of every profile"
    assert all(o.basis == basis_of[o.rule] for o in found)


def test_a_day_compliant_with_the_japanese_act_has_no_statutory_violation_whatever_the_guideline_says():
    policy = load_profile("japan")
    figures, outputs, _ = fold(policy, blocks(3 * 60, (LUNCH, 45), 3 * 60 + 30))  # 6 h 30, 45 min, no screen pauses
    bases = {o.basis for o in outputs if isinstance(o, BreakRuleBreached)}
    assert bases == {"guidance"}
    assert figures.overdue_bases == ("guidance",)
    assert breaks.team_compliance_ratio([figures]) == 1.0  # the works-council ratio: statute only
    assert breaks.compliance_ratio_by_basis([figures]) == {"statute": 1.0, "guidance": 0.0, "house_policy": 1.0}


def test_a_policy_can_count_guidance_in_its_compliance_ratio(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text("name: site\nextends: japan\ncompliance_bases: [statute, guidance]\n")
    figures, _, _ = fold(breaks.load_policy(str(path)), blocks(3 * 60, (LUNCH, 45), 3 * 60 + 30))
    assert breaks.team_compliance_ratio([figures]) == 0.0


def test_every_shipped_profile_has_a_boundary_table_of_its_own():
    here = Path(__file__).parent
    assert {p.name for p in here.glob("test_*.py")} >= {f"test_{name.replace('-', '_')}.py" for name in PROFILES}
