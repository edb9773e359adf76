"""Benchmark: the conflict check against PostGIS ``ST_DWithin`` on geography (issues 3 and 15).

``python -m benchmarks.run conflicts [-- --workloads points,mixed --sizes 100000,1000000
--activities 10000]`` (or ``python -m benchmarks.conflicts ...``). Workloads: ``points`` (issue
3: ``benchmarks.data.activities`` and ``protected_points``, the default rules) and ``mixed``
(issue 15: ``mixed_activities`` with routes of 0.5-2 km segments and areas of 10-24 vertices,
``mixed_features`` with about 2% polygons, the four distances of ``mixed_rules_toml``). For
each workload, number of activities and number of protected features it

1. generates the data (``benchmarks.data``, seeded),
2. times ``humansec.find_conflicts`` in a fresh subprocess (peak RSS from ``getrusage``; wall
   and CPU time),
3. loads the same data into a throwaway PostGIS on 127.0.0.1 (load and index times reported
   apart) and times the equivalent query (wall, and CPU of the whole cluster from ``/proc``:
   the machine is shared, and CPU ratios hold up better under load than wall ones): a
   GiST-indexed ``&&`` on each activity's reach, then ``ST_DWithin(a.geog, f.geog, rule
   distance + both precisions)`` on the spheroid,
4. compares the two pair sets, and checks both against GeographicLib on every candidate pair
   within ``--band`` metres of its threshold plus a random sample (``pyproj.Geod``; between a
   point and a route or area, and between a polygon feature and anything: the minimum over
   every vertex of one and geodesic edge of the other, found by sampling and golden-section
   search; 0 where they meet).

Per-pair thresholds for PostGIS and the reference come from the engine itself: every
(activity type, feature kind/category/protection) class present in the data is probed with a
feature on top of an activity and the ``threshold_m`` it reports is kept. Results: a table on
stdout and JSON in ``benchmarks/results/conflicts.json``. The PostGIS server always stops.

``--engine-only`` runs step 2 alone at each size and prints the CPU per pair found (how the
check's cost grows: issue 15's 10k x 100k, 10k x 1M and 100k x 1M).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from benchmarks import data
from benchmarks.postgis import PostGIS
from humansec.model import WGS84

RESULTS = Path(__file__).parent / "results" / "conflicts.json"
DEFAULT_RULES = Path(__file__).parent.parent / "geodata" / "rules.toml"
CLASS_COLUMNS = ("kind", "category", "protection")
GEOD = Geod(ellps="WGS84")


# --------------------------------------------------------------------------- engine side


def _engine(module: str, rules_path: str | None):
    """Return ``(find_conflicts, rules)`` from ``module`` (``humansec`` unless told)."""
    mod = importlib.import_module(module)
    if rules_path is None and DEFAULT_RULES.exists():
        rules_path = str(DEFAULT_RULES)
    rules = mod.load_rules(Path(rules_path)) if rules_path else mod.load_rules()
    return mod.find_conflicts, rules


def _rss_mb() -> float:
    with Path("/proc/self/statm").open() as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _worker(inp: str, out: str, module: str, rules_path: str | None) -> None:
    """In a fresh process: load the frames, time one ``find_conflicts`` call, dump the pairs."""
    with Path(inp).open("rb") as f:
        activities, features = pickle.load(f)
    find_conflicts, rules = _engine(module, rules_path)
    find_conflicts(activities.iloc[:5], features.iloc[:50], rules)  # warm imports and caches
    rss_before = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    result = find_conflicts(activities, features, rules)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pairs = pd.DataFrame(
        {
            "activity_id": result["activity_id"].astype(str).to_numpy(),
            "feature_id": result["feature_id"].astype(str).to_numpy(),
            "distance_m": result["distance_m"].astype(float).to_numpy(),
            "threshold_m": result["threshold_m"].astype(float).to_numpy(),
        }
    )
    with Path(out).open("wb") as f:
        pickle.dump(
            {
                "seconds": seconds,
                "cpu_s": cpu,
                "peak_rss_mb": peak,
                "rss_before_mb": rss_before,
                "pairs": pairs,
            },
            f,
        )


def run_engine(
    activities: gpd.GeoDataFrame, features: gpd.GeoDataFrame, module: str, rules: str | None
) -> dict:
    """Run ``_worker`` in a subprocess so that its peak RSS is the engine's alone."""
    with tempfile.TemporaryDirectory(prefix="humansec-bench-") as tmp:
        inp, out = Path(tmp) / "in.pkl", Path(tmp) / "out.pkl"
        with inp.open("wb") as f:
            pickle.dump((activities, features), f, protocol=pickle.HIGHEST_PROTOCOL)
        cmd = [sys.executable, "-m", "benchmarks.conflicts", "--worker", str(inp), str(out)]
        cmd += ["--engine", module] + (["--rules", rules] if rules else [])
        subprocess.run(cmd, check=True, cwd=Path(__file__).parent.parent)
        with out.open("rb") as f:
            return pickle.load(f)


def feature_classes(features: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Class number of each feature and the distinct (kind, category, protection) classes."""
    keys = features[list(CLASS_COLUMNS)].astype(object).where(features[list(CLASS_COLUMNS)].notna())
    codes, uniques = pd.MultiIndex.from_frame(keys.fillna("")).factorize()
    classes = pd.DataFrame(list(uniques), columns=list(CLASS_COLUMNS)).replace("", None)
    return codes.astype(np.int16), classes


def probe_thresholds(find_conflicts, rules, types: list[str], classes: pd.DataFrame) -> np.ndarray:
    """``table[type, class]``: the engine's threshold at zero precision (NaN: no rule)."""
    n_t, n_c = len(types), len(classes)
    acts = gpd.GeoDataFrame(
        {
            "id": [f"t{i}" for i in range(n_t)],
            "type": types,
            "start": pd.Series(pd.NaT, index=range(n_t), dtype="datetime64[us, UTC]"),
            "end": pd.Series(pd.NaT, index=range(n_t), dtype="datetime64[us, UTC]"),
            "precision_m": np.nan,
        },
        geometry=[shapely.Point(30.0, 48.0)] * n_t,
        crs=WGS84,
    )
    feats = classes.copy()
    feats.insert(0, "id", [f"c{j}" for j in range(n_c)])
    feats["precision_m"] = np.nan
    feats["valid_from"] = pd.Series(pd.NaT, index=range(n_c), dtype="datetime64[us, UTC]")
    feats["valid_to"] = feats["valid_from"].copy()
    for col in CLASS_COLUMNS:
        feats[col] = feats[col].astype("string")
    feats = gpd.GeoDataFrame(feats, geometry=[shapely.Point(30.0, 48.0)] * n_c, crs=WGS84)
    found = find_conflicts(acts, feats, rules)
    table = np.full((n_t, n_c), np.nan)
    for row in found.itertuples():
        table[int(str(row.activity_id)[1:]), int(str(row.feature_id)[1:])] = row.threshold_m
    return table


# --------------------------------------------------------------------------- PostGIS side


def _copy(conn, table: str, frame: pd.DataFrame) -> None:
    buf = io.StringIO()
    frame.to_csv(buf, sep="\t", header=False, index=False, na_rep="\\N")
    with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as copy:
        copy.write(buf.getvalue())


def load_postgis(
    conn,
    activities: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    *,
    a_type: np.ndarray,
    f_class: np.ndarray,
    table: np.ndarray,
) -> dict:
    """Create and fill ``act``, ``feat`` and ``rule``; GiST indexes on geography; ANALYZE."""
    conn.execute("DROP TABLE IF EXISTS act, feat, rule")
    conn.execute(
        "CREATE TABLE act (id int PRIMARY KEY, atype smallint, prec float8, reach float8, "
        "geog geography)"
    )
    conn.execute(
        "CREATE TABLE feat (id int PRIMARY KEY, fclass smallint, prec float8, geog geography)"
    )
    conn.execute("CREATE TABLE rule (atype smallint, fclass smallint, dist float8)")
    a_prec = activities["precision_m"].fillna(0.0).to_numpy()
    f_prec = features["precision_m"].fillna(0.0).to_numpy()
    reach = np.nanmax(table, axis=1)[a_type] + a_prec + f_prec.max()
    t0 = time.perf_counter()
    _copy(
        conn,
        "act",
        pd.DataFrame(
            {
                "id": np.arange(len(activities)),
                "atype": a_type,
                "prec": a_prec,
                "reach": reach,
                "geog": shapely.to_wkb(activities.geometry.values, hex=True, include_srid=False),
            }
        ),
    )
    _copy(
        conn,
        "feat",
        pd.DataFrame(
            {
                "id": np.arange(len(features)),
                "fclass": f_class,
                "prec": f_prec,
                "geog": shapely.to_wkb(features.geometry.values, hex=True, include_srid=False),
            }
        ),
    )
    ti, tc = np.nonzero(~np.isnan(table))
    _copy(conn, "rule", pd.DataFrame({"atype": ti, "fclass": tc, "dist": table[ti, tc]}))
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute("CREATE INDEX feat_geog ON feat USING gist (geog)")
    conn.execute("CREATE INDEX act_geog ON act USING gist (geog)")
    conn.execute("VACUUM ANALYZE act")
    conn.execute("VACUUM ANALYZE feat")
    conn.execute("VACUUM ANALYZE rule")
    return {"load_s": load, "index_s": time.perf_counter() - t0}


QUERY = """
SELECT a.id, f.id
FROM act a
JOIN feat f ON f.geog && _ST_Expand(a.geog, a.reach)
JOIN rule r ON r.atype = a.atype AND r.fclass = f.fclass
WHERE ST_DWithin(a.geog, f.geog, r.dist + a.prec + f.prec)
"""

CANDIDATES = """
SELECT a.id, f.id, r.dist + a.prec + f.prec, ST_Distance(a.geog, f.geog)
FROM act a
JOIN feat f ON f.geog && _ST_Expand(a.geog, a.reach + %(margin)s)
JOIN rule r ON r.atype = a.atype AND r.fclass = f.fclass
WHERE ST_DWithin(a.geog, f.geog, r.dist + a.prec + f.prec + %(margin)s)
"""


def cluster_cpu_s(pg: PostGIS) -> float:
    """CPU seconds used so far by the cluster: the postmaster (with the children it reaped)
    and its live children (the backend, parallel workers), from ``/proc``."""
    postmaster = int((pg.datadir / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # from field 3 (state) on
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        if int(stat.parent.name) == postmaster:
            ticks += utime + stime + cutime + cstime
        elif int(fields[1]) == postmaster:
            ticks += utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def query_postgis(conn, pg: PostGIS) -> tuple[float, float, np.ndarray, str]:
    """Time ``QUERY``; return seconds, CPU seconds of the cluster, (activity, feature) index
    pairs, and the plan."""
    plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + QUERY).fetchall())
    c0 = cluster_cpu_s(pg)
    t0 = time.perf_counter()
    rows = conn.execute(QUERY).fetchall()
    seconds = time.perf_counter() - t0
    cpu = cluster_cpu_s(pg) - c0
    pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return seconds, cpu, pairs, plan


# --------------------------------------------------------------------------- reference


def _edge_min(a: np.ndarray, b: np.ndarray, p: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Geodesic distance from P to the geodesic segment AB (rows of lon, lat; vectorised).

    ``group``: the pair each row belongs to; rows whose 33 samples show they cannot hold
    their pair's minimum (sample minimum minus the sample spacing above the pair's best
    sample) skip the golden-section search and return inf.
    """
    ax, ay, bx, by, px, py = a[:, 0], a[:, 1], b[:, 0], b[:, 1], p[:, 0], p[:, 1]
    az, _, length = GEOD.inv(ax, ay, bx, by)
    az, length = np.asarray(az), np.asarray(length)
    k = 33
    grid = np.linspace(0.0, 1.0, k)

    def dist(s: np.ndarray, sel: np.ndarray) -> np.ndarray:
        x, y, _ = GEOD.fwd(ax[sel], ay[sel], az[sel], s)
        return np.asarray(GEOD.inv(x, y, px[sel], py[sel])[2])

    every = np.arange(len(ax))
    samples = np.column_stack([dist(length * t, every) for t in grid])
    sample_min = samples.min(axis=1)
    best_of_group = np.full(int(group.max()) + 1 if len(group) else 0, np.inf)
    np.minimum.at(best_of_group, group, sample_min)
    step = length / (k - 1)
    sel = np.flatnonzero(sample_min - step <= best_of_group[group] + 1e-6)
    best = samples.argmin(axis=1)[sel]
    lo = length[sel] * grid[np.maximum(best - 1, 0)]
    hi = length[sel] * grid[np.minimum(best + 1, k - 1)]
    g = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(50):  # golden-section search; the bracket shrinks to ~1e-10 of its size
        c, d = hi - g * (hi - lo), lo + g * (hi - lo)
        left = dist(c, sel) < dist(d, sel)
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
    out = np.full(len(ax), np.inf)
    out[sel] = np.minimum(dist((lo + hi) / 2.0, sel), sample_min[sel])
    return out


def _outline(g) -> np.ndarray:
    """Vertices of a point, a line, or a polygon's exterior ring (lon, lat rows)."""
    if g.geom_type == "Polygon":
        return shapely.get_coordinates(g.exterior)
    return shapely.get_coordinates(g)


def reference_distance(a_geoms: np.ndarray, f_geoms: np.ndarray) -> np.ndarray:
    """GeographicLib distance between each activity and feature geometry, in metres.

    0 when they intersect (drawn in degrees); else the minimum over every vertex of one and
    every geodesic edge of the other (``_edge_min``); ``Geod.inv`` between two points.
    """
    out = np.full(len(a_geoms), np.inf)
    a_pt = shapely.get_type_id(a_geoms) == 0
    f_pt = shapely.get_type_id(f_geoms) == 0
    both = a_pt & f_pt
    if both.any():
        out[both] = GEOD.inv(
            shapely.get_x(a_geoms[both]),
            shapely.get_y(a_geoms[both]),
            shapely.get_x(f_geoms[both]),
            shapely.get_y(f_geoms[both]),
        )[2]
    rest = np.flatnonzero(~both)
    touching = shapely.intersects(a_geoms[rest], f_geoms[rest])
    out[rest[touching]] = 0.0
    rows, ea, eb, pts = [], [], [], []
    for i in rest[~touching]:
        for one, other in ((a_geoms[i], f_geoms[i]), (f_geoms[i], a_geoms[i])):
            if other.geom_type == "Point":
                continue
            verts, line = _outline(one), _outline(other)
            n_v, n_e = len(verts), len(line) - 1
            rows.append(np.full(n_v * n_e, i))
            ea.append(np.tile(line[:-1], (n_v, 1)))
            eb.append(np.tile(line[1:], (n_v, 1)))
            pts.append(np.repeat(verts, n_e, axis=0))
    if rows:
        r = np.concatenate(rows)
        d = _edge_min(np.concatenate(ea), np.concatenate(eb), np.concatenate(pts), r)
        np.minimum.at(out, r, d)
    return out


# --------------------------------------------------------------------------- one size


def run_size(
    workload: str,
    *,
    n_features: int,
    activities: gpd.GeoDataFrame,
    pg: PostGIS,
    args: argparse.Namespace,
    rng: np.random.Generator,
) -> dict:
    """Everything for one workload and number of protected features; returns the record."""
    t0 = time.perf_counter()
    features = _generators(workload)[1](n_features, seed=args.seed)
    gen_s = time.perf_counter() - t0
    rules_path = _rules_path(workload, args)
    find_conflicts, rules = _engine(args.engine, rules_path)
    types = sorted(activities["type"].astype(str).unique())
    a_type = pd.Index(types).get_indexer(activities["type"].astype(str)).astype(np.int16)
    f_class, classes = feature_classes(features)
    table = probe_thresholds(find_conflicts, rules, types, classes)
    tag = f"{workload} {len(activities)}x{n_features}"
    print(f"[{tag}] data {gen_s:.1f}s, {len(classes)} feature classes; engine", flush=True)

    eng = run_engine(activities, features, args.engine, rules_path)
    a_idx = pd.Index(activities["id"].astype(str)).get_indexer(eng["pairs"]["activity_id"])
    f_idx = pd.Index(features["id"].astype(str)).get_indexer(eng["pairs"]["feature_id"])
    eng_keys = np.unique(a_idx.astype(np.int64) * n_features + f_idx)
    thr_expected = (
        table[a_type[a_idx], f_class[f_idx]]
        + activities["precision_m"].fillna(0.0).to_numpy()[a_idx]
        + features["precision_m"].fillna(0.0).to_numpy()[f_idx]
    )
    thr_mismatch = int(np.sum(~np.isclose(thr_expected, eng["pairs"]["threshold_m"], atol=1e-6)))
    print(f"[{tag}] engine {eng['seconds']:.2f}s, {len(eng_keys)} pairs", flush=True)

    with pg.connect() as conn:
        load = load_postgis(conn, activities, features, a_type=a_type, f_class=f_class, table=table)
        pg_s, pg_cpu, pg_pairs, plan = query_postgis(conn, pg)
        pg_keys = np.unique(pg_pairs[:, 0] * n_features + pg_pairs[:, 1])
        print(f"[{tag}] PostGIS {pg_s:.2f}s, {len(pg_keys)} pairs; checking...", flush=True)
        t0 = time.perf_counter()
        cand = np.array(
            conn.execute(CANDIDATES, {"margin": args.margin}).fetchall(), dtype=float
        ).reshape(-1, 4)
        cand_s = time.perf_counter() - t0

    # pairs to check against GeographicLib: all within --band of the threshold, a random
    # sample of the other candidates, and every pair the two disagree on
    only_eng = np.setdiff1d(eng_keys, pg_keys)
    only_pg = np.setdiff1d(pg_keys, eng_keys)
    cand_keys = cand[:, 0].astype(np.int64) * n_features + cand[:, 1].astype(np.int64)
    in_band = np.abs(cand[:, 3] - cand[:, 2]) <= args.band
    others = np.flatnonzero(~in_band)
    sample = rng.choice(others, min(args.sample, len(others)), replace=False)
    check = np.unique(np.concatenate([cand_keys[in_band], cand_keys[sample], only_eng, only_pg]))
    ca, cf = check // n_features, check % n_features
    thr = (
        table[a_type[ca], f_class[cf]]
        + activities["precision_m"].fillna(0.0).to_numpy()[ca]
        + features["precision_m"].fillna(0.0).to_numpy()[cf]
    )
    t0 = time.perf_counter()
    ref = reference_distance(
        np.asarray(activities.geometry.values, dtype=object)[ca],
        np.asarray(features.geometry.values, dtype=object)[cf],
    )
    ref_s = time.perf_counter() - t0
    truth = ref <= thr
    eng_says = np.isin(check, eng_keys)
    pg_says = np.isin(check, pg_keys)
    # the engine's own distances on the checked pairs it reported
    eng_dist = pd.Series(
        eng["pairs"]["distance_m"].to_numpy(), index=a_idx.astype(np.int64) * n_features + f_idx
    )
    eng_dist = eng_dist[~eng_dist.index.duplicated()]
    reported = check[eng_says]
    dist_err = np.abs(eng_dist.reindex(reported).to_numpy() - ref[eng_says])
    disagreements = [
        {
            "activity": str(activities["id"].iat[int(k // n_features)]),
            "geom_type": activities.geometry.values[int(k // n_features)].geom_type,
            "feature": str(features["id"].iat[int(k % n_features)]),
            "threshold_m": round(float(thr[i]), 4),
            "reference_m": round(float(ref[i]), 4),
            "engine_flags": bool(eng_says[i]),
            "postgis_flags": bool(pg_says[i]),
        }
        for i, k in enumerate(check)
        if eng_says[i] != pg_says[i]
    ]
    return {
        "workload": workload,
        "rules": rules_path or str(DEFAULT_RULES),
        "feature_geometries": features.geometry.geom_type.value_counts().to_dict(),
        "activity_geometries": activities.geometry.geom_type.value_counts().to_dict(),
        "n_features": n_features,
        "n_activities": len(activities),
        "feature_classes": len(classes),
        "data_generation_s": round(gen_s, 3),
        "engine_s": round(eng["seconds"], 3),
        "engine_peak_rss_mb": round(eng["peak_rss_mb"], 1),
        "engine_rss_before_call_mb": round(eng["rss_before_mb"], 1),
        "postgis_load_s": round(load["load_s"], 3),
        "postgis_index_s": round(load["index_s"], 3),
        "postgis_query_s": round(pg_s, 3),
        "ratio_engine_postgis": round(eng["seconds"] / pg_s, 4),
        "engine_cpu_s": round(eng["cpu_s"], 3),
        "postgis_query_cpu_s": round(pg_cpu, 3),
        "ratio_cpu": round(eng["cpu_s"] / pg_cpu, 4) if pg_cpu > 0 else None,
        "pairs_engine": len(eng_keys),
        "pairs_postgis": len(pg_keys),
        "pairs_only_engine": len(only_eng),
        "pairs_only_postgis": len(only_pg),
        "engine_threshold_mismatches": thr_mismatch,
        "exactness": {
            "candidates_within_margin": len(cand),
            "margin_m": args.margin,
            "band_m": args.band,
            "pairs_in_band": int(in_band.sum()),
            "pairs_checked": len(check),
            "wrong_side_engine": int(np.sum(eng_says != truth)),
            "wrong_side_postgis": int(np.sum(pg_says != truth)),
            "engine_max_abs_distance_error_m": float(dist_err.max()) if len(dist_err) else None,
            "closest_to_threshold_m": float(np.min(np.abs(ref - thr))) if len(ref) else None,
            "candidate_query_s": round(cand_s, 3),
            "reference_s": round(ref_s, 3),
        },
        "disagreements": disagreements[:50],
        "postgis_plan": plan,
    }


# --------------------------------------------------------------------------- main


def _generators(workload: str) -> tuple[Callable[..., gpd.GeoDataFrame], ...]:
    """The workload's (activities, features) generators from ``benchmarks.data``."""
    if workload == "mixed":
        return data.mixed_activities, data.mixed_features
    return data.activities, data.protected_points


def _rules_path(workload: str, args: argparse.Namespace) -> str | None:
    """``--rules``, else the mixed workload's four distances (written next to the results),
    else None (the engine's default rules file)."""
    if args.rules or workload != "mixed":
        return args.rules
    path = args.out.parent / "mixed_rules.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data.mixed_rules_toml())
    return str(path)


def _table(runs: list[dict]) -> str:
    head = (
        f"{'workload':>8} {'acts':>7} {'features':>9} {'engine s':>9} {'PostGIS s':>10} "
        f"{'ratio':>7} {'cpu ratio':>9} {'peak MB':>8} {'pairs':>9} {'only eng':>8} {'only PG':>8} "
        f"{'checked':>8} {'wrong eng':>9} {'wrong PG':>8} {'max err m':>10} {'PG load s':>9}"
    )
    lines = [head]
    for r in runs:
        ex = r["exactness"]
        err = ex["engine_max_abs_distance_error_m"]
        lines.append(
            f"{r['workload']:>8} {r['n_activities']:>7} "
            f"{r['n_features']:>9} {r['engine_s']:>9.2f} {r['postgis_query_s']:>10.2f} "
            f"{r['ratio_engine_postgis']:>7.3f} {r['ratio_cpu'] or float('nan'):>9.3f} "
            f"{r['engine_peak_rss_mb']:>8.0f} "
            f"{r['pairs_engine']:>9} {r['pairs_only_engine']:>8} {r['pairs_only_postgis']:>8} "
            f"{ex['pairs_checked']:>8} {ex['wrong_side_engine']:>9} {ex['wrong_side_postgis']:>8} "
            f"{(err if err is not None else float('nan')):>10.2e} "
            f"{r['postgis_load_s'] + r['postgis_index_s']:>9.1f}"
        )
    return "\n".join(lines)


def engine_scaling(
    workloads: list[str], counts: list[int], sizes: list[int], args: argparse.Namespace
) -> int:
    """The engine alone (a fresh worker process per size, as ``run_engine``), for how its cost
    grows with the pairs found: CPU, peak RSS and CPU per pair at each size."""
    rows: list[dict] = []
    for workload in workloads:
        for n_acts in counts:
            make_activities, make_features = _generators(workload)
            activities = make_activities(n_acts, seed=args.seed)
            for n in sizes:
                features = make_features(n, seed=args.seed)
                eng = run_engine(activities, features, args.engine, _rules_path(workload, args))
                del features
                pairs = len(eng["pairs"])
                rows.append(
                    {
                        "workload": workload,
                        "activities": n_acts,
                        "features": n,
                        "seconds": eng["seconds"],
                        "cpu_s": eng["cpu_s"],
                        "peak_rss_mb": eng["peak_rss_mb"],
                        "pairs": pairs,
                        "cpu_us_per_pair": 1e6 * eng["cpu_s"] / max(pairs, 1),
                    }
                )
                print(
                    f"{workload:>8} {n_acts:>7} x {n:>8}: wall {eng['seconds']:7.2f} s, CPU "
                    f"{eng['cpu_s']:7.2f} s, peak {eng['peak_rss_mb']:6.0f} MB, {pairs:>10,} "
                    f"pairs, {rows[-1]['cpu_us_per_pair']:.2f} us CPU a pair",
                    flush=True,
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {"benchmark": "conflicts --engine-only", "runs": rows}
    args.out.write_text(json.dumps(record, indent=2))
    print(f"results: {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring. Returns 0 (it measures, it does not judge)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.conflicts")
    parser.add_argument(
        "--sizes", default="10000,100000", help="protected features, comma-separated"
    )
    parser.add_argument(
        "--workloads",
        default="points,mixed",
        help="points: the issue 3 data (point features, default rules); mixed: issue 15's "
        "(long routes, many-vertex areas, 2%% polygon features, four distances 500-2000 m)",
    )
    parser.add_argument(
        "--activities", default="10000", help="activities, comma-separated (each x each size)"
    )
    parser.add_argument("--seed", type=int, default=data.SEED)
    parser.add_argument("--rules", default=None, help="rules TOML (default: see _rules_path)")
    parser.add_argument("--engine", default="humansec", help="module with both functions")
    parser.add_argument("--band", type=float, default=5.0, help="check every pair this near (m)")
    parser.add_argument("--margin", type=float, default=50.0, help="candidate margin (m)")
    parser.add_argument("--sample", type=int, default=2000, help="random other candidates")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--engine-only",
        action="store_true",
        help="scaling: the engine alone at each size (no PostGIS, no checks), CPU per pair",
    )
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker[0], args.worker[1], args.engine, args.rules)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    counts = [int(s) for s in args.activities.split(",")]
    workloads = [w.strip() for w in args.workloads.split(",")]
    unknown = set(workloads) - {"points", "mixed"}
    if unknown:
        parser.error(f"unknown workload(s) {sorted(unknown)}; known: points, mixed")
    if args.engine_only:
        return engine_scaling(workloads, counts, sizes, args)
    rng = np.random.default_rng(args.seed)
    runs: list[dict] = []
    record: dict = {
        "benchmark": "conflicts",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "engine": args.engine,
        "postgis_query": QUERY.strip(),
        "runs": runs,
    }
    pg = PostGIS.start()
    try:
        record["postgis_version"] = pg.version
        for workload in workloads:
            for n_acts in counts:
                activities = _generators(workload)[0](n_acts, seed=args.seed)
                for n in sizes:
                    runs.append(
                        run_size(
                            workload, n_features=n, activities=activities, pg=pg, args=args, rng=rng
                        )
                    )
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    args.out.write_text(json.dumps(record, indent=2))
                    print(_table(runs), flush=True)
    finally:
        pg.stop()
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
