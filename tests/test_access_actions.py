"""The core call path refuses what a role or clearance does not allow, and audits it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from humansec import audit
from humansec.access import Role, User, actions
from humansec.access.needtoknow import NEED_TO_KNOW, WITHHELD, for_user
from humansec.conflicts import load_rules
from humansec.conflicts.check import run_check
from humansec.conflicts.rule_versions import (
    active_rules_path,
    history,
    restore_version,
    rules_text,
    save_version,
)
from humansec.errors import AccessDeniedError, ConfigurationError
from humansec.model import WGS84, LayerKind, conform
from humansec.settings import Settings
from humansec.store import GeoPackageStore, NewLayer

SECRET_NAME = "Zeta Field Hospital 7"


def person(role: Role, clearance: str = "NATO RESTRICTED") -> User:
    return User(f"sub-{role}", f"{role} person", f"{role}@m.example", frozenset({role}), clearance)


@pytest.fixture
def world(tmp_path: Path) -> tuple[Settings, GeoPackageStore]:
    settings = Settings(data_dir=tmp_path)
    store = GeoPackageStore(settings.store_path)
    site = conform(
        gpd.GeoDataFrame({"id": ["h1"], "name": [SECRET_NAME], "category": ["hospital"]},
                         geometry=[shapely.Point(23.0, 54.0027)], crs=WGS84),
        LayerKind.HUMANITARIAN_SITE,
    )  # fmt: skip
    store.add_version(
        site, NewLayer(LayerKind.HUMANITARIAN_SITE, "Secret sites", "t", "-", "NATO SECRET")
    )
    school = conform(
        gpd.GeoDataFrame({"id": ["s1"], "name": ["Open School"], "category": ["school"]},
                         geometry=[shapely.Point(23.0, 53.9991)], crs=WGS84),
        LayerKind.HUMANITARIAN_SITE,
    )  # fmt: skip
    store.add_version(
        school, NewLayer(LayerKind.HUMANITARIAN_SITE, "Open sites", "t", "-", "NATO RESTRICTED")
    )
    return settings, store


def _denied(settings: Settings) -> list[dict[str, object]]:
    return [e for e in audit.read(settings.data_dir) if e["action"] == "denied"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PLANNER, Role.BRIEFER])
def test_only_analysts_and_admins_retire(
    world: tuple[Settings, GeoPackageStore], role: Role
) -> None:
    settings, store = world
    layer = store.catalogue()[1].layer_id
    with pytest.raises(AccessDeniedError, match="may not upload, retire and restore layers"):
        actions.set_retired(settings, person(role), store, layer, retired=True)
    assert not store.catalogue(include_retired=True)[1].retired
    assert _denied(settings)[-1]["actor"]["subject"] == f"sub-{role}"  # type: ignore[index]


def test_an_analyst_retires_and_restores_within_the_clearance(
    world: tuple[Settings, GeoPackageStore],
) -> None:
    settings, store = world
    secret, open_layer = (record.layer_id for record in store.catalogue())
    analyst = person(Role.ANALYST)
    actions.set_retired(settings, analyst, store, open_layer, retired=True)
    actions.set_retired(settings, analyst, store, open_layer, retired=False)
    with pytest.raises(AccessDeniedError, match="above your clearance"):
        actions.set_retired(settings, analyst, store, secret, retired=True)
    assert [r.retired for r in store.catalogue(include_retired=True)] == [False, False]
    entries = audit.read(settings.data_dir)
    assert [e["action"] for e in entries] == ["retire", "restore", "denied"]
    assert entries[0]["actor"] == analyst.audit_identity()
    assert SECRET_NAME not in (settings.data_dir / audit.AUDIT_FILE).read_text(encoding="utf-8")


def test_exports_need_the_briefer_role_and_the_clearance(
    world: tuple[Settings, GeoPackageStore],
) -> None:
    settings, store = world
    records = store.catalogue()
    cleared_records = [r for r in records if r.classification == "NATO RESTRICTED"]
    frames = {LayerKind.HUMANITARIAN_SITE: store.read_kind(LayerKind.HUMANITARIAN_SITE)}
    restricted = {LayerKind.HUMANITARIAN_SITE: frames[LayerKind.HUMANITARIAN_SITE].iloc[[1]]}
    with pytest.raises(AccessDeniedError):
        actions.export(settings, person(Role.PLANNER), restricted, cleared_records, fmt="csv",
                       classification=None, table="layers")  # fmt: skip
    briefer = person(Role.BRIEFER)
    with pytest.raises(AccessDeniedError, match="above your clearance"):
        actions.export(settings, briefer, frames, records, fmt="csv", classification=None,
                       table="layers")  # fmt: skip
    with pytest.raises(AccessDeniedError, match="above your clearance"):
        actions.export(settings, briefer, restricted, cleared_records, fmt="csv",
                       classification="NATO SECRET", table="layers")  # fmt: skip
    with pytest.raises(AccessDeniedError, match="does not declare"):  # features smuggled in
        actions.export(settings, briefer, frames, cleared_records, fmt="csv",
                       classification=None, table="layers")  # fmt: skip
    data, marking = actions.export(settings, briefer, restricted, cleared_records, fmt="csv",
                                   classification=None, table="layers")  # fmt: skip
    assert marking == "NATO RESTRICTED"
    assert b"Open School" in data and SECRET_NAME.encode() not in data
    entries = audit.read(settings.data_dir)
    assert [e["action"] for e in entries] == ["denied"] * 3 + ["export"]
    assert entries[-1]["marking"] == "NATO RESTRICTED"


def test_need_to_know_withholds_the_secret_pair(world: tuple[Settings, GeoPackageStore]) -> None:
    settings, store = world
    activity = conform(
        gpd.GeoDataFrame({"id": ["strike-1"], "type": ["air_strike"]},
                         geometry=[shapely.Point(23.0, 54.0)], crs=WGS84),
        LayerKind.ACTIVITY,
    )  # fmt: skip
    frames = {kind: store.read_kind(kind) for kind in LayerKind}
    result = run_check(activity, frames, load_rules(settings.rules_path))
    assert len(result.conflicts) == 2  # the check sees both sites
    markings = {r.layer_id: r.classification for r in store.catalogue()}
    planner = person(Role.PLANNER)
    rules = load_rules(settings.rules_path)
    seen = for_user(result, markings, planner, settings.classification_order,
                    contact="the J2 duty officer", rules=rules)  # fmt: skip
    # The activity stays red (the planner must know) but counts only what may be seen.
    summary = seen.activities.iloc[0]
    assert (summary["status"], summary["conflicts"]) == ("red", 2)
    assert result.activities.iloc[0]["n_humanitarian_site"] == 2
    assert summary["n_humanitarian_site"] == 1
    table = seen.conflicts
    withheld = table[table[NEED_TO_KNOW] != ""]
    assert len(withheld) == 1
    line = withheld[NEED_TO_KNOW].iloc[0]
    assert line.startswith(f"strike-1 {WITHHELD} (critical, 250-500 m)")
    assert line.endswith("ask the J2 duty officer")
    row = withheld.iloc[0]
    assert row["feature_id"] is None and row["feature_layer"] is None and row["rule"] is None
    assert row["feature_kind"] is None and row["rationale"] is None
    assert row["distance_m"] != row["distance_m"]  # NaN: the exact distance would locate it
    shown = table[table[NEED_TO_KNOW] == ""]
    assert list(shown["feature_id"]) == ["s1"]
    assert SECRET_NAME not in table.to_csv()
    hit = seen.conflicting[LayerKind.HUMANITARIAN_SITE]
    assert list(hit["id"]) == ["s1"]  # the SECRET hospital is not drawn
    cleared = for_user(result, markings, person(Role.PLANNER, "NATO SECRET"),
                       settings.classification_order, contact="x")  # fmt: skip
    assert (cleared.conflicts[NEED_TO_KNOW] == "").all()
    assert len(cleared.conflicting[LayerKind.HUMANITARIAN_SITE]) == 2


def test_rules_are_saved_as_versions_and_restored(world: tuple[Settings, GeoPackageStore]) -> None:
    settings, _ = world
    original = rules_text(settings)
    with pytest.raises(AccessDeniedError):
        save_version(settings, person(Role.PLANNER), original, why="try")
    with pytest.raises(ConfigurationError, match="Say why"):
        save_version(settings, person(Role.ANALYST), original, why=" ")
    with pytest.raises(ConfigurationError, match="unknown severity"):
        save_version(settings, person(Role.ANALYST), original.replace('"critical"', '"dire"', 1),
                     why="typo")  # fmt: skip
    assert history(settings) == [] and active_rules_path(settings) == settings.rules_path
    changed = original.replace("distance_m = 2000.0", "distance_m = 2500.0", 1)
    first = save_version(settings, person(Role.ANALYST), changed, why="new weapon")
    assert first.version == 1 and active_rules_path(settings) == first.path
    assert load_rules(active_rules_path(settings)).rules[0].distance_m == 2500.0
    back = restore_version(settings, person(Role.ADMIN), 0, why="order rescinded")
    assert (back.version, back.restored_from) == (2, 0)
    assert rules_text(settings) == original and rules_text(settings, 1) == changed
    entries = [e for e in audit.read(settings.data_dir) if e["action"].startswith("rule")]
    assert [(e["action"], e["what"]["why"]) for e in entries] == [  # type: ignore[index]
        ("rule_edit", "new weapon"), ("rule_restore", "order rescinded")]  # fmt: skip
