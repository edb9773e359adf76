"""Copy the map's JavaScript, CSS and basemap from node_modules into static/vendor/.

Run after ``npm ci --ignore-scripts`` (``make setup`` does both). Idempotent: it rewrites
``static/vendor/`` from ``node_modules/`` every time. Nothing is downloaded here, and nothing
it writes is committed (``static/vendor/`` is gitignored).

The countries basemap is world-atlas's Natural Earth 1:50m TopoJSON converted to GeoJSON with
topojson-client's ``topo2geo``; coordinates are rounded to 0.001 degree (the TopoJSON is
quantised more coarsely than that already) to keep the file small. The files the live map's
runtime fetches itself (``PACKED``: the countries, milsymbol) also get a gzipped copy
(``.gz``) that it asks for: Streamlit's server gzips every other file of ``static/`` anew on
each request, on the event loop that also sends every session's messages (level 9, per browser
that opens the map: 70 ms for the 1:50m countries, 22 ms for milsymbol), while a ``.gz`` file
goes out as it is (``application/gzip``) and the browser unpacks it.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"
BASEMAP_SOURCE = "world-atlas/countries-50m.json"
BASEMAP_TARGET = Path("basemap") / "countries.geojson"
# The live map draws this 1:110m version first (8,000 vertices instead of 100,000: a fraction
# of the parse and draw on the first view), then the 1:50m one above once it has painted.
COARSE_BASEMAP_SOURCE = "world-atlas/countries-110m.json"
COARSE_BASEMAP_TARGET = Path("basemap") / "countries-110m.geojson"
# The live map's scripts in one file, in load order (Leaflet first): streamlit-folium loads a
# map's scripts one after the other, so one request instead of three (benchmarks/README.md,
# issue 10). Leaflet.draw stays apart: the draw controls list it themselves, only where drawn.
# The separate files stay for the exports, which inline them.
BUNDLE_TARGET = Path("bundle") / "map.js"
BUNDLE_PARTS: tuple[str, ...] = (
    "leaflet/leaflet.js",
    "leaflet.markercluster/leaflet.markercluster.js",
    "leaflet.heat/leaflet-heat.js",
)
# Last in the bundle: the light countries asked for as soon as the bundle runs, while
# streamlit-folium still loads the frame's other files, instead of once the map's script runs
# after them (``L.Humansec.basemap`` takes the response from ``window.hsPrefetched``).
# The gzipped copy where the browser can unpack it, as ``L.Humansec.basemap`` asks for it.
BUNDLE_PREFETCH = """/* humansec: the light countries, asked for at once */
(function () {
  var script = document.currentScript;
  if (!script || !script.src || !window.fetch || !window.URL) { return; }
  var url = new URL(%s + (window.DecompressionStream ? %s : ""), script.src).href;
  window.hsPrefetched = window.hsPrefetched || {};
  window.hsPrefetched[url] = fetch(url);
})();
"""
DECIMALS = 3
PACKED_SUFFIX = ".gz"
"""As ``humansec.mapview.assets.PACKED_SUFFIX`` (scripts/ does not import the app)."""
MILSYMBOL_TARGET = Path("milsymbol") / "milsymbol.js"
PACKED: tuple[Path, ...] = (BASEMAP_TARGET, COARSE_BASEMAP_TARGET, MILSYMBOL_TARGET)
"""The files (below static/vendor/) that get a gzipped copy: what ``L.Humansec`` fetches."""

# (package, file below the package, target below static/vendor/)
COPIES: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "LICENSE", "leaflet/LICENSE"),
    ("leaflet.markercluster", "dist/leaflet.markercluster.js",
     "leaflet.markercluster/leaflet.markercluster.js"),
    ("leaflet.markercluster", "dist/MarkerCluster.css",
     "leaflet.markercluster/MarkerCluster.css"),
    ("leaflet.markercluster", "dist/MarkerCluster.Default.css",
     "leaflet.markercluster/MarkerCluster.Default.css"),
    ("leaflet.markercluster", "MIT-LICENCE.txt", "leaflet.markercluster/MIT-LICENCE.txt"),
    ("leaflet.heat", "dist/leaflet-heat.js", "leaflet.heat/leaflet-heat.js"),
    ("leaflet.heat", "LICENSE", "leaflet.heat/LICENSE"),
    ("world-atlas", "LICENSE", "basemap/LICENSE-world-atlas"),
    ("leaflet-draw", "dist/leaflet.draw.js", "leaflet-draw/leaflet.draw.js"),
    ("leaflet-draw", "dist/leaflet.draw.css", "leaflet-draw/leaflet.draw.css"),
    ("milsymbol", "dist/milsymbol.js", str(MILSYMBOL_TARGET)),
    ("milsymbol", "LICENSE", "milsymbol/LICENSE"),
    ("protomaps-leaflet", "dist/protomaps-leaflet.js", "protomaps-leaflet/protomaps-leaflet.js"),
    ("protomaps-leaflet", "LICENSE", "protomaps-leaflet/LICENSE"),
)  # fmt: skip
COPY_DIRS: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "dist/images", "leaflet/images"),
    ("leaflet-draw", "dist/images", "leaflet-draw/images"),
)


class BuildError(RuntimeError):
    """A source file is missing or the conversion failed."""


def _source(package: str, relative: str) -> Path:
    path = NODE_MODULES / package / relative
    if not path.exists():
        msg = (
            f"{path.relative_to(ROOT)} is missing. Run `make setup` "
            "(npm ci --ignore-scripts) to install the pinned npm packages first."
        )
        raise BuildError(msg)
    return path


def _round(coords: object) -> object:
    """Round nested coordinate arrays and drop repeated consecutive positions."""
    if isinstance(coords, list) and coords and isinstance(coords[0], int | float):
        return [round(float(c), DECIMALS) for c in coords]
    if not isinstance(coords, list):
        return coords
    out = [_round(c) for c in coords]
    if out and isinstance(out[0], list) and out[0] and isinstance(out[0][0], float):
        deduped = [out[0]] + [b for a, b in itertools.pairwise(out) if a != b]
        if len(deduped) >= 4 or len(deduped) == len(out):
            return deduped
    return out


def convert_basemap(target: Path, source: str = BASEMAP_SOURCE) -> int:
    """Convert the world-atlas TopoJSON ``source`` to rounded GeoJSON at ``target``; return
    its size."""
    topo = _source(*source.split("/", 1))
    topo2geo = NODE_MODULES / ".bin" / "topo2geo"
    if not topo2geo.exists():
        msg = "node_modules/.bin/topo2geo is missing. Run `make setup` first."
        raise BuildError(msg)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "countries.geojson"
        with topo.open("rb") as stdin:
            result = subprocess.run(
                [str(topo2geo), f"countries={raw}"],
                stdin=stdin,
                capture_output=True,
                check=False,
            )
        if result.returncode != 0:
            msg = f"topo2geo failed: {result.stderr.decode(errors='replace').strip()}"
            raise BuildError(msg)
        collection = json.loads(raw.read_text(encoding="utf-8"))
    features = []
    for feature in collection["features"]:
        geometry = feature.get("geometry")
        if not geometry:
            continue
        features.append(
            {
                "type": "Feature",
                "id": feature.get("id"),
                "properties": {"name": (feature.get("properties") or {}).get("name")},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _round(geometry["coordinates"]),
                },
            }
        )
    text = json.dumps(
        {"type": "FeatureCollection", "features": features},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target.stat().st_size


def packed_path(target: Path) -> Path:
    """The gzipped copy of the file ``target`` (``PACKED_SUFFIX`` appended)."""
    return target.with_name(target.name + PACKED_SUFFIX)


def write_packed(target: Path) -> int:
    """Write the gzipped copy of ``target``; return its size. mtime=0: the same file gives
    the same bytes."""
    packed = packed_path(target)
    packed.write_bytes(gzip.compress(target.read_bytes(), compresslevel=9, mtime=0))
    return packed.stat().st_size


def build() -> list[tuple[Path, int]]:
    """Rewrite static/vendor/ from node_modules/; return (path, bytes) of what was written."""
    if not NODE_MODULES.is_dir():
        msg = "node_modules/ is missing. Run `make setup` (npm ci --ignore-scripts) first."
        raise BuildError(msg)
    sources = [(_source(p, rel), target) for p, rel, target in COPIES]
    dir_sources = [(_source(p, rel), target) for p, rel, target in COPY_DIRS]
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    written: list[tuple[Path, int]] = []
    for source, target in sources:
        out = VENDOR / target
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out)
        written.append((out, out.stat().st_size))
    for source, target in dir_sources:
        shutil.copytree(source, VENDOR / target)
        written.extend((p, p.stat().st_size) for p in sorted((VENDOR / target).iterdir()))
    basemap = VENDOR / BASEMAP_TARGET
    written.append((basemap, convert_basemap(basemap)))
    coarse = VENDOR / COARSE_BASEMAP_TARGET
    written.append((coarse, convert_basemap(coarse, COARSE_BASEMAP_SOURCE)))
    written.extend((packed_path(VENDOR / p), write_packed(VENDOR / p)) for p in PACKED)
    bundle = VENDOR / BUNDLE_TARGET
    written.append((bundle, write_bundle(bundle)))
    return written


def write_bundle(target: Path) -> int:
    """Concatenate ``BUNDLE_PARTS`` (already in ``static/vendor/``) into ``target``; return its
    size. Source map comments are dropped (the maps are not vendored)."""
    parts = []
    for part in BUNDLE_PARTS:
        code = (VENDOR / part).read_text(encoding="utf-8")
        lines = [line for line in code.splitlines() if not line.startswith("//# sourceMappingURL")]
        parts.append(f"/* {part} */\n" + "\n".join(lines) + "\n;\n")
    coarse = json.dumps(_relative_url(COARSE_BASEMAP_TARGET, BUNDLE_TARGET))
    parts.append(BUNDLE_PREFETCH % (coarse, json.dumps(PACKED_SUFFIX)))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(parts), encoding="utf-8")
    return target.stat().st_size


def _relative_url(target: Path, origin: Path) -> str:
    """The URL of ``target`` relative to the file ``origin`` (both below ``static/vendor/``).

    >>> _relative_url(Path("basemap/countries-110m.geojson"), Path("bundle/map.js"))
    '../basemap/countries-110m.geojson'
    """
    return Path(os.path.relpath(target, origin.parent)).as_posix()


def main() -> int:
    """Build the assets and print what was written."""
    try:
        written = build()
    except BuildError as error:
        print(f"build_assets: {error}", file=sys.stderr)
        return 1
    for path, size in written:
        print(f"{size:>10,d}  {path.relative_to(ROOT)}")
    print(f"{sum(s for _, s in written):>10,d}  total in {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
