"""Categories that fit real files (issue 13, section 4): values in seven languages, ``other``
with the source's word kept, COD-AB names, and the same file stored twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest

from humansec.conflicts.rules import parse_rules
from humansec.ingest.category_terms import CATEGORY_TERMS, category_for, normalise_term
from humansec.ingest.duplicates import describe_copies, stored_copies
from humansec.ingest.mapping import CATEGORY_SOURCE, apply_mapping
from humansec.ingest.pipeline import UploadMeta, UploadOptions, ingest_file
from humansec.ingest.suggest import suggest_mapping
from humansec.model import (
    CULTURAL_CATEGORIES,
    HUMANITARIAN_SITE_CATEGORIES,
    INFRASTRUCTURE_CATEGORIES,
    KIND_SPECS,
    OTHER_CATEGORY,
    LayerKind,
    conform,
)
from humansec.store import GeoPackageStore
from humansec.store.base import LayerRecord
from tests.ingest_frames import by_code, errors, make

SITES = HUMANITARIAN_SITE_CATEGORIES

# Facility types as WHO, ministry and cluster lists write them (the values named in the issue
# and their kin); the category a staff officer would give each.
REAL_VALUES = [
    ("Centre Hospitalier Régional", SITES, "hospital"),
    ("CHU Yalgado Ouédraogo", SITES, "hospital"),
    ("Centre Médical", SITES, "clinic"),
    ("Centre Médical avec Antenne chirurgicale", SITES, "clinic"),
    ("CSPS", SITES, "clinic"),
    ("Dispensaire", SITES, "clinic"),
    ("Maternité", SITES, "clinic"),
    ("Centre de santé intégré", SITES, "clinic"),
    ("Centro de Salud Rural", SITES, "clinic"),
    ("Posto de Saúde", SITES, "clinic"),
    ("Hospital General", SITES, "hospital"),
    ("лікарня", SITES, "hospital"),
    ("Обласна клінічна лікарня", SITES, "hospital"),
    ("Центральна районна лікарня", SITES, "hospital"),
    ("Амбулаторія загальної практики сімейної медицини", SITES, "clinic"),
    ("городская больница №3", SITES, "hospital"),
    ("школа", SITES, "school"),
    ("Загальноосвітня школа I-III ступенів", SITES, "school"),
    ("Средняя школа", SITES, "school"),
    ("مستشفى", SITES, "hospital"),
    ("المستشفى الوطني", SITES, "hospital"),
    ("مركز صحي", SITES, "clinic"),
    ("مدرسة", SITES, "school"),
    ("École primaire publique", SITES, "school"),
    ("Point d'eau", SITES, "water_point"),
    ("Forage équipé", SITES, "water_point"),
    ("Entrepôt PAM", SITES, "warehouse"),
    ("Église Saint-Michel", CULTURAL_CATEGORIES, "place_of_worship"),
    ("Mosquée", CULTURAL_CATEGORIES, "place_of_worship"),
    ("Собор Святої Софії", CULTURAL_CATEGORIES, "place_of_worship"),
    ("Церква Різдва Богородиці", CULTURAL_CATEGORIES, "place_of_worship"),
    ("Музей історії", CULTURAL_CATEGORIES, "museum"),
    ("Musée national", CULTURAL_CATEGORIES, "museum"),
    ("كنيسة", CULTURAL_CATEGORIES, "place_of_worship"),
    ("المسجد الأموي", CULTURAL_CATEGORIES, "place_of_worship"),
    ("Centre historique", CULTURAL_CATEGORIES, "centre_containing_monuments"),
    ("Barrage de Bagré", INFRASTRUCTURE_CATEGORIES, "dam"),
    ("Каховська ГЕС гребля", INFRASTRUCTURE_CATEGORIES, "dam"),
    ("Запорізька АЕС", INFRASTRUCTURE_CATEGORIES, "nuclear_plant"),
    ("Подстанция 330 кВ", INFRASTRUCTURE_CATEGORIES, "power"),
    ("Хлібозавод", INFRASTRUCTURE_CATEGORIES, "food"),
]


@pytest.mark.parametrize(("value", "allowed", "expected"), REAL_VALUES)
def test_a_real_value_names_its_category(
    value: str, allowed: tuple[str, ...], expected: str
) -> None:
    assert category_for(value, allowed) == expected


@pytest.mark.parametrize("value", ["Siège ONG", "Bureau du maire", "кіоск", "", "12"])
def test_a_value_of_no_category_of_the_kind_is_not_guessed(value: str) -> None:
    # 'Bureau' is an office, which is no cultural category
    assert category_for(value, CULTURAL_CATEGORIES) is None


def test_a_category_of_another_kind_is_never_returned() -> None:
    assert category_for("Église", SITES) is None
    assert category_for("лікарня", CULTURAL_CATEGORIES) is None


def test_every_term_is_reachable_in_its_own_words() -> None:
    """Each term, written as a value, names its own category (no term shadowed by a longer one)."""
    every = tuple(CATEGORY_TERMS)
    missed = [
        (term, category)
        for category, terms in CATEGORY_TERMS.items()
        for term in terms
        if category_for(term.replace("*", "а" if _cyrillic(term) else "a"), every) != category
    ]
    assert missed == []


def _cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


def test_normalised_terms_ignore_case_accents_and_the_arabic_article() -> None:
    assert normalise_term("HÔPITAL") == normalise_term("hopital")
    assert normalise_term("المستشفى") == normalise_term("مستشفى")


def facility_list() -> gpd.GeoDataFrame:
    return make(
        {
            "Facility name": ["CHR Kaya", "CSPS Boussé", "Siège ONG", "Dépôt", "лікарня 3"],
            "Facility type": [
                "Centre Hospitalier Régional",
                "CSPS",
                "Siège d'ONG",
                "Siège d'ONG",
                "лікарня",
            ],
        }
    )


def test_a_facility_list_is_mapped_with_other_and_the_source_word_kept() -> None:
    frame = facility_list()
    mapping = suggest_mapping(frame, LayerKind.HUMANITARIAN_SITE)
    assert mapping.columns["category"] == "Facility type"
    out, findings = apply_mapping(frame, mapping)
    assert errors(findings) == []
    assert out["category"].tolist() == ["hospital", "clinic", "other", "other", "hospital"]
    assert out[CATEGORY_SOURCE].tolist() == frame["Facility type"].tolist()
    other = by_code(findings)["category_other"]
    assert other.severity == "warning"
    assert other.count == 2
    assert "Siège d'ONG" in other.message
    conform(out, LayerKind.HUMANITARIAN_SITE)  # stores as it is


def test_the_analyst_can_still_map_an_other_value_by_hand() -> None:
    frame = facility_list()
    mapping = suggest_mapping(frame, LayerKind.HUMANITARIAN_SITE)
    values = {**mapping.values["category"], "Siège d'ONG": "office"}
    out, findings = apply_mapping(
        frame,
        type(mapping)(
            kind=mapping.kind, columns=mapping.columns, constants=mapping.constants, values={
                "category": values
            }
        ),
    )  # fmt: skip
    assert "category_other" not in by_code(findings)
    assert out["category"].tolist() == ["hospital", "clinic", "office", "office", "hospital"]


def test_a_rule_may_target_other() -> None:
    rules = parse_rules(
        """
        [[rule]]
        activity = "air_strike"
        feature = "humanitarian_site"
        category = "other"
        distance_m = 750
        severity = "high"
        rationale = "a facility the list did not class: treated as occupied by civilians"
        """
    )
    assert [r.category for r in rules.rules] == [OTHER_CATEGORY]


def test_other_is_a_category_of_each_protected_kind_with_one() -> None:
    for kind in (LayerKind.CULTURAL, LayerKind.HUMANITARIAN_SITE, LayerKind.INFRASTRUCTURE):
        (category,) = [f for f in KIND_SPECS[kind].fields if f.name == "category"]
        assert category.allowed is not None
        assert OTHER_CATEGORY in category.allowed


COD_AB = {
    "ADM0_EN": ["Ukraine"] * 3,
    "ADM0_PCODE": ["UA"] * 3,
    "ADM1_EN": ["Kyivska", "Kyivska", "Lvivska"],
    "ADM1_UA": ["Київська", "Київська", "Львівська"],
    "ADM1_PCODE": ["UA32", "UA32", "UA46"],
    "ADM2_EN": ["Buchanskyi", "Obukhivskyi", "Lvivskyi"],
    "ADM2_UA": ["Бучанський", "Обухівський", "Львівський"],
    "ADM2_PCODE": ["UA3210", "UA3212", "UA4606"],
}


def test_cod_ab_columns_give_the_deepest_level_name_and_pcode() -> None:
    mapping = suggest_mapping(make({**COD_AB, "POP": [1, 2, 3]}), LayerKind.POPULATION)
    assert mapping.columns["name"] == "ADM2_EN"
    assert mapping.columns["id"] == "ADM2_PCODE"


def test_cod_ab_first_level_name() -> None:
    first = {k: v for k, v in COD_AB.items() if not k.startswith("ADM2")}
    mapping = suggest_mapping(make({**first, "POP": [1, 2, 3]}), LayerKind.POPULATION)
    assert mapping.columns["name"] == "ADM1_EN"


def _record(layer: str, sha: str, *, retired: bool = False, hour: int = 1) -> LayerRecord:
    return LayerRecord(
        layer_id=layer,
        version=1,
        kind=LayerKind.CULTURAL,
        title=f"Sites {layer}",
        source="test",
        licence="-",
        classification="UNCLASSIFIED",
        created_at=dt.datetime(2026, 12, 3, hour, tzinfo=dt.UTC),
        feature_count=3,
        retired=retired,
        provenance={"sha256": sha, "uploaded_by": "Capt A"},
    )


def test_the_same_file_is_found_in_the_live_layers_only() -> None:
    records = [
        _record("a", "f00"),
        _record("b", "bar"),
        _record("c", "f00", hour=5),
        _record("d", "f00", retired=True),
    ]
    copies = stored_copies(records, "f00")
    assert [r.layer_id for r in copies] == ["c", "a"]  # newest first
    assert stored_copies(records, "") == []
    message = describe_copies(copies)
    assert "layer c, version 1" in message
    assert "new version" in message


def test_the_same_file_stored_twice_is_found_in_a_real_store(tmp_path: Path) -> None:
    source = tmp_path / "facilities.csv"
    source.write_text(
        "name,type,latitude,longitude\nCHR Kaya,Centre Hospitalier Régional,13.09,-1.08\n"
        "Siège,Siège d'ONG,13.1,-1.07\n",
        encoding="utf-8",
    )
    store_path = tmp_path / "store.gpkg"
    inspection, record = ingest_file(
        source,
        UploadOptions(kind=LayerKind.HUMANITARIAN_SITE),
        staging_root=tmp_path / "staging",
        store_path=store_path,
        meta=UploadMeta("Facilities", "UNCLASSIFIED", "Capt A"),
    )
    store = GeoPackageStore(store_path)
    copies = stored_copies(store.catalogue(), inspection.sha256)
    assert [r.layer_id for r in copies] == [record["layer_id"]]
    stored = store.read_layer(str(record["layer_id"]))
    assert sorted(stored["category"]) == ["hospital", "other"]
    assert sorted(stored[CATEGORY_SOURCE]) == ["Centre Hospitalier Régional", "Siège d'ONG"]
