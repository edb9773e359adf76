"""The print furniture of a map product: banners, title block, DTG, legend, grid, sources.

Everything here is HTML, CSS and a little JavaScript placed around (and on) the folium map by
``html.py``. Every text that comes from data or the user is escaped with
``humansec.escaping.escape_text``; the grid labels are set with ``textContent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from humansec.conflicts.describe import kind_title, words
from humansec.conflicts.rules import SEVERITIES
from humansec.errors import ConfigurationError, choices
from humansec.escaping import escape_text, format_value, is_missing
from humansec.export.dtg import format_dtg
from humansec.export.mgrs_grid import check_grid, grid_note
from humansec.mapview.check import status_legend_rows
from humansec.mapview.elements import script_json
from humansec.mapview.symbols import map_legend_html
from humansec.marking import banner_text, highest_marking
from humansec.model import KIND_SPECS, LayerKind
from humansec.store.base import LayerRecord

CONFLICT_ROWS_SHOWN = 30
"""Conflicts listed on a printed annex; the full list goes into the tables (CSV/XLSX)."""
BASEMAP_SOURCE = "Countries: Natural Earth (public domain), via world-atlas"

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class Source:
    """One layer shown: its title, source, licence and marking."""

    title: str
    source: str
    licence: str
    classification: str

    def line(self) -> str:
        """Plain text: ``title: source (licence)``."""
        return f"{self.title}: {self.source} ({self.licence})"


@dataclass(frozen=True, eq=False)
class Furniture:
    """What frames the map: everything an export prints around it (text not yet escaped)."""

    title: str
    subtitle: str
    marking: str
    exercise: bool
    dtg: str
    kinds: tuple[LayerKind, ...]
    sources: tuple[Source, ...]
    bounds: Bounds | None = None
    conflicts: pd.DataFrame | None = field(default=None)
    grid: str = "latlon"
    """``latlon`` or ``mgrs`` (``mgrs_grid.GRIDS``)."""
    notes: tuple[str, ...] = ()
    """Notes on how the map is drawn (e.g. a layer aggregated into hexagons)."""
    table_notes: tuple[str, ...] = ()
    """Notes under the conflict table (e.g. population grids counted though not drawn)."""
    empty_kinds: tuple[LayerKind, ...] = ()
    """Kinds shown that have no feature on the map: no legend row (a legend of nothing made
    a tall legend push the grid, conflicts and sources off the sheet)."""
    legends: tuple[tuple[LayerKind, str], ...] = ()
    """Legends of layers drawn other than by their kind's symbol (escaped HTML made by the
    map's builders: the shaded reference areas' classes, a population grid's), each in place
    of its kind's symbol row."""

    @property
    def banner(self) -> str:
        """The banner line, top and bottom (e.g. ``EXERCISE - NATO UNCLASSIFIED - EXERCISE``)."""
        return banner_text(self.marking, exercise=self.exercise)


def product_marking(
    records: Iterable[LayerRecord],
    *,
    order: Sequence[str],
    requested: str | None = None,
) -> tuple[str, bool]:
    """Return ``(marking, exercise)`` for a product showing the layers of ``records``.

    The marking is the highest among the records' markings and ``requested`` (which can raise
    it, never lower it); ``exercise`` is True when any record is exercise data.

    >>> product_marking([], order=["NATO UNCLASSIFIED", "NATO SECRET"], requested="NATO SECRET")
    ('NATO SECRET', False)
    """
    records = list(records)
    if requested is not None and requested not in order:
        msg = (
            f"Unknown classification {requested!r}; choose one of {choices(order)} "
            "(the order is set by classification_order in the configuration)."
        )
        raise ConfigurationError(msg)
    markings = [record.classification for record in records]
    if requested is not None:
        markings.append(requested)
    return highest_marking(markings, order), any(record.exercise for record in records)


def make_furniture(
    records: Iterable[LayerRecord],
    *,
    kinds: Sequence[LayerKind],
    order: Sequence[str],
    title: str,
    subtitle: str = "",
    classification: str | None = None,
    moment: dt.datetime | None = None,
    bounds: Bounds | None = None,
    conflicts: pd.DataFrame | None = None,
    grid: str = "latlon",
    layers_in_view: set[str] | None = None,
    counted_kinds: Sequence[LayerKind] = (),
    table_notes: Sequence[str] = (),
) -> Furniture:
    """Collect the furniture of a product showing ``kinds`` from the layers in ``records``.

    Only the active records of the kinds shown count towards the marking; of those, only the
    layers in ``layers_in_view`` (ids of layers with a feature in view; None: all) are listed
    as sources. ``counted_kinds`` are kinds not drawn whose layers give figures of the
    conflict table (population grids): their layers count towards the marking and are listed.
    ``moment`` (aware; default now) gives the DTG; ``grid`` is ``latlon`` or ``mgrs``;
    ``table_notes`` are printed under the conflict table.
    """
    check_grid(grid)
    shown = [r for r in records if r.kind in {*kinds, *counted_kinds} and not r.retired]
    marking, exercise = product_marking(shown, order=order, requested=classification)
    listed = [
        r
        for r in shown
        if layers_in_view is None or r.layer_id in layers_in_view or r.kind in counted_kinds
    ]
    sources = tuple(
        dict.fromkeys(Source(r.title, r.source, r.licence, r.classification) for r in listed)
    )
    return Furniture(
        title=title,
        subtitle=subtitle,
        marking=marking,
        exercise=exercise,
        dtg=format_dtg(moment or dt.datetime.now(dt.UTC)),
        kinds=tuple(kinds),
        sources=sources,
        bounds=bounds,
        conflicts=conflicts,
        grid=grid,
        table_notes=tuple(table_notes),
    )


def bounds_text(bounds: Bounds | None) -> str:
    """``W 22.000° S 54.000° E 23.500° N 54.800°`` style text of a bounding box, or ``""``."""
    if bounds is None:
        return ""
    west, south, east, north = bounds
    return f"W {west:.3f}° S {south:.3f}° E {east:.3f}° N {north:.3f}°"


def _text(value: object) -> str:
    return "" if is_missing(value) else str(value)


def feature_text(row: pd.Series) -> str:
    """``Raczki hillfort (cp-023)``, or the id alone when the feature has no name."""
    name, fid = _text(row.get("feature_name")), _text(row.get("feature_id"))
    return f"{name} ({fid})" if name and name != fid else fid


def activity_text(row: pd.Series) -> str:
    """``act-05 Manoeuvre box around Raczki``, or the id alone when it has no name."""
    name, aid = _text(row.get("activity_name")), _text(row.get("activity_id"))
    return f"{aid} {name}" if name and name != aid else aid


_TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("severity", "Severity"),
    ("activity", "Activity"),
    ("activity_type", "Type"),
    ("feature", "Protected feature"),
    ("feature_kind", "Kind"),
    ("feature_category", "Category"),
    ("feature_mgrs", "MGRS"),
    ("distance_m", "Distance (m)"),
    ("threshold_m", "Stand-off (m)"),
    ("people_in_hazard", "People in hazard area"),
)


_NOWRAP = ' class="hsx-nowrap"'
_NOWRAP_COLUMNS = {"feature_mgrs", "distance_m", "threshold_m"}
_CELL_TEXT = {"activity": activity_text, "feature": feature_text}
_CELL_WORDS = {"feature_kind": kind_title, "activity_type": words, "feature_category": words}


def _cell(name: str, row: pd.Series) -> object:
    if name in _CELL_TEXT:
        return _CELL_TEXT[name](row)
    value = row.get(name)
    if is_missing(value):
        return ""
    if name in _CELL_WORDS:
        return _CELL_WORDS[name](value)
    if name.endswith("_m") and isinstance(value, int | float):
        return f"{round(float(value)):,}"
    return value


def _cell_html(name: str, row: pd.Series) -> str:
    """A cell's escaped HTML; a feature's id stays on one line after its name."""
    name_text = _text(row.get("feature_name"))
    if name == "feature" and name_text and name_text != _text(row.get("feature_id")):
        fid = escape_text(f"({_text(row.get('feature_id'))})")
        return f"{escape_text(name_text)} <span class='hsx-nowrap'>{fid}</span>"
    return escape_text(_cell(name, row))


def _conflicts_table(conflicts: pd.DataFrame, *, limit: int) -> str:
    present = {"activity", "feature", *conflicts.columns}
    columns = [(name, label) for name, label in _TABLE_COLUMNS if name in present]
    head = "".join(f"<th>{escape_text(label)}</th>" for _, label in columns)
    rows = []
    for _, row in conflicts.head(limit).iterrows():
        cells = "".join(
            f"<td{_NOWRAP if name in _NOWRAP_COLUMNS else ''}>{_cell_html(name, row)}</td>"
            for name, _ in columns
        )
        rows.append(f"<tr>{cells}</tr>")
    more = len(conflicts) - limit
    note = (
        f'<p class="hsx-note">{more:,} more conflicts are in the conflict table export.</p>'
        if more > 0
        else ""
    )
    return f'<table class="hsx-conflicts"><tr>{head}</tr>{"".join(rows)}</table>{note}'


def conflict_rows(conflicts: pd.DataFrame, *, limit: int) -> list[list[str]]:
    """The annex's table as plain text: a heading row, then the first ``limit`` conflicts."""
    present = {"activity", "feature", *conflicts.columns}
    columns = [(name, label) for name, label in _TABLE_COLUMNS if name in present]
    rows = [[label for _, label in columns]]
    for _, row in conflicts.head(limit).iterrows():
        rows.append([str(_cell(name, row)) for name, _ in columns])
    return rows


def severity_counts(conflicts: pd.DataFrame) -> dict[str, int]:
    """Conflicts per severity, in the order critical, high, medium, low (others after)."""
    if "severity" not in conflicts:
        return {}
    counts = conflicts["severity"].astype(str).value_counts()
    order = [*SEVERITIES, *sorted(set(counts.index) - set(SEVERITIES))]
    return {name: int(counts[name]) for name in order if name in counts.index}


def conflicts_summary(conflicts: pd.DataFrame | None) -> str:
    """One line of plain text: how many conflicts, and of which severity (worst first)."""
    if conflicts is None:
        return "No planned activities shown."
    if conflicts.empty:
        return "No conflicts between planned activities and protected features in view."
    detail = ", ".join(f"{count} {name}" for name, count in severity_counts(conflicts).items())
    return f"{len(conflicts):,} conflicts in view ({detail})."


def source_lines(sources: Sequence[Source]) -> list[tuple[str, str]]:
    """One ``(text, marking)`` per distinct source, licence and marking, naming every layer
    that has it: ``Cultural property; Incidents: synthetic (no restrictions)``.
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    for s in sources:
        groups.setdefault((s.source, s.licence, s.classification), []).append(s.title)
    return [
        (f"{'; '.join(titles)}: {source} ({licence})", marking)
        for (source, licence, marking), titles in groups.items()
    ]


def _source_items(sources: Sequence[Source]) -> str:
    return "".join(
        f"<li class='hsx-src'>{escape_text(text)} <span class='hsx-mark'>[{escape_text(mark)}]"
        "</span></li>"
        for text, mark in source_lines(sources)
    )


SOURCES_FIT_JS = """
(function (where) {
  // Sources that do not fit beside the map are hidden there, counted in a note, and shown
  // on the annex page (PDF); nothing is cut off mid-line.
  var side = document.querySelector(".hsx-side");
  if (!side) { return; }
  var items = side.querySelectorAll("li.hsx-src"), more = side.querySelector("li.hsx-more");
  var hidden = 0;
  var last = side.querySelector("ul.hsx-sources").lastElementChild;
  // a few pixels to spare: the printed page is 1 mm shorter than the screen layout
  function over() {
    return last.getBoundingClientRect().bottom > side.getBoundingClientRect().bottom - 8;
  }
  for (var i = items.length - 1; i >= 0 && over(); i--) {
    items[i].style.display = "none";
    hidden += 1;
    more.textContent = hidden + (hidden === 1 ? " more source " : " more sources ") + where + ".";
    more.style.display = "";
  }
  var annex = document.querySelector(".hsx-annex");
  if (hidden && annex) {
    annex.classList.add("hsx-annex-on");
    annex.querySelector(".hsx-annex-sources-block").style.display = "";
  }
})(%s);
"""


def side_panel_html(furniture: Furniture) -> str:
    """The panel beside the map: legend, grid note, notes, conflicts and sources.

    Every source is listed; ``sources_fit_script`` hides those that do not fit and says
    where they are.
    """
    extent = bounds_text(furniture.bounds)
    notes = "".join(f"<div class='hsx-note'>{escape_text(n)}</div>" for n in furniture.notes)
    drawn = [kind for kind in furniture.kinds if kind not in furniture.empty_kinds]
    status = status_legend_html() if LayerKind.ACTIVITY in drawn else ""
    own_kinds = {kind for kind, _ in furniture.legends}
    symbols = map_legend_html([kind for kind in drawn if kind not in own_kinds])
    symbols += "".join(html for _, html in furniture.legends)
    return (
        '<aside class="hsx-side">'
        f'<section class="hs-legend hsx-legend">{symbols}'
        f"{status}</section>"
        f'<section><div class="hsx-h">Grid</div><div>'
        f"{escape_text(grid_note(furniture.grid, furniture.bounds))}"
        f"{'; ' + escape_text(extent) if extent else ''}</div>{notes}</section>"
        f'<section><div class="hsx-h">Conflicts</div><div>'
        f"{escape_text(conflicts_summary(furniture.conflicts))}</div></section>"
        f'<section><div class="hsx-h">Sources</div><ul class="hsx-sources">'
        f"{_source_items(furniture.sources)}"
        "<li class='hsx-more hsx-note' style='display:none'></li>"
        f"<li>{escape_text(BASEMAP_SOURCE)}</li></ul></section>"
        "</aside>"
    )


def sources_fit_script(more_sources: str) -> str:
    """The script (run once the page is laid out) that fits the sources beside the map;
    ``more_sources`` says where the others are, e.g. ``on the next page``.
    """
    return "<script>" + SOURCES_FIT_JS % script_json(more_sources) + "</script>"


def status_legend_html() -> str:
    """Legend rows of the planned activities' conflict-check status colours."""
    return '<div class="hs-legend-title">Planned activity status</div>' + status_legend_rows()


def banner_html(furniture: Furniture, where: str) -> str:
    """One classification banner (``where`` is ``top`` or ``bottom``)."""
    return f'<div class="hsx-banner hsx-{where}">{escape_text(furniture.banner)}</div>'


def header_html(furniture: Furniture) -> str:
    """Title, subtitle and DTG."""
    subtitle = (
        f'<div class="hsx-subtitle">{escape_text(furniture.subtitle)}</div>'
        if furniture.subtitle
        else ""
    )
    return (
        '<header class="hsx-head"><div><div class="hsx-title">'
        f"{escape_text(furniture.title)}</div>{subtitle}</div>"
        f'<div class="hsx-dtg">DTG {escape_text(furniture.dtg)}</div></header>'
    )


def annex_html(furniture: Furniture) -> str:
    """The second printed page: the conflicts in view (shown when there are some) and every
    source (shown by ``sources_fit_script`` when they do not all fit beside the map).
    """
    has_conflicts = furniture.conflicts is not None and not furniture.conflicts.empty
    conflicts = ""
    if furniture.conflicts is not None and has_conflicts:
        conflicts = (
            '<div class="hsx-h hsx-annex-h">Conflicts in view</div>'
            f"<div>{escape_text(conflicts_summary(furniture.conflicts))}</div>"
            + _conflicts_table(furniture.conflicts, limit=CONFLICT_ROWS_SHOWN)
            + "".join(f'<p class="hsx-note">{escape_text(n)}</p>' for n in furniture.table_notes)
        )
    sources = (
        '<div class="hsx-annex-sources-block" style="display:none">'
        '<div class="hsx-h hsx-annex-h">Sources of the layers in view</div>'
        f'<ul class="hsx-sources hsx-annex-sources">{_source_items(furniture.sources)}'
        f"<li>{escape_text(BASEMAP_SOURCE)}</li></ul></div>"
    )
    return (
        f'<div class="hsx-annex{" hsx-annex-on" if has_conflicts else ""}">'
        + banner_html(furniture, "top")
        + f'<div class="hsx-annex-body"><div class="hsx-title">Annex: '
        f"{escape_text(furniture.title)}</div>"
        f'<div class="hsx-subtitle">DTG {escape_text(furniture.dtg)}</div>'
        + conflicts
        + sources
        + "</div>"
        + banner_html(furniture, "bottom")
        + "</div>"
    )


def north_arrow_html() -> str:
    """A north arrow (the map is Web Mercator: north is up everywhere)."""
    return (
        '<div class="hsx-north" title="North"><svg viewBox="0 0 24 36" width="24" height="36">'
        '<polygon points="12,2 20,30 12,24 4,30" fill="#222"/>'
        '<polygon points="12,2 12,24 4,30" fill="#fff" stroke="#222" stroke-width="1"/>'
        "</svg><div>N</div></div>"
    )


def plain_lines(furniture: Furniture) -> list[str]:
    """The furniture as plain text lines (notes of a slide, logs)."""
    lines = [furniture.banner, furniture.title]
    if furniture.subtitle:
        lines.append(furniture.subtitle)
    lines.append(f"DTG {furniture.dtg}")
    if furniture.bounds is not None:
        lines.append(bounds_text(furniture.bounds))
    lines.append("Layers: " + ", ".join(KIND_SPECS[k].title for k in furniture.kinds))
    lines.append("Sources:")
    lines.extend(f"- {text} [{mark}]" for text, mark in source_lines(furniture.sources))
    lines.append(f"- {BASEMAP_SOURCE}")
    lines.extend(furniture.notes)
    lines.append(conflicts_summary(furniture.conflicts))
    if furniture.conflicts is not None:
        for _, row in furniture.conflicts.head(CONFLICT_ROWS_SHOWN).iterrows():
            mgrs = _text(row.get("feature_mgrs"))
            lines.append(
                f"- {format_value(row.get('severity'))}: {activity_text(row)} -> "
                f"{kind_title(row.get('feature_kind'))} {feature_text(row)}"
                f"{' at ' + mgrs if mgrs else ''}, "
                f"{format_value(round(float(row.get('distance_m', 0.0))))} m"
            )
        lines.extend(furniture.table_notes)
    lines.append(furniture.banner)
    return lines


FURNITURE_CSS = """
html, body { margin: 0; padding: 0; background: #fff; }
body.hsx { display: grid; grid-template-columns: 1fr var(--hsx-side, 300px);
  grid-template-rows: auto auto minmax(0, 1fr) auto; width: var(--hsx-w, 100vw);
  height: var(--hsx-h, 100vh); overflow: hidden; font: 12px/1.35 "DejaVu Sans", sans-serif;
  color: #111; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body.hsx > .hsx-top { grid-row: 1; grid-column: 1 / 3; }
body.hsx > .hsx-head { grid-row: 2; grid-column: 1 / 3; }
body.hsx > .folium-map { grid-row: 3; grid-column: 1; position: relative !important;
  width: 100% !important; height: 100% !important; left: 0 !important; top: 0 !important;
  min-height: 0; }
body.hsx > .hsx-side { grid-row: 3; grid-column: 2; }
body.hsx > .hsx-bottom { grid-row: 4; grid-column: 1 / 3; }
.hsx-banner { background: #fff; color: #000; text-align: center; font-weight: bold;
  letter-spacing: 0.08em; padding: 3px 0; border: 2px solid #000; font-size: 13px; }
.hsx-head { display: flex; justify-content: space-between; align-items: flex-end;
  padding: 4px 8px; border-bottom: 1px solid #444; }
.hsx-title { font-size: 18px; font-weight: bold; }
.hsx-subtitle { font-size: 12px; color: #333; }
.hsx-dtg { font-size: 14px; font-weight: bold; white-space: nowrap; }
.hsx-side { overflow: hidden; padding: 6px 8px; border-left: 1px solid #444;
  font-size: 11px; display: flex; flex-direction: column; gap: 8px; }
.hsx-side .hsx-legend { box-shadow: none; padding: 0; background: none; }
.hsx-side .hs-legend-group { display: grid; grid-template-columns: 1fr 1fr; column-gap: 6px; }
.hsx-side .hs-legend-group .hs-legend-row { white-space: normal; line-height: 1.15; }
.hsx-h { font-weight: bold; margin-bottom: 2px; }
.hsx-sources { margin: 0; padding-left: 14px; overflow-wrap: anywhere; font-size: 9px; }
.hsx-mark { color: #444; }
.folium-map .hs-legend { display: none; }
body.hsx > .hsx-north { grid-row: 3; grid-column: 1; align-self: start; justify-self: end;
  margin: 24px 40px 0 0; position: relative; z-index: 1000; text-align: center;
  font: bold 12px sans-serif; background: rgba(255,255,255,0.85); padding: 2px 4px;
  border-radius: 3px; pointer-events: none; }
.hsx-grid-label { position: absolute; z-index: 700; font: 10px sans-serif; color: #222;
  background: rgba(255,255,255,0.8); padding: 0 2px; pointer-events: none;
  white-space: nowrap; }
.hsx-mgrs-icon .hsx-mgrs { position: static; transform: translate(-50%, -50%);
  font-weight: bold; display: inline-block; }
.hsx-annex { display: none; }
.hsx-conflicts { border-collapse: collapse; font-size: 10px; margin-top: 6px; width: 100%; }
.hsx-annex-h { margin-top: 10px; }
.hsx-annex-sources { font-size: 10px; columns: 2; column-gap: 24px; }
.hsx-side .hsx-legend .hs-legend-title { margin-top: 4px; }
.hsx-conflicts th, .hsx-conflicts td { border: 1px solid #999; padding: 1px 4px;
  text-align: left; }
.hsx-conflicts .hsx-nowrap { white-space: nowrap; }
.hsx-note { font-style: italic; }
body.hsx-interactive .leaflet-control-layers { display: block; }
body.hsx-print .leaflet-control-layers, body.hsx-print .leaflet-control-zoom { display: none; }
body.hsx-bare > .hsx-banner, body.hsx-bare > .hsx-head { display: none; }
@media print {
  html { height: var(--hsx-h); }
  body.hsx { height: calc(var(--hsx-h) - 1mm); overflow: visible; position: relative; }
  .hsx-annex.hsx-annex-on { display: flex; flex-direction: column; justify-content: space-between;
    position: absolute; left: 0; top: var(--hsx-h); width: var(--hsx-w);
    height: calc(var(--hsx-h) - 1mm); }
  .hsx-annex-body { flex: 1; padding: 6px 8px; overflow: hidden; }
}
"""

GRID_JS = r"""
(function () {
  var STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30];
  function fmt(value, pos, neg) {
    var hemi = value < 0 ? neg : pos, v = Math.abs(value), d = Math.floor(v + 1e-9);
    var m = Math.round((v - d) * 60);
    if (m === 60) { d += 1; m = 0; }
    return d + "\u00b0" + (m ? (m < 10 ? "0" : "") + m + "\u2032" : "") + hemi;
  }
  window.HumansecPrint = {
    grid: function (map) {
      var lines = L.layerGroup().addTo(map), labels = [];
      function draw() {
        var b = map.getBounds(), size = map.getSize(), i, x, y, step = STEPS[STEPS.length - 1];
        var span = Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth());
        for (i = 0; i < STEPS.length; i++) { if (span / STEPS[i] <= 7) { step = STEPS[i]; break; } }
        lines.clearLayers();
        labels.forEach(function (el) { el.remove(); });
        labels = [];
        function label(text, px, py, cls) {
          var el = document.createElement("div");
          el.className = "hsx-grid-label " + cls;
          el.textContent = text;
          el.style.left = px + "px"; el.style.top = py + "px";
          map.getContainer().appendChild(el);
          labels.push(el);
          return el;
        }
        var style = { color: "#444", weight: 0.7, opacity: 0.6, dashArray: "3 3",
                      interactive: false };
        for (x = Math.ceil(b.getWest() / step) * step; x <= b.getEast(); x += step) {
          lines.addLayer(L.polyline([[b.getSouth(), x], [b.getNorth(), x]], style));
          var p = map.latLngToContainerPoint([b.getNorth(), x]).x;
          if (p > 30 && p < size.x - 30) {
            label(fmt(x, "E", "W"), p - 16, 2, "hsx-lon");
            label(fmt(x, "E", "W"), p - 16, size.y - 30, "hsx-lon");
          }
        }
        for (y = Math.ceil(b.getSouth() / step) * step; y <= b.getNorth(); y += step) {
          lines.addLayer(L.polyline([[y, b.getWest()], [y, b.getEast()]], style));
          var q = map.latLngToContainerPoint([y, b.getWest()]).y;
          if (q > 20 && q < size.y - 40) {
            label(fmt(y, "N", "S"), 2, q - 7, "hsx-lat");
            var el = label(fmt(y, "N", "S"), 0, q - 7, "hsx-lat");
            el.style.left = ""; el.style.right = "2px";
          }
        }
      }
      draw();
      map.on("moveend", draw);
    },
    mgrs: function (map, data) {
      var zone = { color: "#222", weight: 1.4, opacity: 0.8, interactive: false };
      var square = { color: "#444", weight: 0.8, opacity: 0.7, dashArray: "4 3",
                     interactive: false };
      data.zones.forEach(function (line) { L.polyline(line, zone).addTo(map); });
      var fine = { color: "#555", weight: 0.5, opacity: 0.55, interactive: false };
      var view = map.getBounds(), n = view.getNorth(), s = view.getSouth();
      var w = view.getWest(), e = view.getEast();
      function place(text, at, cls) {
        var el = document.createElement("div");
        el.className = "hsx-grid-label hsx-mgrs " + cls;
        el.textContent = text;
        L.marker(at, { interactive: false, keyboard: false,
          icon: L.divIcon({ className: "hsx-mgrs-icon", html: el, iconSize: null }) }).addTo(map);
      }
      function edgeLabel(text, axis, line) {
        // where the line crosses the map's top (eastings) or left side (northings), inset
        var k = axis === "e" ? 0 : 1;
        var target = axis === "e" ? n - 0.03 * (n - s) : w + 0.025 * (e - w);
        for (var i = 1; i < line.length; i++) {
          var a = line[i - 1], c = line[i];
          if (a[k] === c[k] || (a[k] - target) * (c[k] - target) > 0) { continue; }
          var t = (target - a[k]) / (c[k] - a[k]);
          var at = [a[0] + t * (c[0] - a[0]), a[1] + t * (c[1] - a[1])];
          if (view.contains(at)) { place(text, at, "hsx-mgrs-line"); }
          return;
        }
      }
      (data.fine || []).forEach(function (item) {
        L.polyline(item[2], fine).addTo(map);
        edgeLabel(item[0], item[1], item[2]);
      });
      data.squares.forEach(function (line) { L.polyline(line, square).addTo(map); });
      data.labels.forEach(function (item) { place(item[0], [item[1], item[2]], ""); });
    },
    ready: function (basemap, map) {
      var started = Date.now();
      function check() {
        var loaded = basemap.getLayers().length > 0;
        if (loaded || Date.now() - started > 8000) {
          requestAnimationFrame(function () { requestAnimationFrame(function () {
            // The place names, fitted around the controls as they finally are.
            if (map && L.Humansec && L.Humansec.fitLabels) { L.Humansec.fitLabels(map); }
            document.documentElement.setAttribute("data-hsx-ready", loaded ? "1" : "nobasemap");
          }); });
        } else { setTimeout(check, 30); }
      }
      check();
    }
  };
})();
"""


class PrintFurniture(MacroElement):
    """Grid with labels and the ready signal, added to the map (after the basemap)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.js }}"
        "{% if this.mgrs_json %}"
        "HumansecPrint.mgrs({{ this._parent.get_name() }}, {{ this.mgrs_json }});"
        "{% else %}"
        "HumansecPrint.grid({{ this._parent.get_name() }});"
        "{% endif %}"
        "HumansecPrint.ready({{ this.basemap_name }}, {{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, basemap_name: str, *, mgrs_json: str = "") -> None:
        """``mgrs_json``: ``MgrsGrid.to_json()`` through ``script_json``; empty for lat/lon."""
        super().__init__()
        self.mgrs_json = mgrs_json
        self._name = "PrintFurniture"
        self.js = GRID_JS
        self.basemap_name = basemap_name
        self.basemap_json = script_json(basemap_name)
