from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from humansec.filters import apply_filters, time_extent
from humansec.model import WGS84, LayerKind, conform
from humansec.store import TimeRange
from humansec.timerange import time_mask


def stamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def sites() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": ["open", "early", "late", "touching", "ends-open"],
            "category": ["school"] * 5,
            "valid_from": [None, "2026-01-01", "2026-03-01", "2026-01-31", "2026-01-15"],
            "valid_to": [None, "2026-01-10", "2026-03-31", "2026-02-05", None],
        },
        geometry=[shapely.Point(23, 54)] * 5,
        crs=WGS84,
    )
    return conform(frame, LayerKind.HUMANITARIAN_SITE)


def incidents() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "date": ["2026-02-01", "2026-02-10", "2026-05-01"],
            "focus_area": ["poc", "crsv", "crsv"],
        },
        geometry=[shapely.Point(23, 54)] * 3,
        crs=WGS84,
    )
    return conform(frame, LayerKind.INCIDENT)


def test_time_mask_keeps_overlapping_and_open_intervals() -> None:
    window = TimeRange(stamp("2026-01-20"), stamp("2026-01-31"))
    kept = sites()[time_mask(sites(), LayerKind.HUMANITARIAN_SITE, window).to_numpy()]
    # "touching" starts on the range's last instant: closed intervals overlap.
    assert list(kept["id"]) == ["open", "touching", "ends-open"]


def test_time_mask_with_open_range_bounds() -> None:
    after = TimeRange(start=stamp("2026-03-15"))
    kept = sites()[time_mask(sites(), LayerKind.HUMANITARIAN_SITE, after).to_numpy()]
    assert list(kept["id"]) == ["open", "late", "ends-open"]


def test_kinds_without_time_are_never_cut() -> None:
    frame = conform(
        gpd.GeoDataFrame(
            {"id": ["x"], "category": ["dam"]}, geometry=[shapely.Point(1, 1)], crs=WGS84
        ),
        LayerKind.INFRASTRUCTURE,
    )
    window = TimeRange(stamp("1990-01-01"), stamp("1990-01-02"))
    assert time_mask(frame, LayerKind.INFRASTRUCTURE, window).all()


def test_apply_filters_cuts_incidents_by_date_and_focus() -> None:
    frames = {LayerKind.INCIDENT: incidents(), LayerKind.HUMANITARIAN_SITE: sites()}
    shown = apply_filters(
        frames,
        kinds=[LayerKind.INCIDENT],
        time_range=TimeRange(stamp("2026-02-01"), stamp("2026-02-28")),
        focus_areas=["crsv"],
    )
    assert list(shown) == [LayerKind.INCIDENT]
    assert list(shown[LayerKind.INCIDENT]["id"]) == ["b"]


def test_time_extent_spans_every_time_field() -> None:
    extent = time_extent({LayerKind.INCIDENT: incidents(), LayerKind.HUMANITARIAN_SITE: sites()})
    assert extent.start == stamp("2026-01-01")
    assert extent.end == stamp("2026-05-01")


def several() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": ["child-sv", "battle", "shelling-civ", "church"],
            "date": ["2026-02-01"] * 4,
            "focus_areas": ["crsv;caac", None, "poc", "cpp;poc"],
            "event_type": ["Violence against civilians", "Battles", "Explosions", "Explosions"],
        },
        geometry=[shapely.Point(23, 54)] * 4,
        crs=WGS84,
    )
    return conform(frame, LayerKind.INCIDENT)


def test_an_incident_with_several_focus_areas_shows_under_each() -> None:
    frames = {LayerKind.INCIDENT: several()}

    def ids(chosen: list[str]) -> list[str]:
        shown = apply_filters(frames, kinds=[LayerKind.INCIDENT], focus_areas=chosen)
        return list(shown[LayerKind.INCIDENT]["id"])

    assert ids(["caac"]) == ["child-sv"]
    assert ids(["crsv"]) == ["child-sv"]
    assert ids(["poc"]) == ["shelling-civ", "church"]
    assert ids(["conflict_event"]) == ["battle"]
    assert ids(["cpp", "conflict_event"]) == ["battle", "church"]
    assert ids([]) == []
    assert len(ids(["poc", "crsv", "thb", "caac", "cpp", "humanitarian_access",
                    "conflict_event"])) == 4  # fmt: skip
