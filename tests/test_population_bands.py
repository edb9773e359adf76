"""Age bands: labels read in every form the sources use, children and elderly shares."""

from __future__ import annotations

import pytest

from humansec.errors import SchemaError
from humansec.population.bands import (
    AgeBand,
    BandRole,
    Sex,
    band_column,
    column_band,
    parse_age_band,
    parse_band_role,
)


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("0-4", AgeBand(0, 4)),
        ("00_04", AgeBand(0, 4)),
        ("15 to 19", AgeBand(15, 19)),
        ("80+", AgeBand(80, None)),
        ("80Plus", AgeBand(80, None)),
        ("65 and over", AgeBand(65, None)),
        ("1–4", AgeBand(1, 4)),
    ],
)
def test_labels_are_read(text: str, band: AgeBand) -> None:
    assert parse_age_band(text) == band


@pytest.mark.parametrize("text", ["", "old", "4-0", "0-", "-4"])
def test_bad_labels_name_the_form(text: str) -> None:
    with pytest.raises(SchemaError, match="LOW-HIGH"):
        parse_age_band(text)


@pytest.mark.parametrize(
    ("label", "child", "elderly"),
    [
        ("0-4", 1.0, 0.0),
        ("10-14", 1.0, 0.0),
        ("15-19", 0.6, 0.0),
        ("20-24", 0.0, 0.0),
        ("55-59", 0.0, 0.0),
        ("58-62", 0.0, 0.6),
        ("60-64", 0.0, 1.0),
        ("80+", 0.0, 1.0),
    ],
)
def test_children_are_under_18_and_elderly_60_and_over(
    label: str, child: float, elderly: float
) -> None:
    band = parse_age_band(label)
    assert band.child_share == pytest.approx(child)
    assert band.elderly_share == pytest.approx(elderly)
    assert band.is_split == (0 < child < 1 or 0 < elderly < 1)


def test_an_open_band_below_the_limit_cannot_be_split() -> None:
    with pytest.raises(SchemaError, match="closed bands"):
        _ = parse_age_band("10+").child_share


@pytest.mark.parametrize(
    ("band", "sex", "column"),
    [
        (AgeBand(0, 4), "total", "age_0_4"),
        (AgeBand(80, None), "female", "female_age_80_plus"),
        (AgeBand(15, 19), "male", "male_age_15_19"),
    ],
)
def test_band_columns_round_trip(band: AgeBand, sex: Sex, column: str) -> None:
    assert band_column(band, sex) == column
    assert column_band(column) == (sex, band)


@pytest.mark.parametrize("column", ["population", "age", "female", "agex_0_4", "age_0_4_x"])
def test_other_fields_are_not_bands(column: str) -> None:
    assert column_band(column) is None


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("total", BandRole("total", None)),
        ("Female", BandRole("female", None)),
        ("age:0-4", BandRole("total", AgeBand(0, 4))),
        ("female:15-19", BandRole("female", AgeBand(15, 19))),
        ("male:age:80+", BandRole("male", AgeBand(80, None))),
    ],
)
def test_band_roles_are_read(text: str, role: BandRole) -> None:
    assert parse_band_role(text) == role
    assert parse_band_role(role.label) == role


@pytest.mark.parametrize("text", ["people", "age", "child:0-4", "female:old"])
def test_bad_band_roles_list_the_forms(text: str) -> None:
    with pytest.raises(SchemaError, match=r"total, female, male|LOW-HIGH"):
        parse_band_role(text)
