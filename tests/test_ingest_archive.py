"""archive: zips checked entry by entry, unpacked only inside the destination; shapefile parts."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from humansec.errors import IngestError
from humansec.ingest.archive import (
    check_xlsx,
    check_zip,
    extract_zip,
    find_shapefiles,
    shapefile_layers,
)
from humansec.ingest.limits import IngestLimits

LIMITS = IngestLimits()


def _zip(path: Path, entries: dict[str, bytes], **infos: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in infos:
                info.external_attr = infos[name] << 16
            archive.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("../evil.shp", "climbs out"),
        ("a/../../evil.shp", "climbs out"),
        ("/etc/evil.shp", "absolute path"),
        ("C:/evil.shp", "absolute path"),
        ("..\\evil.shp", "backslash"),
        ("a\x01.shp", "control characters"),
        ("inner.zip", "archives inside archives"),
    ],
)
def test_bad_entry_names(tmp_path, entry, fragment) -> None:
    path = _zip(tmp_path / "a.zip", {"ok.shp": b"x", entry: b"x"})
    with pytest.raises(IngestError, match=fragment):
        check_zip(path, LIMITS)


def test_symlink_and_device_entries(tmp_path) -> None:
    link = _zip(tmp_path / "l.zip", {"a.dbf": b"/etc/passwd"}, **{"a.dbf": stat.S_IFLNK | 0o777})
    with pytest.raises(IngestError, match="symbolic link"):
        check_zip(link, LIMITS)
    fifo = _zip(tmp_path / "f.zip", {"a.dbf": b""}, **{"a.dbf": stat.S_IFIFO | 0o644})
    with pytest.raises(IngestError, match="not a regular file"):
        check_zip(fifo, LIMITS)


def test_limits(tmp_path) -> None:
    path = _zip(tmp_path / "a.zip", {f"{i}.txt": b"abc" for i in range(5)})
    assert len(check_zip(path, LIMITS)) == 5
    with pytest.raises(IngestError, match="5 entries"):
        check_zip(path, IngestLimits(max_archive_entries=4))
    with pytest.raises(IngestError, match="unpacks to more than"):
        check_zip(path, IngestLimits(max_unpacked_bytes=14))
    bomb = _zip(tmp_path / "b.zip", {"zeros.txt": bytes(5 * 2**20)})
    with pytest.raises(IngestError, match="zip bombs"):
        check_zip(bomb, LIMITS)
    assert check_zip(bomb, IngestLimits(max_ratio=10_000))


def test_duplicates_and_junk(tmp_path) -> None:
    with zipfile.ZipFile(tmp_path / "d.zip", "w") as archive:
        archive.writestr("a.shp", b"1")
        archive.writestr("A.SHP", b"2")  # the same file on a case-insensitive disk
    with pytest.raises(IngestError, match="twice"):
        check_zip(tmp_path / "d.zip", LIMITS)
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(IngestError, match="not a readable zip"):
        check_zip(tmp_path / "junk.zip", LIMITS)


def test_extract_counts_real_bytes_and_stays_inside(tmp_path) -> None:
    path = _zip(tmp_path / "a.zip", {"dir/a b.shp": b"x" * 100, "dir/": b"", "c.txt": b"y"})
    out = extract_zip(path, tmp_path / "out", LIMITS)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in out) == [
        "c.txt",
        "dir/a b.shp",
    ]
    assert (tmp_path / "out" / "dir" / "a b.shp").read_bytes() == b"x" * 100
    # A header that lies about the size: the bytes actually written are counted.
    data = bytearray(path.read_bytes())
    liar = tmp_path / "liar.zip"
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size: 10
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = (10).to_bytes(4, "little")
    liar.write_bytes(bytes(data))
    with pytest.raises(IngestError):
        extract_zip(liar, tmp_path / "liar_out", LIMITS)
    assert not (tmp_path / "liar_out" / "dir" / "a b.shp").exists() or (
        (tmp_path / "liar_out" / "dir" / "a b.shp").stat().st_size <= 10
    )


def test_extract_refuses_before_writing(tmp_path) -> None:
    path = _zip(tmp_path / "a.zip", {"a.txt": b"x", "../../PWNED.txt": b"x"})
    with pytest.raises(IngestError, match="climbs out"):
        extract_zip(path, tmp_path / "out", LIMITS)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path.parent / "PWNED.txt").exists()


def test_encrypted(tmp_path) -> None:
    path = _zip(tmp_path / "e.zip", {"a.shp": b"x"})
    data = bytearray(path.read_bytes())
    data[data.find(b"PK\x01\x02") + 8] |= 1
    path.write_bytes(bytes(data))
    with pytest.raises(IngestError, match="encrypted"):
        check_zip(path, LIMITS)


def _touch(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"")


def test_find_shapefiles(tmp_path) -> None:
    _touch(
        tmp_path,
        "My Data/roads.shp",
        "My Data/roads.SHX",
        "My Data/roads.dbf",
        "My Data/roads.prj",
        "My Data/roads.qpj",
        "My Data/roads.sbn",
        "My Data/roads.shp.xml",
        "sites.shp",
        "sites.shx",
        "sites.dbf",
        "sites.cpg",
        "__MACOSX/My Data/._roads.shp",
        "._sites.shp",
    )
    parts = {p.layer: p for p in shapefile_layers(tmp_path)}
    assert sorted(parts) == ["roads", "sites"]
    assert parts["roads"].shx is not None and parts["roads"].prj is not None
    assert parts["roads"].cpg is None
    assert parts["sites"].prj is None and parts["sites"].cpg is not None


def test_same_stem_in_two_folders_gets_path_names(tmp_path) -> None:
    _touch(tmp_path, "a/x.shp", "a/x.shx", "a/x.dbf", "b/x.shp", "b/x.shx", "b/x.dbf")
    assert sorted(p.layer for p in find_shapefiles(tmp_path)) == ["a/x", "b/x"]


@pytest.mark.parametrize(("missing", "fragment"), [(".shx", "no .shx"), (".dbf", "no .dbf")])
def test_missing_parts_are_named(tmp_path, missing, fragment) -> None:
    _touch(tmp_path, *(f"p{ext}" for ext in (".shp", ".shx", ".dbf") if ext != missing))
    with pytest.raises(IngestError, match=fragment):
        shapefile_layers(tmp_path)
    with pytest.raises(IngestError, match=r"no \.shp"):
        shapefile_layers(tmp_path / "empty")


def test_check_xlsx(tmp_path) -> None:
    good = _zip(
        tmp_path / "g.xlsx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}
    )
    check_xlsx(good, LIMITS)
    bad = _zip(
        tmp_path / "b.xlsx",
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/sharedStrings.xml": b'<!DOCTYPE s [<!ENTITY a "b">]><s/>',
        },
    )
    with pytest.raises(IngestError, match="DOCTYPE") as caught:
        check_xlsx(bad, LIMITS)
    assert "sharedStrings" in str(caught.value)
