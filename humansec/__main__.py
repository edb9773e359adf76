"""Command line.

``python -m humansec layers`` prints the catalogue as JSON; ``python -m humansec check``
runs the conflict check of planned activities against protected features;
``python -m humansec export`` writes a briefing product (PNG, PDF, PPTX or offline HTML);
``python -m humansec ingest`` validates a file and stores it as a new layer version;
``python -m humansec basemap add|list|retire|restore`` manages offline basemap packages.
``python -m humansec audit verify`` checks the audit trail's hash chain (exit 2 when broken).
``python -m humansec incidents summary|hotspots`` analyses the store's incidents.
``python -m humansec exposure`` counts the people in each planned activity's hazard area.
``python -m humansec store copy --from DIR_OR_URL --to DIR_OR_URL`` moves a whole store
(GeoPackage folder or PostGIS URL) and checks the copy.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from humansec import audit
from humansec.access import cli_user
from humansec.basemaps import cli as basemap_cli
from humansec.bootstrap import ensure_demo
from humansec.conflicts import find_conflicts, load_rules, summarise
from humansec.conflicts.inputs import (
    OUTPUT_SUFFIXES,
    protected_features,
    read_vector,
    write_conflicts,
)
from humansec.conflicts.rule_versions import active_rules_path
from humansec.errors import ConfigurationError, HumansecError, SchemaError, choices
from humansec.model import PROTECTED_KINDS, WGS84, LayerKind
from humansec.settings import Settings, load_settings
from humansec.store import open_store, store_location


def _layers(args: argparse.Namespace) -> int:
    store = open_store(load_settings())
    if args.demo:
        ensure_demo(store)
    rows = [
        {
            "layer": record.layer_id,
            "version": record.version,
            "kind": str(record.kind),
            "title": record.title,
            "features": record.feature_count,
            "classification": record.classification,
            "exercise": record.exercise,
            "retired": record.retired,
            "created_at": record.created_at.isoformat(),
            "source": record.source,
            "licence": record.licence,
            "provenance": dict(record.provenance),
        }
        for record in store.catalogue(include_retired=args.all)
    ]
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


def _check(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        msg = f"--out {out.name}: the output must end in {choices(OUTPUT_SUFFIXES)}."
        raise SchemaError(msg)
    rules = load_rules(Path(args.rules) if args.rules else active_rules_path(load_settings()))
    activities = read_vector(Path(args.activities), layer=args.activities_layer)
    if args.features:
        features = gpd.GeoDataFrame(
            pd.concat([read_vector(Path(p)) for p in args.features], ignore_index=True),
            crs=WGS84,
        )
    else:
        store = open_store(load_settings())
        ensure_demo(store)
        features = protected_features({kind: store.read_kind(kind) for kind in PROTECTED_KINDS})
        if features.empty:
            msg = "The store holds no protected layers; add some, or name files with --features."
            raise SchemaError(msg)
    conflicts = find_conflicts(activities, features, rules)
    write_conflicts(conflicts, features, out, activities=activities)
    population = features[features["kind"] == str(LayerKind.POPULATION)]
    if population.empty or "population" not in population:
        population = None  # no population figures: the estimate stays empty
    summary = summarise(activities, conflicts, population, rules=rules)
    print(
        json.dumps(
            {
                "out": str(out),
                "activities": len(activities),
                "features": len(features),
                "conflicts": len(conflicts),
                "status": summary["status"].value_counts().to_dict(),
            }
        )
    )
    return 0


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        msg = f"--bbox {text!r}: give four numbers W,S,E,N in degrees, e.g. 22,53.8,24,54.6."
        raise argparse.ArgumentTypeError(msg) from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90):
        msg = f"--bbox {text!r}: need -180<=W,E<=180 and -90<=S<N<=90 (degrees, WGS84)."
        raise argparse.ArgumentTypeError(msg)
    return (west, south, east, north)


def _export(args: argparse.Namespace) -> int:
    # Imported here: the other commands do not need the renderer's dependencies.
    from humansec.export import (  # noqa: PLC0415
        PRODUCT_FORMATS,
        TABLE_FORMATS,
        Renderer,
        export_product,
        parse_kinds,
        product_marking,
        unavailable_reason,
    )

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in PRODUCT_FORMATS + TABLE_FORMATS:
        suffixes = choices("." + f for f in PRODUCT_FORMATS + TABLE_FORMATS)
        msg = f"--out {out.name}: the output must end in {suffixes}."
        raise SchemaError(msg)
    if args.table is not None and fmt not in TABLE_FORMATS:
        msg = (
            f"--table {args.table} needs a table file: --out ending in "
            f"{choices('.' + f for f in TABLE_FORMATS)}."
        )
        raise SchemaError(msg)
    table = args.table or "conflicts"
    if fmt in {"png", "pdf", "pptx"} and (reason := unavailable_reason()) is not None:
        raise ConfigurationError(reason)  # said before any work, with the way to fix it
    settings = load_settings()
    if args.classification and args.classification not in settings.classification_order:
        msg = (
            f"--classification {args.classification!r} is not a marking; choose one of "
            f"{choices(settings.classification_order)}."
        )
        raise SchemaError(msg)
    kinds = parse_kinds(args.layers.split(",")) if args.layers else tuple(LayerKind)
    store = open_store(settings)
    ensure_demo(store)
    frames = {kind: store.read_kind(kind) for kind in kinds}
    records = store.catalogue()
    renderer = Renderer() if fmt in {"png", "pdf", "pptx"} else None
    try:
        data = export_product(
            frames,
            records,
            fmt=fmt,
            bbox=args.bbox,
            title=args.title,
            kinds=kinds,
            size=args.size,
            classification=args.classification,
            settings=settings,
            renderer=renderer,
            table=table,
            grid=args.grid,
            area_measure=args.areas_by,
        )
    finally:
        if renderer is not None:
            renderer.close()
    out.write_bytes(data)
    marking, exercise = product_marking(
        records, order=settings.classification_order, requested=args.classification
    )
    audit.record(
        settings.audit_location,
        action="export",
        actor=cli_user(settings).audit_identity(),
        what={"file": str(out), "format": fmt, "size": args.size, "bbox": args.bbox,
              "title": args.title, "layers": [str(k) for k in kinds], "exercise": exercise,
              "grid": args.grid, "areas": args.areas_by,
              **({"table": table} if fmt in TABLE_FORMATS else {})},
        marking=marking,
    )  # fmt: skip
    print(json.dumps({"out": str(out), "format": fmt, "bytes": len(data), "marking": marking}))
    return 0


def _pairs(items: Sequence[str] | None, option: str, form: str) -> list[tuple[str, str]]:
    """``["a=b", ...]`` as pairs; a missing ``=`` is an error naming the option's form."""
    pairs = []
    for item in items or ():
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            msg = f"{option} {item!r}: write it as {form}."
            raise SchemaError(msg)
        pairs.append((name.strip(), value.strip()))
    return pairs


def _value_maps(items: Sequence[str] | None) -> dict[str, dict[str, str]]:
    """``--value FIELD:SOURCE=TARGET`` options as ``{field: {source: target}}``."""
    tables: dict[str, dict[str, str]] = {}
    for key, target in _pairs(items, "--value", "FIELD:SOURCE=TARGET (empty TARGET: leave out)"):
        field_name, colon, source = key.partition(":")
        if not colon:
            msg = f"--value {key}={target}: write it as FIELD:SOURCE=TARGET, e.g. category:Natural="
            raise SchemaError(msg)
        tables.setdefault(field_name.strip(), {})[source] = target
    return tables


def _ingest(args: argparse.Namespace) -> int:
    # Imported here: the other commands do not need the upload machinery.
    from humansec.ingest.pipeline import UploadMeta, UploadOptions, ingest_file  # noqa: PLC0415
    from humansec.model import parse_kind  # noqa: PLC0415

    settings = load_settings()
    path = Path(args.file)
    if not path.is_file():
        msg = f"{path} is not a file. Give the path of the file to store."
        raise SchemaError(msg)
    if args.join_to:
        return _join_population(args, settings, path)
    if not args.kind:
        msg = "Give the layer kind (--kind), or --join-to LAYER for a population table."
        raise SchemaError(msg)
    classification = args.classification or settings.default_classification
    if classification not in settings.classification_order:
        msg = (
            f"--classification {classification!r} is not a marking; choose one of "
            f"{choices(settings.classification_order)}."
        )
        raise SchemaError(msg)
    who = f"cli:{getpass.getuser()}"
    kind = parse_kind(args.kind)
    if kind is LayerKind.POPULATION_RASTER:
        return _ingest_grid(args, path, classification)
    if args.band_role:
        msg = f"--band-role is for population grids (--kind {LayerKind.POPULATION_RASTER})."
        raise SchemaError(msg)
    inspection, record = ingest_file(
        path,
        UploadOptions(
            kind=kind,
            source_layer=args.source_layer,
            crs=args.crs,
            encoding=args.encoding,
            repair=args.repair,
            drop_bad_dates=args.drop_bad_dates,
            map_columns=dict(_pairs(args.map, "--map", "FIELD=COLUMN")),
            set_constants=dict(_pairs(args.set, "--set", "FIELD=VALUE")),
            map_values=_value_maps(args.value),
        ),
        staging_root=settings.data_dir / "staging",
        store_path=store_location(settings),
        meta=UploadMeta(
            title=args.name or path.stem,
            classification=classification,
            who=who,
            source=args.source or path.name,
            licence=args.licence or "",
        ),
        layer_id=args.layer,
        limits=settings.ingest_limits(),
    )
    audit.record(
        settings.audit_location,
        action="upload",
        actor=cli_user(settings).audit_identity(),
        what={"file": path.name, "sha256": inspection.sha256, **record},
        marking=classification,
    )
    warnings = [f.message for f in inspection.report.warnings]
    print(
        json.dumps(
            {
                "layer": record["layer_id"],
                "version": record["version"],
                "kind": record["kind"],
                "features": record["features"],
                "crs": inspection.source_crs or "EPSG:4326",
                "encoding": inspection.encoding,
                "format": str(inspection.format),
                "sha256": inspection.sha256,
                "warnings": warnings,
                # What was read, e.g. an ACLED file's events per focus area and event type.
                "notes": [f.message for f in inspection.report.findings if f.severity == "info"],
            },
            ensure_ascii=False,
        )
    )
    return 0


def _ingest_grid(args: argparse.Namespace, path: Path, classification: str) -> int:
    """``ingest --kind population_raster``: a GeoTIFF grid, stored as a COG and catalogued."""
    from humansec.ingest.pipeline import UploadMeta  # noqa: PLC0415
    from humansec.ingest.raster import ingest_grid  # noqa: PLC0415

    settings = load_settings()
    result = ingest_grid(
        path,
        args.band_role or [],
        staging_root=settings.data_dir / "staging",
        store_path=store_location(settings),
        data_dir=settings.data_dir,
        meta=UploadMeta(
            title=args.name or ("" if args.layer else path.stem),  # "": the layer's own title
            classification=classification,
            who=f"cli:{getpass.getuser()}",
            source=args.source or path.name,
            licence=args.licence or "",
        ),
        layer_id=args.layer,
        limits=settings.ingest_limits(),
    )
    record = result.record
    audit.record(
        settings.audit_location,
        action="upload",
        actor=cli_user(settings).audit_identity(),
        what={"file": path.name, "sha256": result.sha256, **record},
        marking=classification,
    )
    facts = result.facts
    print(
        json.dumps(
            {
                "layer": record["layer_id"],
                "version": record["version"],
                "kind": record["kind"],
                "features": record["features"],
                "bands": record["bands"],
                "file": record["file"],
                "crs": facts.get("crs"),
                "width": facts.get("width"),
                "height": facts.get("height"),
                "nodata": facts.get("nodata"),
                "format": "geotiff",
                "sha256": result.sha256,
                "notes": list(result.notes),
            },
            ensure_ascii=False,
        )
    )
    return 0


def _join_population(args: argparse.Namespace, settings: Settings, path: Path) -> int:
    """``ingest pop.xlsx --join-to LAYER --on pcode``: a new version of an area layer."""
    from humansec.population.join import join_to_layer  # noqa: PLC0415

    if args.on != "pcode":
        msg = f"--on {args.on!r}: population tables are joined by P-code only (--on pcode)."
        raise SchemaError(msg)
    store = open_store(settings)
    outcome = join_to_layer(
        store, args.join_to, path, sheet=args.sheet or args.source_layer, date=args.date
    )
    record = outcome.record
    audit.record(
        settings.audit_location,
        action="upload",
        actor=cli_user(settings).audit_identity(),
        what={
            "file": path.name,
            "sha256": outcome.table.sha256,
            "layer_id": record.layer_id,
            "version": record.version,
            "join": "population by pcode",
        },
        marking=record.classification,
    )
    print(
        json.dumps(
            {
                "layer": record.layer_id,
                "version": record.version,
                "kind": str(record.kind),
                "features": record.feature_count,
                "table": outcome.table.file_name,
                "sheet": outcome.table.sheet,
                "sha256": outcome.table.sha256,
                "join": outcome.report.as_dict(),
                "notes": outcome.report.lines(),
            },
            ensure_ascii=False,
        )
    )
    return 0


def _audit(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.audit_command == "verify":
        verdict = audit.verify(settings.audit_location)
        print(verdict.message(), file=sys.stdout if verdict.ok else sys.stderr)
        return 0 if verdict.ok else 2
    for event in audit.read(settings.audit_location)[-args.last :]:
        print(json.dumps(event, ensure_ascii=False))
    return 0


def _add_audit_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit_parser = commands.add_parser(
        "audit",
        help="verify or list the hash-chained audit trail",
        description="verify: walk the chain of <data_dir>/audit.jsonl and exit 2 naming the "
        "first edited, removed or reordered entry; list: print the last entries as JSON.",
    )
    audit_commands = audit_parser.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="check the hash chain (exit 2 when broken)")
    listing = audit_commands.add_parser("list", help="print the last entries as JSON lines")
    listing.add_argument("--last", type=int, default=50, help="how many entries (default 50)")
    audit_parser.set_defaults(run=_audit)


def _add_operations(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The admin's commands: basemap packages, the audit trail, the deployment files."""
    basemap_cli.register(commands)
    _add_audit_parser(commands)
    _add_store_parser(commands)
    from humansec import deploy  # noqa: PLC0415

    deploy.register(commands)


def _store(args: argparse.Namespace) -> int:
    from humansec.store.copy import copy_store  # noqa: PLC0415

    report = copy_store(args.source, args.target)
    print(json.dumps(report.as_dict()))
    return 0


def _add_store_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    store_parser = commands.add_parser(
        "store",
        help="copy a whole layer store between a GeoPackage folder and PostGIS",
        description="copy: move every layer, version, retirement and audit entry from one "
        "store to another, empty one, then check counts and hashes (exit 2 on a difference). "
        "A store is a data folder (its humansec.gpkg and audit.jsonl) or a "
        "postgresql://user@host:port/db URL.",
    )
    store_commands = store_parser.add_subparsers(dest="store_command", required=True)
    copy = store_commands.add_parser("copy", help="copy a whole store and check the copy")
    copy.add_argument("--from", dest="source", required=True, help="data folder or URL")
    copy.add_argument("--to", dest="target", required=True, help="empty data folder or URL")
    store_parser.set_defaults(run=_store)


def _add_join_arguments(ingest: argparse.ArgumentParser) -> None:
    """The options of a population table joined to an area layer (issue 13)."""
    ingest.add_argument(
        "--join-to",
        metavar="LAYER",
        help="a population table (CSV/XLSX, COD-PS): join it by P-code to this area layer, "
        "as a new version of it",
    )
    ingest.add_argument("--on", default="pcode", help="join key: pcode (the only one)")
    ingest.add_argument("--sheet", help="sheet of a population workbook (default: the one "
                        "with the P-code column of the layer's level)")  # fmt: skip
    ingest.add_argument("--date", help="date of the population figures (ISO 8601, 2020-07-01)")


def _add_ingest(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``ingest`` command: a file validated and stored as a new layer version."""
    ingest = commands.add_parser(
        "ingest",
        help="validate a file and store it as a new layer version",
        description="Read a zipped shapefile, GeoPackage, GeoJSON, KML/KMZ, CSV or XLSX "
        "(ACLED and UCDP GED exports are recognised), or a GeoTIFF population grid "
        "(--kind population_raster, stored as a Cloud-Optimized GeoTIFF), check it, map its "
        "fields onto the kind "
        "and store it in the store at HUMANSEC_DATA_DIR. Nothing is stored when the file is "
        "refused.",
    )
    ingest.add_argument("file", help="the file to store")
    ingest.add_argument("--kind", help=f"layer kind: {', '.join(str(k) for k in LayerKind)}")
    _add_join_arguments(ingest)
    ingest.add_argument("--source-layer", help="layer (or sheet) of a multi-layer file")
    ingest.add_argument("--name", help="layer title (default: the file name)")
    ingest.add_argument("--crs", help="coordinate system when the file has none, e.g. EPSG:32636")
    ingest.add_argument("--encoding", help="text encoding when the file has none, e.g. cp1251")
    ingest.add_argument("--classification", help="marking (default: the settings' default)")
    ingest.add_argument("--source", help="source note (default: the file name)")
    ingest.add_argument("--licence", help="licence note")
    ingest.add_argument("--layer", help="add a new version of this existing layer id")
    ingest.add_argument(
        "--band-role",
        action="append",
        metavar="ROLE",
        help="population grids: what each band counts, one per band in band order: total, "
        "female, male, age:0-4, female:15-19, male:80+ (a single band defaults to total; "
        "a grid of several bands needs one each)",
    )
    ingest.add_argument(
        "--repair", action="store_true", help="repair invalid geometries instead of refusing"
    )
    ingest.add_argument(
        "--drop-bad-dates",
        action="store_true",
        help="ACLED/UCDP: leave out the events whose date is ambiguous or unreadable (the "
        "report names their rows) instead of refusing the file",
    )
    ingest.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="fill FIELD from COLUMN instead of the suggested one (empty COLUMN: leave it empty)",
    )
    ingest.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help="give FIELD one value for every feature, e.g. category=idp_site",
    )
    ingest.add_argument(
        "--value",
        action="append",
        metavar="FIELD:SOURCE=TARGET",
        help="store SOURCE values of FIELD as TARGET (empty TARGET: leave those rows out), "
        "e.g. protection:Cultural=world_heritage",
    )
    ingest.set_defaults(run=_ingest)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m humansec", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    layers = commands.add_parser("layers", help="print the layer catalogue as JSON")
    layers.add_argument("--all", action="store_true", help="include retired layers")
    layers.add_argument("--demo", action="store_true", help="load the demo into an empty store")
    layers.set_defaults(run=_layers)
    check = commands.add_parser(
        "check",
        help="flag planned activities too close to protected features",
        description="Write every (activity, feature) pair that breaks a stand-off rule.",
    )
    check.add_argument("--activities", required=True, help="vector file of planned activities")
    check.add_argument("--activities-layer", help="layer of a multi-layer activities file")
    check.add_argument(
        "--features",
        action="append",
        help="vector file of protected features (repeatable); default: the store's layers",
    )
    check.add_argument(
        "--rules",
        help="stand-off rules (TOML); default: the version in force (saved in the app), "
        "else HUMANSEC_RULES or geodata/rules.toml",
    )
    check.add_argument("--out", required=True, help="OUT.csv or OUT.geojson")
    check.set_defaults(run=_check)
    export = commands.add_parser(
        "export",
        help="write the map as a briefing product (PNG, PDF, PPTX or offline HTML) or a table",
        description="Export the store's layers (the demo when the store is new) as a product "
        "with classification banners, title, DTG, legend, grid and sources, or as a table "
        "(CSV, XLSX, GeoJSON) of the conflicts or of the layers' attributes in the area.",
    )
    export.add_argument(
        "--out",
        required=True,
        help="FILE.png, FILE.pdf, FILE.pptx, FILE.html, or a table FILE.csv, FILE.xlsx, "
        "FILE.geojson",
    )
    export.add_argument(
        "--table",
        choices=("conflicts", "layers"),
        help="what a table file (.csv/.xlsx/.geojson) holds: the conflicts of the planned "
        "activities in the area (default) or the attributes of the --layers in the area, "
        "one row per feature with its kind",
    )
    export.add_argument("--bbox", type=_bbox, help="W,S,E,N in degrees (default: the data)")
    export.add_argument("--title", default="Human security situation", help="product title")
    export.add_argument(
        "--layers", help=f"kinds shown, comma-separated: {','.join(str(k) for k in LayerKind)}"
    )
    export.add_argument(
        "--size", choices=("slide", "a4", "a3"), default="slide", help="slide, a4 or a3"
    )
    export.add_argument(
        "--grid",
        choices=("latlon", "mgrs"),
        default="latlon",
        help="coordinate grid: latlon (default) or mgrs (UTM zones, 100 km squares, labels)",
    )
    export.add_argument(
        "--areas-by",
        choices=("population", "density_km2", "incidents_per_100k"),
        help="shade the reference areas by people, people per km² or incidents per 100,000 "
        "people (needs the incidents among --layers), as on the situation map; default: "
        "their outlines",
    )
    export.add_argument("--classification", help="raise the marking (never below the layers' own)")
    export.set_defaults(run=_export)
    _add_ingest(commands)
    _add_operations(commands)
    from humansec.analytics.cli import add_parser as add_incidents  # noqa: PLC0415

    add_incidents(commands, _bbox)
    from humansec.population.cli import add_parser as add_exposure  # noqa: PLC0415

    add_exposure(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except HumansecError as error:
        print(f"humansec: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
