"""Rules file: defaults cover every pair, most specific rule wins, errors name rule and choices."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from humansec.conflicts.rules import Rule, RuleSet, load_rules, parse_rules
from humansec.errors import ConfigurationError
from humansec.model import ACTIVITY_TYPES, PROTECTED_KINDS, LayerKind
from humansec.settings import DEFAULT_RULES_PATH

GOOD = """
[[rule]]
activity = "patrol"
feature = "humanitarian_site"
distance_m = 100.0
severity = "low"
rationale = "AP I art. 58 (placeholder)"

[[rule]]
activity = "patrol"
feature = "humanitarian_site"
category = "hospital"
distance_m = 300
severity = "high"
rationale = "GC IV art. 18 (placeholder)"
"""


def rule_text(**fields: object) -> str:
    base: dict[str, object] = {
        "activity": "patrol",
        "feature": "cultural",
        "distance_m": 10.0,
        "severity": "low",
        "rationale": "r",
    }
    base.update(fields)
    lines = ["[[rule]]"]
    for key, value in base.items():
        if value is None:
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = {str(value).lower()}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value!r}")
    return "\n".join(lines) + "\n"


def test_default_rules_cover_every_activity_and_kind() -> None:
    rules = load_rules()
    assert rules.source == str(DEFAULT_RULES_PATH)
    for activity in ACTIVITY_TYPES:
        for kind in PROTECTED_KINDS:
            rule = rules.lookup(activity, kind)
            assert rule is not None, (activity, kind)
            assert rule.category is None
            assert rule.protection is None


def test_default_rationales_name_a_basis_and_say_placeholder() -> None:
    for rule in load_rules().rules:
        assert "placeholder" in rule.rationale.lower(), rule.label
        assert "art." in rule.rationale or "res." in rule.rationale, rule.label


def test_defaults_have_category_rules_for_hospitals_and_dangerous_forces() -> None:
    rules = load_rules()
    hospital = rules.lookup("air_strike", "humanitarian_site", "hospital")
    warehouse = rules.lookup("air_strike", "humanitarian_site", "warehouse")
    assert hospital is not None and warehouse is not None
    assert hospital.category == "hospital"
    assert "GC IV art. 18" in hospital.rationale
    assert warehouse.category is None
    assert hospital.distance_m > warehouse.distance_m
    dam = rules.lookup("indirect_fire", "infrastructure", "dam")
    assert dam is not None and "art. 56" in dam.rationale
    enhanced = rules.lookup("air_strike", "cultural", "museum", "enhanced")
    assert enhanced is not None and enhanced.protection == "enhanced"


def test_category_rule_wins_over_kind_rule() -> None:
    rules = parse_rules(GOOD)
    chosen = rules.lookup("patrol", "humanitarian_site", "hospital")
    assert chosen is not None and chosen.distance_m == 300.0 and chosen.index == 2
    fallback = rules.lookup("patrol", LayerKind.HUMANITARIAN_SITE, "school")
    assert fallback is not None and fallback.distance_m == 100.0
    assert rules.lookup("convoy", "humanitarian_site") is None
    assert rules.max_distance("patrol") == 300.0
    assert rules.max_distance("convoy") == 0.0


def test_equally_specific_rules_take_the_larger_distance() -> None:
    text = rule_text(category="museum", distance_m=50.0) + rule_text(
        protection="enhanced", distance_m=80.0
    )
    text += rule_text(category="museum", protection="enhanced", distance_m=20.0)
    rules = parse_rules(text)
    museum = rules.lookup("patrol", "cultural", "museum", "general")
    enhanced = rules.lookup("patrol", "cultural", "monument", "enhanced")
    both_ways = rules.lookup("patrol", "cultural", "museum", "enhanced")
    assert museum is not None and museum.distance_m == 50.0
    assert enhanced is not None and enhanced.distance_m == 80.0
    assert both_ways is not None and both_ways.distance_m == 20.0  # most specific wins


def test_ruleset_is_frozen() -> None:
    rules = parse_rules(GOOD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.rules = ()  # type: ignore[misc]
    rule = Rule(1, "patrol", LayerKind.CULTURAL, 1.0, "low", "r")
    assert RuleSet((rule,)).lookup("patrol", "cultural") == rule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[rule]\nactivity = 'x'", ["not valid TOML"]),
        ("", ["no [[rule]] tables"]),
        ("title = 'x'\n" + rule_text(), ["unknown top-level keys", "'title'"]),
        (
            rule_text(activity="bombing"),
            ["Rule 1 (bombing -> cultural)", "'air_strike'", "'patrol'"],
        ),
        (rule_text(feature="incident"), ["unknown or unprotected feature kind", "'population'"]),
        (rule_text(severity="severe"), ["unknown severity 'severe'", "'critical'", "'low'"]),
        (
            rule_text(distance_m=-1.0),
            ["Rule 1 (patrol -> cultural)", "must be a finite number >= 0"],
        ),
        (rule_text(distance_m="far"), ["distance_m must be a number", "'far'"]),
        (rule_text(distance_m=True), ["distance_m must be a number"]),
        (rule_text(rationale=None), ["lacks 'rationale'"]),
        (rule_text(colour="red"), ["unknown keys 'colour'", "'category'", "'protection'"]),
        (rule_text(category="hospital"), ["unknown cultural category 'hospital'", "'museum'"]),
        (
            rule_text(feature="population", category="town"),
            ["population rule cannot name a category"],
        ),
        (
            rule_text(feature="humanitarian_site", protection="enhanced"),
            ["humanitarian_site rule cannot name a protection"],
        ),
        (rule_text(rationale="  "), ["rationale is empty"]),
        (
            rule_text() + rule_text(distance_m=5.0),
            ["Rule 2 (patrol -> cultural)", "duplicates rule 1"],
        ),
        (rule_text() + "[[rule]]\n", ["Rule 2", "lacks"]),
    ],
)
def test_rule_errors_name_the_rule_and_the_choices(text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_rules(text, source="test.toml")
    for part in expected:
        assert part in str(info.value)


def test_second_rule_error_names_index_two() -> None:
    with pytest.raises(ConfigurationError, match=r"Rule 2 \(air_strike -> school\)"):
        parse_rules(rule_text() + rule_text(activity="air_strike", feature="school"))


def test_load_rules_reads_a_file_and_reports_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_rules(path).rules) == 2
    with pytest.raises(ConfigurationError, match="Cannot read the rules file"):
        load_rules(tmp_path / "missing.toml")
