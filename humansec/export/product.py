"""One call from layers to a finished briefing product (PNG, PDF, PPTX, HTML or a table).

>>> data = export_product(frames, records, fmt="png", bbox=(22, 53.8, 24, 54.6),
...                       title="Suwałki gap", settings=settings, renderer=renderer)
... # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from humansec.conflicts.check import run_check
from humansec.conflicts.describe import describe_conflicts, locate, readable_conflicts
from humansec.conflicts.inputs import protected_features
from humansec.conflicts.rules import load_rules
from humansec.conflicts.summary import summarise
from humansec.errors import ConfigurationError, choices
from humansec.export import analysis
from humansec.export.formats import TABLE_FORMATS, pptx_bytes, table_bytes
from humansec.export.furniture import Bounds, Furniture, make_furniture
from humansec.export.html import product_html
from humansec.export.overlays import Overlay, area_shading, grid_images
from humansec.export.placenames import map_size
from humansec.export.render import SIZES, PageSize, Renderer
from humansec.mapview import data_bounds
from humansec.mapview.aggregate import in_bounds_mask, valid_mask
from humansec.model import PROTECTED_KINDS, RASTER_KINDS, WGS84, LayerKind
from humansec.settings import Settings
from humansec.store.base import LayerRecord

if TYPE_CHECKING:
    from humansec.population.exposure import Source

PRODUCT_FORMATS: tuple[str, ...] = ("png", "pdf", "pptx", "html")
TABLES: tuple[str, ...] = ("conflicts", "layers")
"""What a table export holds: the conflicts in view, or the attributes of the layers shown."""
DEFAULT_TITLE = "Human security situation"


def parse_kinds(names: Iterable[str]) -> tuple[LayerKind, ...]:
    """Layer kinds from their names, in model order; unknown names are refused."""
    valid = {str(kind): kind for kind in LayerKind}
    wanted = [name.strip() for name in names if name.strip()]
    unknown = [name for name in wanted if name not in valid]
    if unknown:
        msg = f"Unknown layer kind {choices(unknown)}; choose from {choices(valid)}."
        raise ConfigurationError(msg)
    return tuple(kind for kind in LayerKind if str(kind) in wanted)


def _in_view(frame: gpd.GeoDataFrame, bounds: Bounds | None) -> gpd.GeoDataFrame:
    geoms = frame.geometry.to_numpy()
    mask = valid_mask(geoms)
    if bounds is not None:
        mask &= in_bounds_mask(geoms, bounds)
    return frame[mask]


def conflicts_in_view(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    *,
    bounds: Bounds | None,
    settings: Settings,
    conflicts: pd.DataFrame | None = None,
    records: Iterable[LayerRecord] = (),
) -> pd.DataFrame | None:
    """Conflicts of the planned activities in view (None when no activity is shown).

    ``conflicts`` (from a check already run) is filtered to those activities; without it
    the check is run against the protected layers in ``frames`` with the configured rules.
    The rows carry the names and locations of ``describe.describe_conflicts`` (features of
    kinds not in ``frames`` keep their id only) and ``people_in_hazard``: the people inside
    the activity's hazard area from each population source in ``frames`` (points, reference
    areas, grids whose files are in ``settings.data_dir``), named by the layers' titles in
    ``records``.
    """
    activities = frames.get(LayerKind.ACTIVITY)
    if activities is None or activities.empty:
        return None
    shown = _in_view(activities, bounds)
    if shown.empty:
        return None
    if conflicts is None:
        protected = {k: f for k, f in frames.items() if k in PROTECTED_KINDS}
        conflicts = run_check(shown, protected, load_rules(settings.rules_path)).conflicts
    ids = set(shown["id"].astype(str))
    in_view = conflicts[conflicts["activity_id"].astype(str).isin(ids)].reset_index(drop=True)
    protected = protected_features({k: f for k, f in frames.items() if k in PROTECTED_KINDS})
    described = describe_conflicts(in_view, protected, shown)
    return _with_people(described, shown, frames, settings, records)


def _with_people(
    described: pd.DataFrame,
    activities: gpd.GeoDataFrame,
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    settings: Settings,
    records: Iterable[LayerRecord],
) -> pd.DataFrame:
    """``described`` with ``people_in_hazard``: the people inside each conflict's activity's
    hazard area from every population source in ``frames`` (``exposure``, one figure per
    layer, named by its title), when there is a population source and a conflict."""
    # Imported here: only a product with conflicts and people needs the exposure machinery.
    from humansec.conflicts.rule_versions import active_rules_path  # noqa: PLC0415
    from humansec.population.exposure import exposure, people_text  # noqa: PLC0415

    sources = _population_sources(frames, settings)
    if described.empty or not sources:
        return described
    involved = activities[activities["id"].astype(str).isin(described["activity_id"].astype(str))]
    table = exposure(involved, load_rules(active_rules_path(settings)), sources)
    titles = _source_titles(records, table["source_layer"].astype(str).unique())
    table["source_layer"] = table["source_layer"].astype(str).map(titles)
    people = people_text(table)
    return described.assign(
        people_in_hazard=described["activity_id"].astype(str).map(people).fillna("")
    )


def _population_sources(
    frames: Mapping[LayerKind, gpd.GeoDataFrame], settings: Settings
) -> list[Source]:
    """The population sources among ``frames``, one per layer (by ``layer_id``; a frame
    without that column is one layer named by its kind); grids' files in the data folder."""
    from humansec.population.sources import SOURCE_KINDS, source_of  # noqa: PLC0415

    sources: list[Source] = []
    for kind in LayerKind:
        frame = frames.get(kind)
        if kind not in SOURCE_KINDS or frame is None or frame.empty:
            continue
        parts = (
            ((str(layer), part) for layer, part in frame.groupby("layer_id", sort=False))
            if "layer_id" in frame.columns
            else [(str(kind), frame)]
        )
        for layer, part in parts:
            source = source_of(
                kind, layer, gpd.GeoDataFrame(part, crs=frame.crs), settings.data_dir
            )
            if source is not None:
                sources.append(source)
    return sources


def _source_titles(records: Iterable[LayerRecord], layers: Iterable[str]) -> dict[str, str]:
    """Each layer id in ``layers`` to its title in ``records`` (the id when it has no record;
    ``title [id]`` when two of ``layers`` share a title)."""
    known = {record.layer_id: record.title for record in records}
    layers = list(layers)
    titles = {layer: known.get(layer) or layer for layer in layers}
    counts = Counter(titles.values())
    return {
        layer: title if counts[title] == 1 else f"{title} [{layer}]"
        for layer, title in titles.items()
    }


def with_status(
    frames: Mapping[LayerKind, gpd.GeoDataFrame], conflicts: pd.DataFrame | None
) -> dict[LayerKind, gpd.GeoDataFrame]:
    """``frames`` with the planned activities given their red/amber/green ``status`` (and
    ``worst_severity``, ``conflicts``) from ``conflicts`` (see ``summarise``); activities
    without a conflict in ``conflicts`` are green. Without activities, ``frames`` as given.
    """
    activities = frames.get(LayerKind.ACTIVITY)
    if activities is None or activities.empty or conflicts is None:
        return dict(frames)
    summary = summarise(activities, conflicts)
    coloured = activities.reset_index(drop=True).copy()
    for column in ("status", "worst_severity", "conflicts"):
        coloured[column] = summary[column].to_numpy()
    return {**frames, LayerKind.ACTIVITY: coloured}


def prepare(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    records: Iterable[LayerRecord],
    *,
    bbox: Bounds | None = None,
    title: str = DEFAULT_TITLE,
    subtitle: str = "",
    kinds: Sequence[LayerKind] | None = None,
    classification: str | None = None,
    settings: Settings,
    conflicts: pd.DataFrame | None = None,
    moment: dt.datetime | None = None,
    grid: str = "latlon",
) -> tuple[dict[LayerKind, gpd.GeoDataFrame], Furniture]:
    """The frames to draw and the furniture around them (see ``export_product``)."""
    # Population grids are drawn as images (``export_product``) and count the people in the
    # conflict table's hazard areas: their layers count towards the marking and sources.
    chosen = tuple(frames if kinds is None else kinds)
    shown_kinds = tuple(k for k in chosen if k not in RASTER_KINDS)
    shown = {k: f for k, f in frames.items() if k in shown_kinds and f is not None}
    grids = {k: f for k, f in frames.items() if k in chosen and k in RASTER_KINDS and f is not None}
    records = list(records)
    bounds = bbox or data_bounds(shown)
    in_view = conflicts_in_view(
        {**shown, **grids}, bounds=bounds, settings=settings, conflicts=conflicts, records=records
    )
    grid_kinds = [kind for kind, frame in grids.items() if not frame.empty]  # drawn, counting
    furniture = make_furniture(
        records,
        kinds=[k for k in LayerKind if k in shown_kinds],
        counted_kinds=tuple(grid_kinds),
        order=settings.classification_order,
        title=title,
        subtitle=subtitle,
        classification=classification,
        moment=moment,
        bounds=bounds,
        conflicts=in_view,
        grid=grid,
        layers_in_view=layers_in_view(shown, bounds),
        table_notes=(GRID_NOTE,) if _counted_grids(grids, in_view) else (),
    )
    return with_status(shown, in_view), furniture


GRID_NOTE = "Population grids count the people in the hazard areas of the conflict table."


def _counted_grids(
    grids: Mapping[LayerKind, gpd.GeoDataFrame], conflicts: pd.DataFrame | None
) -> list[LayerKind]:
    """The grid kinds whose people the conflict table gives (its marking and sources count)."""
    if conflicts is None or "people_in_hazard" not in conflicts.columns:
        return []
    return [kind for kind, frame in grids.items() if not frame.empty]


def layers_in_view(
    frames: Mapping[LayerKind, gpd.GeoDataFrame], bounds: Bounds | None
) -> set[str] | None:
    """Ids of the store layers with a feature inside ``bounds``; None when a frame has no
    ``layer_id`` column (not read from the store: every layer then counts as shown).
    """
    ids: set[str] = set()
    for frame in frames.values():
        if frame.empty:
            continue
        if "layer_id" not in frame.columns:
            return None
        ids.update(str(v) for v in _in_view(frame, bounds)["layer_id"].dropna().unique())
    return ids


def export_product(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    records: Iterable[LayerRecord],
    *,
    fmt: str,
    bbox: Bounds | None = None,
    title: str = DEFAULT_TITLE,
    subtitle: str = "",
    kinds: Sequence[LayerKind] | None = None,
    size: str = "slide",
    classification: str | None = None,
    settings: Settings,
    renderer: Renderer | None = None,
    conflicts: pd.DataFrame | None = None,
    moment: dt.datetime | None = None,
    table: str = "conflicts",
    grid: str = "latlon",
    analyses: Sequence[str] = (),
    area_measure: str | None = None,
    area_filters: str | None = None,
) -> bytes:
    """Return the briefing product of ``frames`` as the bytes of one file.

    Parameters
    ----------
    frames
        Layers per kind in WGS84 (EPSG:4326), e.g. ``store.read_kind(kind)``.
    records
        The catalogue records of those layers: their markings, EXERCISE flags and sources.
    fmt
        ``png``, ``pdf``, ``pptx``, ``html`` or a table ``csv``/``xlsx``/``geojson``.
    bbox
        ``(west, south, east, north)`` in degrees; default the extent of the data shown.
    title, subtitle
        Printed above the map (escaped).
    kinds
        Kinds shown (default: every kind in ``frames``).
    size
        ``slide`` (1920x1080), ``a4`` or ``a3`` (landscape, 300 dpi; PDF needs one of these).
    classification
        Raises the marking above the layers' own; never lowers it.
    settings
        The marking order and the stand-off rules come from here.
    renderer
        A warm ``Renderer`` (PNG, PDF and PPTX need one; HTML and tables do not).
    conflicts
        Conflicts of a check already run (``CheckResult.conflicts``); default: run it here.
    moment
        The DTG's moment (aware); default now.
    table
        For ``csv``/``xlsx``/``geojson``: ``conflicts`` (default) or ``layers`` (the
        attributes of the features in view of the kinds shown, one row each).
    grid
        The coordinate grid drawn: ``latlon`` (default) or ``mgrs`` (UTM zones, 100 km
        squares and their labels such as ``34U FE``).
    analyses
        For PDF and PPTX: incident charts added after the map (``analysis.ANALYSES``:
        ``trend``, ``victims``, ``hotspots``), from the incidents shown in the area.
    area_measure
        For the map products: the reference areas shaded by ``population``, ``density_km2``
        or ``incidents_per_100k`` (which needs the incidents shown), as on the live map;
        default their outlines.
    area_filters
        Which incidents the rate counts, in words (``choropleth.filter_words``), when
        ``frames`` were filtered; default all dates and focus areas.

    """
    if fmt not in PRODUCT_FORMATS + TABLE_FORMATS:
        valid = choices(PRODUCT_FORMATS + TABLE_FORMATS)
        msg = f"Unknown export format {fmt!r}; choose one of {valid}."
        raise ConfigurationError(msg)
    if table not in TABLES:
        msg = f"Unknown table {table!r}; choose one of {choices(TABLES)}."
        raise ConfigurationError(msg)
    if size not in SIZES:
        msg = f"Unknown size {size!r}; choose one of {choices(SIZES)}."
        raise ConfigurationError(msg)
    shown, furniture = prepare(
        frames, records, bbox=bbox, title=title, subtitle=subtitle, kinds=kinds,
        classification=classification, settings=settings, conflicts=conflicts, moment=moment,
        grid=grid,
    )  # fmt: skip
    analyses = analysis.check_analyses(analyses)
    figures = (
        analysis.figures(
            _in_view(shown[LayerKind.INCIDENT], furniture.bounds)
            if LayerKind.INCIDENT in shown
            else None,
            analyses,
        )
        if analyses and fmt in {"pdf", "pptx"}
        else []
    )
    if fmt in TABLE_FORMATS:
        if table == "layers":
            return layers_table(shown, furniture, fmt=fmt)
        return conflict_table(shown, furniture, fmt=fmt)
    overlays = _overlays(frames, kinds, shown, settings=settings, bounds=furniture.bounds,
                         area_measure=area_measure, area_filters=area_filters)  # fmt: skip
    if fmt == "html":
        return product_html(shown, furniture, mode="interactive", overlays=overlays).encode()
    if renderer is None:
        msg = f"{fmt.upper()} needs the headless browser; HTML and tables do not."
        raise ConfigurationError(msg)
    html, page = page_html(shown, furniture, fmt=fmt, size=size, overlays=overlays)
    if fmt == "pdf":
        pdf = renderer.pdf(html, page)
        return analysis.add_to_pdf(pdf, renderer, figures, furniture, page) if figures else pdf
    if fmt == "pptx":
        pptx = pptx_bytes(renderer.png(html, page), furniture)
        return analysis.add_to_pptx(pptx, renderer, figures, furniture) if figures else pptx
    return renderer.png(html, page)


def _overlays(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    kinds: Sequence[LayerKind] | None,
    shown: Mapping[LayerKind, gpd.GeoDataFrame],
    *,
    settings: Settings,
    bounds: Bounds | None,
    area_measure: str | None,
    area_filters: str | None,
) -> list[Overlay]:
    """The population grids chosen (bottom) and the shaded reference areas, as the live map."""
    grids = frames.get(LayerKind.POPULATION_RASTER)
    chosen = kinds is None or LayerKind.POPULATION_RASTER in kinds
    drawn = grid_images(grids, settings.data_dir, bounds) if chosen and bounds else []
    areas = area_shading(shown, area_measure, filters=area_filters)
    return [*drawn, *([areas] if areas is not None else [])]


def page_html(
    shown: Mapping[LayerKind, gpd.GeoDataFrame],
    furniture: Furniture,
    *,
    fmt: str,
    size: str = "slide",
    overlays: Sequence[Overlay] = (),
) -> tuple[str, PageSize]:
    """The page the browser draws for a ``png``, ``pdf`` or ``pptx`` product, and its size.

    ``shown`` and ``furniture`` come from ``prepare``. A PDF is on paper (A4 unless ``size``
    is a paper size); a PPTX's picture is the slide without banners and title (the slide
    carries them as text). Place names are placed for the map's size on that page.
    """
    page = SIZES[size]
    if fmt == "pdf":
        page = page if page.pdf_size is not None else SIZES["a4"]
        return product_html(
            shown, furniture, mode="print", page_css=page.page_css, map_px=map_size(page),
            overlays=overlays,
        ), page  # fmt: skip
    if fmt == "pptx":
        slide = SIZES["slide"]
        return product_html(
            shown, furniture, mode="bare", page_css=slide.page_css,
            map_px=map_size(slide, bare=True), overlays=overlays,
        ), slide  # fmt: skip
    return product_html(
        shown, furniture, mode="print", page_css=page.page_css, more_sources="in the PDF product",
        map_px=map_size(page), overlays=overlays,
    ), page  # fmt: skip


def conflict_table(
    frames: Mapping[LayerKind, gpd.GeoDataFrame], furniture: Furniture, *, fmt: str
) -> bytes:
    """The conflicts in view as CSV/XLSX (headings and codes in words, with each feature's
    name, kind, category, lat/lon and MGRS), or as GeoJSON on the activities' geometries.
    """
    conflicts = furniture.conflicts
    if conflicts is None:
        conflicts = pd.DataFrame(columns=["activity_id", "feature_id", "severity"])
    if fmt == "geojson":
        activities = frames.get(LayerKind.ACTIVITY)
        geometry = None
        if activities is not None and not activities.empty:
            by_id = dict(zip(activities["id"].astype(str), activities.geometry, strict=False))
            geometry = [by_id.get(str(a)) for a in conflicts["activity_id"]]
        table = gpd.GeoDataFrame(
            conflicts.reset_index(drop=True),
            geometry=geometry or [None] * len(conflicts),
            crs="EPSG:4326",
        )
        return table_bytes(table, fmt=fmt, banner=furniture.banner)
    return table_bytes(
        readable_conflicts(conflicts), fmt=fmt, banner=furniture.banner, sheet="conflicts"
    )


def layer_table(frame: gpd.GeoDataFrame, furniture: Furniture, *, fmt: str) -> bytes:
    """One layer's attributes (and, as GeoJSON, geometries) with the product's marking."""
    return table_bytes(frame, fmt=fmt, banner=furniture.banner, sheet="layer")


def layers_table(
    frames: Mapping[LayerKind, gpd.GeoDataFrame], furniture: Furniture, *, fmt: str
) -> bytes:
    """The attributes of the features in view of every layer in ``frames``, as one table.

    A first column ``kind`` says which layer a row comes from; columns a kind lacks stay
    empty. CSV and XLSX carry the marking in a header row, neutralise formula-like text and
    end with each feature's ``latitude``, ``longitude`` and ``MGRS`` (a point on it);
    GeoJSON keeps the geometries (WGS84).
    """
    parts = [
        gpd.GeoDataFrame(_in_view(frame, furniture.bounds), crs=WGS84).assign(kind=str(kind))
        for kind, frame in frames.items()
        if frame is not None and not frame.empty
    ]
    if parts:
        combined = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)
    else:
        combined = gpd.GeoDataFrame({"id": []}, geometry=[], crs=WGS84)
        combined["kind"] = pd.Series(dtype="object")
    first = ["kind", *(c for c in combined.columns if c != "kind")]
    ordered = gpd.GeoDataFrame(combined[first], crs=WGS84)
    if fmt == "geojson":
        return layer_table(ordered, furniture, fmt=fmt)
    # CSV and XLSX have no geometry: each feature is located by lat/lon and MGRS instead
    located = locate(ordered).rename(
        columns={"lat": "latitude", "lon": "longitude", "mgrs": "MGRS"}
    )
    return table_bytes(located, fmt=fmt, banner=furniture.banner, sheet="layer")
