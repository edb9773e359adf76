"""The analyses on real ACLED and UCDP exports from ../shared/data, through the upload pipeline
(skipped where the folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from humansec import analytics
from humansec.ingest.pipeline import UploadMeta, UploadOptions, ingest_file
from humansec.model import LayerKind
from humansec.store import GeoPackageStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = ["acled/2022-02-15-2022-05-18-Ukraine.csv", "ucdp_ged/conflict_data_ukr_hdx_hxl.csv"]
META = UploadMeta(title="Shared data", classification="NATO UNCLASSIFIED", who="test")


@pytest.mark.parametrize("name", FILES, ids=["acled", "ucdp"])
def test_counts_per_month_and_focus_area_on_real_exports(tmp_path: Path, name: str) -> None:
    source = DATA / name
    if not source.is_file():
        pytest.skip(f"{source} is not on this machine")
    store_path = tmp_path / "store.gpkg"
    _, record = ingest_file(
        source,
        UploadOptions(kind=LayerKind.INCIDENT),
        staging_root=tmp_path / "staging",
        store_path=store_path,
        meta=META,
    )
    incidents = GeoPackageStore(store_path).read_kind(LayerKind.INCIDENT)
    assert len(incidents) == record["features"] > 0

    # Every row of the file with a date and a location is kept; the event types are the file's.
    raw = pd.read_csv(source, skiprows=[1] if "ucdp" in name else None, low_memory=False)
    assert len(incidents) == len(raw)
    if "ucdp" in name:
        raw_types = raw["type_of_violence"].map(
            {1: "state-based conflict", 2: "non-state conflict", 3: "one-sided violence"}
        )
        poc = (raw["type_of_violence"] == 3) | (raw["deaths_civilians"] > 0)
        expected_areas = {"poc": int(poc.sum()), "conflict_event": int((~poc).sum())}
    else:
        raw_types = raw["event_type"]
        sexual = raw["sub_event_type"] == "Sexual violence"
        expected_areas = {"crsv": int(sexual.sum())}
    assert incidents["event_type"].value_counts().to_dict() == raw_types.value_counts().to_dict()
    by_area = analytics.trend(incidents, freq="M", by="focus_area").groupby("group")["events"]
    for area, n in expected_areas.items():
        assert by_area.sum().get(area, 0) == n, area

    got = analytics.trend(incidents, freq="M", by="focus_area")
    month = incidents["date"].dt.tz_convert("UTC").dt.strftime("%Y-%m-01")
    # Plain pandas: one row per (incident, focus area), conflict events under their own name.
    areas = incidents["focus_areas"].fillna("conflict_event").str.split(";")
    plain = incidents.assign(month=month, area=areas).explode("area").groupby(["month", "area"])
    expected = {
        key: (int(n), int(k))
        for (key, n), k in zip(
            plain.size().items(), plain["killed"].sum(min_count=0).fillna(0), strict=True
        )
    }
    got_map = {
        (period.strftime("%Y-%m-%d"), group): (int(n), int(k))
        for period, group, n, k in got[["period", "group", "events", "fatalities"]].itertuples(
            index=False
        )
    }
    assert got_map == expected
    assert sum(n for n, _ in got_map.values()) == len(areas.explode())
    by_type = analytics.trend(incidents, freq="M", by="event_type")
    assert by_type.groupby("group")["events"].sum().to_dict() == raw_types.value_counts().to_dict()

    cells = analytics.hotspots(incidents, resolution=5)
    assert cells["count"].sum() == incidents.geometry.notna().sum()
    assert cells["p_fdr"].between(0, 1).all()
    assert set(cells["class"]) <= set(analytics.CLASSES)
    emerging = analytics.change(incidents, recent_days=14, baseline_days=60, resolution=5)
    assert emerging["p_value"].is_monotonic_increasing
    assert pd.Series(emerging["recent"]).sum() > 0
