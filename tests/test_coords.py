from __future__ import annotations

import math

import pyproj
import pytest
from hypothesis import given
from hypothesis import strategies as st

from humansec.coords import format_latlon, from_mgrs, to_mgrs
from humansec.errors import CoordinateError


def test_known_reference_round_trips() -> None:
    assert to_mgrs(54.1, 22.93) == "34U FE 26199 96369"
    lat, lon = from_mgrs("34U FE 26199 96369")
    assert lat == pytest.approx(54.1, abs=1e-5)
    assert lon == pytest.approx(22.93, abs=1e-5)


def test_spaces_and_case_are_accepted() -> None:
    assert from_mgrs("34ufe2619996369") == from_mgrs("34U FE 26199 96369")


@given(
    st.floats(min_value=-79.9, max_value=83.9, allow_nan=False),
    st.floats(min_value=-179.999, max_value=179.999, allow_nan=False),
)
def test_mgrs_round_trip_within_a_metre(lat: float, lon: float) -> None:
    back_lat, back_lon = from_mgrs(to_mgrs(lat, lon))
    # 1 m truncation in easting and northing: at most ~1.5 m, i.e. < 2e-5 degrees of latitude.
    assert abs(back_lat - lat) < 2e-5
    assert abs(back_lon - lon) * math.cos(math.radians(lat)) < 2e-5


@pytest.mark.parametrize("bad", ["", "garbage", "34U FE 123 4567", "99Z ZZ 00000 00000"])
def test_bad_reference_is_refused_with_an_example(bad: str) -> None:
    with pytest.raises(CoordinateError, match="34U FE 26199 96369"):
        from_mgrs(bad)


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, 181), (float("nan"), 0), (0, math.inf)])
def test_out_of_range_points_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(CoordinateError):
        to_mgrs(lat, lon)


def test_format_latlon_hemispheres() -> None:
    assert format_latlon(54.1, 22.93) == "54.10000° N, 22.93000° E"
    assert format_latlon(-33.5, -70.25, decimals=2) == "33.50° S, 70.25° W"


@pytest.mark.parametrize(("reference", "side_m"), [("34UFE2696", 1000), ("34UFE269963", 100)])
def test_a_short_reference_means_the_centre_of_its_square(reference: str, side_m: int) -> None:
    # The mgrs library already returns the centre (the check guards against a change of it).
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32634", always_xy=True)
    lat, lon = from_mgrs(reference)
    east, north = to_utm.transform(lon, lat)
    digits = reference[5:]
    half = len(digits) // 2
    corner_east = 600_000 + int(digits[:half]) * side_m  # square FE of zone 34U starts at
    corner_north = 5_900_000 + int(digits[half:]) * side_m  # 600 km east, 5,900 km north
    assert east - corner_east == pytest.approx(side_m / 2, abs=0.01)
    assert north - corner_north == pytest.approx(side_m / 2, abs=0.01)


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("", "it is empty"),
        ("FE 26199 96369", "must start with the grid zone number"),
        ("34U FE 2619x 96369", "then only digits"),
        ("61U FE 26199 96369", "grid zone number 61 is not between 1 and 60"),
        ("34I FE 26199 96369", "latitude band letter I does not exist"),
        ("34U FO 26199 96369", "100 km square FO cannot hold the letters I or O"),
        ("34U FE 2619 96369", "9 digits in all"),
        ("34U FE 261991 963691", "12 digits in all"),
    ],
)
def test_a_mistyped_mgrs_reference_is_explained_in_words(reference: str, problem: str) -> None:
    with pytest.raises(CoordinateError) as refused:
        from_mgrs(reference)
    message = str(refused.value)
    assert problem in message
    assert "34U FE 26199 96369" in message  # an example of a valid reference
    assert "Convert_MGRS" not in message and "String Error" not in message


@pytest.mark.parametrize("lat", [-5.308628525258277e-10, -1e-9, 8.0 - 1e-10, -32.0 - 1e-10])
def test_a_point_on_a_band_edge_gets_a_reference_that_reads_back(lat: float) -> None:
    back_lat, back_lon = from_mgrs(to_mgrs(lat, 0.0))
    assert abs(back_lat - lat) < 2e-5
    assert abs(back_lon) < 2e-5
