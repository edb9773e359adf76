"""Geometries broken into vertices and geodesic edges, densified, and projected per centre.

``prepare`` turns an array of WGS84 geometries into ``Linework``: every vertex (after inserting
points so that no geodesic edge is longer than ``max_edge_m``), every edge as a pair of vertex
indices (a point is one zero-length edge), and the densified geometries themselves. Densified
edges keep a straight line in a local azimuthal equidistant plane within millimetres of the
projected geodesic, which makes planar tests there safe to prune with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from humansec.conflicts.geodesic import (
    MAX_RADIUS_M,
    SPHERE_SLACK_M,
    Array,
    aeqd_forward,
    aeqd_inverse,
    densify_coords,
    unit_vectors,
)

IntArray = npt.NDArray[np.intp]

_POINT, _LINE, _POLYGON = 0, 1, 3


@dataclass(frozen=True)
class Linework:
    """Vertices and edges of ``n`` geometries, each geometry's rows contiguous."""

    lon: Array
    lat: Array
    vertex_start: IntArray  # per geometry: first vertex
    vertex_count: IntArray
    edge_a: IntArray  # per edge: vertex index of its ends (equal for a point)
    edge_b: IntArray
    edge_start: IntArray  # per geometry: first edge
    edge_count: IntArray
    has_extent: npt.NDArray[np.bool_]  # per geometry: holds at least one real edge
    dense: npt.NDArray[np.object_]  # densified shapely geometries, lon/lat
    single_point: npt.NDArray[np.bool_]  # per geometry: a plain Point


def prepare(
    geoms: npt.NDArray[np.object_],
    max_edge_m: float,
    *,
    known: tuple[npt.NDArray[np.int32], Array] | None = None,
) -> Linework:
    """Break ``geoms`` (lon/lat, any of point/line/polygon and their multi forms) into linework.

    ``known``: shapely's type id of each geometry and the coordinates of its plain points in
    order, when the caller has them already (the input checks do).
    """
    n = len(geoms)
    type_ids = shapely.get_type_id(geoms) if known is None else known[0]
    if n and bool((type_ids == _POINT).all()):
        coords = shapely.get_coordinates(geoms) if known is None else known[1]
        idx = np.arange(n, dtype=np.intp)
        ones = np.ones(n, dtype=np.intp)
        return Linework(
            coords[:, 0].copy(),
            coords[:, 1].copy(),
            idx,
            ones,
            idx,
            idx,
            idx,
            ones,
            np.zeros(n, dtype=bool),
            geoms,
            np.ones(n, dtype=bool),
        )
    points = type_ids == _POINT
    if n and bool(points.any()):
        # points need no parts, densifying or new geometries: only the others go through that
        rest = prepare(geoms[~points], max_edge_m)
        return _with_points(geoms, points, rest, None if known is None else known[1])
    parts, part_geom = shapely.get_parts(geoms, return_index=True)
    part_type = shapely.get_type_id(parts)
    poly_parts = np.flatnonzero(part_type == _POLYGON)
    rings, ring_local = shapely.get_rings(parts[poly_parts], return_index=True)
    other_parts = np.flatnonzero(part_type != _POLYGON)
    pieces = np.concatenate([parts[other_parts], rings])
    piece_part = np.concatenate([other_parts, poly_parts[ring_local]]).astype(np.intp)
    order = np.argsort(piece_part, kind="stable")
    pieces, piece_part = pieces[order], piece_part[order]
    coords, coord_piece = shapely.get_coordinates(pieces, return_index=True)
    lon, lat, coord_piece = densify_coords(
        coords[:, 0].copy(), coords[:, 1].copy(), coord_piece.astype(np.intp), max_edge_m
    )
    piece_type = part_type[piece_part]
    coord_geom = part_geom[piece_part[coord_piece]].astype(np.intp)
    # edges: consecutive vertices of one line/ring; a point piece is a zero-length edge
    k = np.arange(lon.size - 1)
    real = (coord_piece[:-1] == coord_piece[1:]) & (piece_type[coord_piece[:-1]] != _POINT)
    pts = np.flatnonzero(piece_type[coord_piece] == _POINT)
    edge_a = np.concatenate([k[real], pts])
    edge_b = np.concatenate([k[real] + 1, pts])
    eorder = np.argsort(edge_a, kind="stable")
    edge_a, edge_b = edge_a[eorder], edge_b[eorder]
    vertex_count = np.bincount(coord_geom, minlength=n).astype(np.intp)
    edge_count = np.bincount(coord_geom[edge_a], minlength=n).astype(np.intp)
    has_extent = np.bincount(coord_geom[edge_a], weights=edge_a != edge_b, minlength=n) > 0
    xy = np.column_stack([lon, lat])
    dense = build(
        xy,
        coord_piece=coord_piece,
        piece_part=piece_part,
        piece_type=piece_type,
        part_geom=part_geom,
        part_type=part_type,
        n=n,
    )
    return Linework(
        lon,
        lat,
        _starts(vertex_count),
        vertex_count,
        edge_a,
        edge_b,
        _starts(edge_count),
        edge_count,
        has_extent,
        dense,
        type_ids == _POINT,
    )


def _with_points(
    geoms: npt.NDArray[np.object_],
    points: npt.NDArray[np.bool_],
    other: Linework,
    point_xy: Array | None = None,
) -> Linework:
    """The linework of ``geoms``: their ``points`` (a vertex and a zero-length edge each, the
    geometry itself as its dense form) merged in order with ``other``, that of the rest.
    ``point_xy``: the points' coordinates, if known."""
    n = len(geoms)
    rest = np.flatnonzero(~points)
    pts = np.flatnonzero(points)
    vertex_count = np.ones(n, dtype=np.intp)
    vertex_count[rest] = other.vertex_count
    vertex_start = _starts(vertex_count)
    edge_count = np.ones(n, dtype=np.intp)
    edge_count[rest] = other.edge_count
    edge_start = _starts(edge_count)
    # where each vertex and edge of ``other`` goes
    v_to = np.repeat(vertex_start[rest] - other.vertex_start, other.vertex_count)
    v_to += np.arange(other.lon.size, dtype=np.intp)
    e_to = np.repeat(edge_start[rest] - other.edge_start, other.edge_count)
    e_to += np.arange(other.edge_a.size, dtype=np.intp)
    coords = shapely.get_coordinates(geoms[pts]) if point_xy is None else point_xy
    lon = np.empty(int(vertex_count.sum()))
    lat = np.empty(lon.size)
    lon[vertex_start[pts]], lat[vertex_start[pts]] = coords[:, 0], coords[:, 1]
    lon[v_to], lat[v_to] = other.lon, other.lat
    edge_a = np.empty(int(edge_count.sum()), dtype=np.intp)
    edge_b = np.empty(edge_a.size, dtype=np.intp)
    edge_a[edge_start[pts]] = edge_b[edge_start[pts]] = vertex_start[pts]
    edge_a[e_to], edge_b[e_to] = v_to[other.edge_a], v_to[other.edge_b]
    has_extent = np.zeros(n, dtype=bool)
    has_extent[rest] = other.has_extent
    dense = geoms.copy()
    dense[rest] = other.dense
    return Linework(
        lon,
        lat,
        vertex_start,
        vertex_count,
        edge_a,
        edge_b,
        edge_start,
        edge_count,
        has_extent,
        dense,
        points,
    )


def feature_caps(lines: Linework, rows: IntArray) -> Array:
    """Per geometry ``rows`` of ``lines``: metres around its first vertex that hold all of it.

    On the unit sphere (latitude and longitude read as spherical) the geometry lies in the
    cap around its first vertex c reaching its farthest vertex (caps are convex, and its
    geodesic edges stay within ``SPHERE_SLACK_M`` of the great circles between vertices);
    distances there are at most ``MAX_RADIUS_M`` times the angle. Plus a metre of rounding.
    """
    if rows.size == 0:
        return np.empty(0)
    counts = lines.vertex_count[rows]
    first = _starts(counts)
    owner = np.repeat(np.arange(rows.size), counts)
    v = lines.vertex_start[rows][owner] + np.arange(owner.size) - first[owner]
    u = unit_vectors(lines.lon[v], lines.lat[v])
    chord2 = sum((c - c[first][owner]) ** 2 for c in u)
    chord = np.sqrt(np.maximum.reduceat(chord2, first))
    ang = 2.0 * np.arcsin(np.minimum(chord / 2.0, 1.0))
    return np.asarray(MAX_RADIUS_M * ang + 2.0 * SPHERE_SLACK_M + 1.0, dtype=np.float64)


def _starts(counts: IntArray) -> IntArray:
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)


def _rank(labels: IntArray) -> IntArray:
    return np.unique(labels, return_inverse=True)[1].astype(np.intp)


def build(
    xy: Array,
    *,
    coord_piece: IntArray,
    piece_part: IntArray,
    piece_type: IntArray,
    part_geom: IntArray,
    part_type: IntArray,
    n: int,
) -> npt.NDArray[np.object_]:
    """Assemble geometries from coordinates labelled by piece, pieces by part, parts by geom."""
    built = np.empty(len(part_type), dtype=object)
    ctype = piece_type[coord_piece]
    m = ctype == _POINT
    if m.any():
        built[piece_part[coord_piece[m]]] = shapely.points(xy[m])
    m = ctype == _LINE
    if m.any():
        labels = coord_piece[m]
        lines = shapely.linestrings(xy[m], indices=_rank(labels))
        built[piece_part[np.unique(labels)]] = lines
    m = ctype == _POLYGON
    if m.any():
        labels = coord_piece[m]
        ring_geoms = shapely.linearrings(xy[m], indices=_rank(labels))
        ring_parts = piece_part[np.unique(labels)]
        polys = shapely.polygons(ring_geoms, indices=_rank(ring_parts))
        built[np.unique(ring_parts)] = polys
    out = np.empty(n, dtype=object)
    nparts = np.bincount(part_geom, minlength=n)
    single = nparts[part_geom] == 1
    out[part_geom[single]] = built[single]
    multi = ~single
    for ptype, make in (
        (_POINT, shapely.multipoints),
        (_LINE, shapely.multilinestrings),
        (_POLYGON, shapely.multipolygons),
    ):
        m = multi & (part_type == ptype)
        if m.any():
            out[np.unique(part_geom[m])] = make(built[m], indices=_rank(part_geom[m]))
    return out


def project_geometries(
    geoms: npt.NDArray[np.object_], lon0: Array, lat0: Array
) -> npt.NDArray[np.object_]:
    """Project each geometry into the AEQD plane centred on its own (lon0, lat0)."""
    counts = shapely.get_num_coordinates(geoms)
    c_lon = np.repeat(lon0, counts)
    c_lat = np.repeat(lat0, counts)

    def to_plane(coords: Array) -> Array:
        x, y = aeqd_forward(c_lon, c_lat, coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, to_plane), dtype=object)


def unproject_geometry(geom: shapely.Geometry, lon0: float, lat0: float) -> shapely.Geometry:
    """Return the lon/lat form of a geometry drawn in the AEQD plane centred on (lon0, lat0)."""

    def to_lonlat(coords: Array) -> Array:
        lon, lat = aeqd_inverse(lon0, lat0, coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, to_lonlat)
