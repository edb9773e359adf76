"""Zip archives (zipped shapefiles, KMZ, XLSX) checked entry by entry before anything is unpacked.

Refused: path traversal, absolute paths, backslashes, symlinks, encrypted entries, too many
entries, a declared unpacked size or compression ratio beyond the limits, archives inside the
archive. Unpacking writes only checked regular files, only inside the destination, and counts
the bytes really written (the sizes in the zip's headers are not trusted).
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from humansec.errors import IngestError
from humansec.ingest.limits import IngestLimits
from humansec.ingest.xmlcheck import check_xml

_NESTED_ARCHIVES = (".zip", ".kmz", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".gpkg")
_RATIO_FLOOR = 1 << 20
"""Entries smaller than this unpacked are not judged by their ratio (tiny files compress well)."""
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_zip(path: Path, limits: IngestLimits) -> list[zipfile.ZipInfo]:
    """Check every entry of the zip at ``path``; return the entries that are regular files.

    Parameters
    ----------
    path
        The uploaded zip.
    limits
        ``max_archive_entries``, ``max_unpacked_bytes`` and ``max_ratio`` are applied.

    Raises
    ------
    IngestError
        Naming the first bad entry and what is wrong with it.

    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        msg = f"{name!r} is not a readable zip archive ({exc}). Pack the files again as a .zip."
        raise IngestError(msg) from exc
    if len(infos) > limits.max_archive_entries:
        msg = (
            f"The zip {name!r} has {len(infos)} entries; at most {limits.max_archive_entries} "
            "are accepted. Zip only the files of the layer."
        )
        raise IngestError(msg)
    files: list[zipfile.ZipInfo] = []
    seen: set[str] = set()
    declared = 0
    for info in infos:
        _check_entry(info, name)
        key = info.filename.rstrip("/").lower()
        if key in seen:
            msg = (
                f"The zip {name!r} holds {info.filename!r} twice. Pack the files again so each "
                "appears once."
            )
            raise IngestError(msg)
        seen.add(key)
        if info.is_dir():
            continue
        declared += info.file_size
        if declared > limits.max_unpacked_bytes:
            msg = (
                f"The zip {name!r} unpacks to more than {_size(limits.max_unpacked_bytes)} "
                f"(at least {_size(declared)} by its headers). Split the data or reduce it."
            )
            raise IngestError(msg)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            msg = (
                f"The zip entry {info.filename!r} of {name!r} unpacks {ratio:.0f} times larger "
                f"than it is packed (limit {limits.max_ratio}); that is how zip bombs look. "
                "Upload the data unzipped or packed normally."
            )
            raise IngestError(msg)
        files.append(info)
    return files


def _check_entry(info: zipfile.ZipInfo, archive_name: str) -> None:
    entry = info.filename
    where = f"The zip {archive_name!r} holds an entry {entry!r}"
    fix = "Pack only the data files, with paths relative to the zip, and upload again."
    if "\\" in entry:
        msg = f"{where} with a backslash in its path; it is refused. {fix}"
        raise IngestError(msg)
    if _CONTROL.search(entry) or entry.strip() == "":
        msg = f"{where} whose name holds control characters; it is refused. {fix}"
        raise IngestError(msg)
    if entry.startswith("/") or _DRIVE.match(entry):
        msg = f"{where} with an absolute path; it is refused. {fix}"
        raise IngestError(msg)
    if ".." in PurePosixPath(entry).parts:
        msg = f"{where} that climbs out of the folder ('..'); it is refused. {fix}"
        raise IngestError(msg)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        msg = f"{where} that is a symbolic link; links are refused. {fix}"
        raise IngestError(msg)
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        msg = f"{where} that is not a regular file (a device or pipe); it is refused. {fix}"
        raise IngestError(msg)
    if info.flag_bits & 0x1:
        msg = (
            f"{where} that is encrypted (password-protected). Pack the files without a "
            "password and upload again."
        )
        raise IngestError(msg)
    lowered = entry.lower()
    if lowered.endswith(_NESTED_ARCHIVES) and not lowered.startswith("xl/"):
        msg = (
            f"{where} that is itself an archive or database; archives inside archives are "
            "refused. Upload that file on its own."
        )
        raise IngestError(msg)


def extract_zip(path: Path, dest: Path, limits: IngestLimits) -> list[Path]:
    """Check the zip at ``path`` and unpack its regular files into ``dest``; return their paths.

    The bytes written are counted as they are written: an entry that unpacks to more than its
    header declares, or a total beyond ``limits.max_unpacked_bytes``, stops the unpacking with
    an IngestError. Existing files are never overwritten.
    """
    files = check_zip(path, limits)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    written_total = 0
    out: list[Path] = []
    with zipfile.ZipFile(path) as archive:
        for info in files:
            target = (root / info.filename).resolve()
            if not target.is_relative_to(root) or target == root:
                msg = f"The zip entry {info.filename!r} would be written outside the upload."
                raise IngestError(msg)
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            try:
                with archive.open(info) as source, target.open("xb") as sink:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        written_total += len(chunk)
                        if written > info.file_size or written_total > limits.max_unpacked_bytes:
                            msg = (
                                f"The zip entry {info.filename!r} of {path.name!r} unpacks to "
                                "more than its header says or beyond the limit of "
                                f"{_size(limits.max_unpacked_bytes)}; it is refused."
                            )
                            raise IngestError(msg)
                        sink.write(chunk)
            except FileExistsError as exc:
                msg = f"The zip {path.name!r} holds {info.filename!r} twice; pack it again."
                raise IngestError(msg) from exc
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
                msg = (
                    f"The zip entry {info.filename!r} of {path.name!r} cannot be unpacked "
                    f"({exc}). Pack the files again as a plain .zip."
                )
                raise IngestError(msg) from exc
            out.append(target)
    return out


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n < 2**30 else f"{n / 2**30:.1f} GiB"


def check_xlsx(path: Path, limits: IngestLimits) -> None:
    """Check an Excel workbook: its zip entry by entry and each of its XML parts.

    The XML parts are checked for DOCTYPE, entities, XInclude and external references
    (``humansec.ingest.xmlcheck``) before openpyxl parses them.
    """
    files = check_zip(path, limits)
    with zipfile.ZipFile(path) as archive:
        for info in files:
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                with archive.open(info) as part:
                    data = part.read(info.file_size + 1)
                check_xml(data, what=f"the part {info.filename!r} of the workbook {path.name!r}")


@dataclass(frozen=True)
class ShapefileParts:
    """The files of one shapefile found in an unpacked tree."""

    layer: str
    shp: Path
    shx: Path | None
    dbf: Path | None
    prj: Path | None
    cpg: Path | None


def find_shapefiles(root: Path) -> list[ShapefileParts]:
    """The shapefiles under ``root`` (any depth), with their sidecars matched case-insensitively.

    macOS resource forks (``__MACOSX/``, ``._name.shp``) are skipped; other sidecars (``.qpj``,
    ``.sbn``, ``.xml``) are ignored. The layer name is the file's stem, or its path relative to
    ``root`` when two shapefiles share a stem.
    """
    shps = sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() == ".shp"
        and p.is_file()
        and "__MACOSX" not in p.relative_to(root).parts
        and not p.name.startswith("._")
    )
    stems = [p.stem for p in shps]
    found: list[ShapefileParts] = []
    for shp in shps:
        siblings = {
            p.suffix.lower(): p
            for p in shp.parent.iterdir()
            if p.stem == shp.stem and p.is_file() and p != shp
        }
        layer = shp.stem
        if stems.count(shp.stem) > 1:
            layer = shp.relative_to(root).with_suffix("").as_posix()
        found.append(
            ShapefileParts(
                layer=layer,
                shp=shp,
                shx=siblings.get(".shx"),
                dbf=siblings.get(".dbf"),
                prj=siblings.get(".prj"),
                cpg=siblings.get(".cpg"),
            )
        )
    return found


def check_shapefiles(parts: Iterable[ShapefileParts]) -> None:
    """Refuse a shapefile that lacks its ``.shx`` or ``.dbf`` (the ``.prj`` is judged later)."""
    for part in parts:
        missing = [ext for ext, p in ((".shx", part.shx), (".dbf", part.dbf)) if p is None]
        if missing:
            msg = (
                f"The shapefile {part.shp.name!r} has no {' and no '.join(missing)} next to it "
                f"in the zip; a shapefile needs its .shp, .shx and .dbf (and .prj, .cpg). Zip "
                "them together with the same name and upload again."
            )
            raise IngestError(msg)


def shapefile_layers(root: Path) -> list[ShapefileParts]:
    """The checked shapefiles under ``root``; IngestError if there are none or one is incomplete."""
    parts = find_shapefiles(root)
    if not parts:
        msg = "The zip holds no .shp file. Zip the shapefile's .shp, .shx, .dbf and .prj together."
        raise IngestError(msg)
    check_shapefiles(parts)
    return parts
