"""The basemap catalogue: add, refuse hostile packages with nothing changed, retire, serve."""

from __future__ import annotations

import gzip
import json
import sqlite3
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from humansec import audit
from humansec.basemaps import BasemapCatalogue, BasemapLimits
from humansec.basemaps.serve import COMPLETE, served_dir
from humansec.errors import IngestError, StoreError
from tests.basemap_files import mvt, png, write_mbtiles, write_pmtiles

MARKINGS = ("NATO UNCLASSIFIED", "NATO RESTRICTED")
RASTER = {(0, 0, 0): png(), (1, 0, 0): png(), (1, 1, 1): png(colour=(0, 0, 0))}


@pytest.fixture
def catalogue(tmp_path: Path) -> BasemapCatalogue:
    return BasemapCatalogue(tmp_path / "data", static_dir=tmp_path / "static")


def _add(catalogue: BasemapCatalogue, path: Path, *, name: str | None = None, **kwargs: object):
    options: dict = {"title": "", "marking": MARKINGS[1], "markings": MARKINGS, "who": "Lt A (J2)"}
    options.update(kwargs)
    return catalogue.add(path, original_name=path.name if name is None else name, **options)


def _snapshot(catalogue: BasemapCatalogue) -> dict[str, bytes]:
    """Every file below the data and static folders, with its bytes."""
    roots = [catalogue.data_dir, catalogue.static_dir]
    return {
        str(p): p.read_bytes()
        for root in roots
        if root.exists()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def test_a_raster_mbtiles_is_catalogued_kept_served_and_audited(
    catalogue: BasemapCatalogue, tmp_path: Path
) -> None:
    source = write_mbtiles(
        tmp_path / "ops.mbtiles", RASTER,
        metadata={"format": "png", "name": "Ops", "bounds": "20,50,26,56", "attribution": "J2"},
    )  # fmt: skip
    record = _add(catalogue, source, title="Ops area 1:50k")
    assert record.basemap_id.startswith("ops-area-1-50k-")
    assert (record.container, record.tile_format, record.tile_count) == ("mbtiles", "png", 3)
    assert (record.min_zoom, record.max_zoom, record.bounds) == (0, 1, (20.0, 50.0, 26.0, 56.0))
    assert (record.marking, record.added_by, record.attribution) == (MARKINGS[1], "Lt A (J2)", "J2")
    assert catalogue.package_path(record).read_bytes() == source.read_bytes()
    served = served_dir(catalogue.static_dir, record.basemap_id)
    for (z, x, y), data in RASTER.items():
        assert (served / str(z) / str(x) / f"{y}.png").read_bytes() == data
    assert (served / COMPLETE).read_text() == record.sha256
    saved = json.loads(catalogue.path.read_text())
    assert (saved["format_version"], saved["revision"]) == (1, 1)
    assert saved["basemaps"][0]["sha256"] == record.sha256
    (event,) = audit.read(catalogue.data_dir)
    assert (event["action"], event["marking"], event["who"]) == (
        "basemap_add", MARKINGS[1], "Lt A (J2)",
    )  # fmt: skip
    assert event["what"]["sha256"] == record.sha256
    assert catalogue.records() == [record]
    assert not list((catalogue.package_dir / "staging").iterdir())


def test_a_vector_pmtiles_is_served_as_unzipped_mvt(
    catalogue: BasemapCatalogue, tmp_path: Path
) -> None:
    tiles = {(4, 8, 5): mvt("A"), (4, 9, 5): mvt("B")}
    source = write_pmtiles(
        tmp_path / "v.pmtiles", tiles, tile_type="mvt", gzip_tiles=True,
        metadata={"name": "Vector", "vector_layers": [{"id": "water"}, {"id": "landuse"}]},
        bounds=(22.0, 53.0, 24.0, 55.0),
    )  # fmt: skip
    record = _add(catalogue, source)
    assert (record.container, record.tile_format, record.title) == ("pmtiles", "mvt", "Vector")
    assert record.vector_layers == ("water", "landuse", "roads", "places")
    served = served_dir(catalogue.static_dir, record.basemap_id)
    assert (served / "4" / "8" / "5.mvt").read_bytes() == tiles[(4, 8, 5)]


def test_a_vector_mbtiles_with_gzipped_pbf_tiles_is_served_unzipped(
    catalogue: BasemapCatalogue, tmp_path: Path
) -> None:
    tiles = {(2, 2, 1): gzip.compress(mvt("A")), (2, 2, 2): mvt("B")}
    source = write_mbtiles(
        tmp_path / "v.mbtiles", tiles,
        metadata={"format": "pbf", "name": "V", "json": '{"vector_layers": [{"id": "water"}]}'},
    )  # fmt: skip
    record = _add(catalogue, source)
    assert (record.tile_format, record.vector_layers[0]) == ("mvt", "water")
    served = served_dir(catalogue.static_dir, record.basemap_id)
    assert (served / "2" / "2" / "1.mvt").read_bytes() == mvt("A")
    assert (served / "2" / "2" / "2.mvt").read_bytes() == mvt("B")


def test_the_same_file_twice_is_refused(catalogue: BasemapCatalogue, tmp_path: Path) -> None:
    source = write_mbtiles(tmp_path / "a.mbtiles", RASTER)
    first = _add(catalogue, source)
    before = _snapshot(catalogue)
    with pytest.raises(IngestError, match=f"already catalogued as basemap {first.basemap_id}"):
        _add(catalogue, source, name="copy.mbtiles")
    assert _snapshot(catalogue) == before


def test_retire_removes_the_served_tiles_and_restore_brings_them_back(
    catalogue: BasemapCatalogue, tmp_path: Path
) -> None:
    record = _add(catalogue, write_mbtiles(tmp_path / "a.mbtiles", RASTER))
    served = served_dir(catalogue.static_dir, record.basemap_id)
    catalogue.set_retired(record.basemap_id, retired=True, who="admin")
    assert catalogue.records() == []
    assert catalogue.records(include_retired=True)[0].retired
    assert not served.exists()
    restored = catalogue.set_retired(record.basemap_id, retired=False, who="admin")
    assert catalogue.ensure_served(restored) == served
    assert (served / "1" / "1" / "1.png").read_bytes() == RASTER[(1, 1, 1)]
    assert catalogue.revision() == 3
    actions = [e["action"] for e in audit.read(catalogue.data_dir)]
    assert actions == ["basemap_add", "basemap_retire", "basemap_restore"]


def test_the_served_copy_is_written_again_from_the_data_folder(
    catalogue: BasemapCatalogue, tmp_path: Path
) -> None:
    record = _add(catalogue, write_mbtiles(tmp_path / "a.mbtiles", RASTER))
    served = served_dir(catalogue.static_dir, record.basemap_id)
    (served / COMPLETE).unlink()  # e.g. a crash while static/ was being cleaned
    (served / "0" / "0" / "0.png").unlink()
    catalogue.ensure_served(record)
    assert (served / "0" / "0" / "0.png").read_bytes() == RASTER[(0, 0, 0)]


def test_a_missing_package_is_reported_with_the_fix(
    catalogue: BasemapCatalogue, tmp_path: Path
) -> None:
    record = _add(catalogue, write_mbtiles(tmp_path / "a.mbtiles", RASTER))
    catalogue.package_path(record).unlink()
    (served_dir(catalogue.static_dir, record.basemap_id) / COMPLETE).unlink()
    with pytest.raises(StoreError, match="missing from the data folder"):
        catalogue.ensure_served(record)


def test_an_unknown_id_lists_the_ids(catalogue: BasemapCatalogue, tmp_path: Path) -> None:
    record = _add(catalogue, write_mbtiles(tmp_path / "a.mbtiles", RASTER))
    with pytest.raises(StoreError, match=record.basemap_id):
        catalogue.get("nope")


def test_a_hand_edited_id_that_would_traverse_is_refused(
    catalogue: BasemapCatalogue, tmp_path: Path
) -> None:
    _add(catalogue, write_mbtiles(tmp_path / "a.mbtiles", RASTER))
    data = json.loads(catalogue.path.read_text())
    data["basemaps"][0]["basemap_id"] = "../../etc"
    catalogue.path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="not a basemap id"):
        catalogue.records()


# --- hostile packages: refused with a clear message, nothing kept, served or audited ------


def _text(path: Path) -> Path:
    path.write_text("<html><script>alert(1)</script></html>")
    return path


def _trigger(path: Path) -> Path:
    return write_mbtiles(path, RASTER, extra_sql=[
        "CREATE TRIGGER t AFTER INSERT ON tiles BEGIN DELETE FROM metadata; END"])  # fmt: skip


def _view(path: Path) -> Path:
    return write_mbtiles(path, RASTER, extra_sql=["CREATE VIEW v AS SELECT load_extension('x')"])


def _huge_png(path: Path) -> Path:
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
    header += struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0) + b"\x00" * 4
    return write_mbtiles(path, {(0, 0, 0): header})


def _not_an_image(path: Path) -> Path:
    return write_mbtiles(path, {(0, 0, 0): png(), (1, 0, 0): b"<svg onload=alert(1)>"})


def _vector_that_is_png(path: Path) -> Path:
    return write_mbtiles(path, {(0, 0, 0): png()}, metadata={"format": "pbf"})


def _truncated_pmtiles(path: Path) -> Path:
    write_pmtiles(path, RASTER)
    path.write_bytes(path.read_bytes()[:90])
    return path


def _absurd_offsets(path: Path) -> Path:
    return write_pmtiles(path, RASTER, header_overrides={2: 2**63 - 10, 3: 2**20})


def _sqlite_not_mbtiles(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    return path


HOSTILE: list[tuple[str, Callable[[Path], Path], str, BasemapLimits | None]] = [
    ("not-sqlite.mbtiles", _text, "neither an MBTiles file", None),
    ("trigger.mbtiles", _trigger, "trigger t", None),
    ("view.mbtiles", _view, "view v", None),
    ("sqlite.mbtiles", _sqlite_not_mbtiles, "not an MBTiles file", None),
    ("huge.mbtiles", _huge_png, "60000 x 60000 pixels", None),
    ("many.mbtiles", lambda p: write_mbtiles(p, RASTER), "3 tiles, more than the limit",
     BasemapLimits(max_tiles=2)),
    ("big.mbtiles", lambda p: write_mbtiles(p, RASTER), "more than 1,000 bytes, the limit",
     BasemapLimits(max_file_bytes=1000)),
    ("svg.mbtiles", _not_an_image, "not an image", None),
    ("vector.mbtiles", _vector_that_is_png, "is a PNG image, but the package says", None),
    ("cut.pmtiles", _truncated_pmtiles, "cut short", None),
    ("offsets.pmtiles", _absurd_offsets, "outside the file", None),
    ("many.pmtiles", lambda p: write_pmtiles(p, RASTER), "declares 3 tiles",
     BasemapLimits(max_tiles=2)),
]  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_packages_are_refused_with_nothing_changed(
    catalogue: BasemapCatalogue,
    tmp_path: Path,
    case: tuple[str, Callable[[Path], Path], str, BasemapLimits | None],
) -> None:
    name, build, fragment, limits = case
    _add(catalogue, write_mbtiles(tmp_path / "good.mbtiles", {(0, 0, 0): png(colour=(9, 9, 9))}))
    before = _snapshot(catalogue)
    source = build(tmp_path / name)
    source_bytes = source.read_bytes()
    with pytest.raises(IngestError, match=fragment):
        _add(catalogue, source, limits=limits)
    assert _snapshot(catalogue) == before
    assert source.read_bytes() == source_bytes
    assert not list((catalogue.package_dir / "staging").iterdir())


@pytest.mark.parametrize(
    "name", ["../../static/x.mbtiles", "..\\x.mbtiles", "/etc/passwd", ".hidden.mbtiles",
             "a\x00b.mbtiles", "a/b.pmtiles", ""],
)  # fmt: skip
def test_names_that_could_traverse_are_refused(
    catalogue: BasemapCatalogue, tmp_path: Path, name: str
) -> None:
    source = write_mbtiles(tmp_path / "a.mbtiles", RASTER)
    with pytest.raises(IngestError, match="could name a place outside"):
        _add(catalogue, source, name=name)
    assert _snapshot(catalogue) == {}


@pytest.mark.parametrize(
    ("options", "fragment"),
    [({"marking": "TOP SECRET"}, "is not one of"), ({"who": "  "}, "Say who adds")],
)
def test_a_marking_and_a_name_are_required(
    catalogue: BasemapCatalogue, tmp_path: Path, options: dict, fragment: str
) -> None:
    with pytest.raises(IngestError, match=fragment):
        _add(catalogue, write_mbtiles(tmp_path / "a.mbtiles", RASTER), **options)
    assert _snapshot(catalogue) == {}
