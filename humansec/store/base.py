"""The layer store interface, implemented by the GeoPackage and the PostGIS backends.

A layer is a sequence of immutable versions. Adding data never overwrites: it writes a new
version and then registers it in the catalogue in one transaction, so a crash at any moment
leaves the last registered version readable. Retiring and restoring are catalogue flags.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd

from humansec.errors import StoreError, choices
from humansec.model import LayerKind, empty_frame
from humansec.timerange import TimeRange

BBox = tuple[float, float, float, float]
"""West, south, east, north in degrees (EPSG:4326)."""


@dataclass(frozen=True)
class LayerRecord:
    """One version of a layer as the catalogue knows it."""

    layer_id: str
    version: int
    kind: LayerKind
    title: str
    source: str
    licence: str
    classification: str
    created_at: datetime
    feature_count: int
    retired: bool = False
    exercise: bool = False
    provenance: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class NewLayer:
    """What a caller supplies to add a layer version (the store assigns the rest)."""

    kind: LayerKind
    title: str
    source: str
    licence: str
    classification: str
    exercise: bool = False
    provenance: Mapping[str, object] = field(default_factory=dict)
    created_at: datetime | None = None
    """When the version was made: None means now (only ``store copy`` keeps an older time)."""


@dataclass
class LayerState:
    """The state of one layer, replayed from its catalogue events (``replay_catalogue``)."""

    records: list[LayerRecord]
    """Every registered version, oldest first."""
    tables: list[str]
    """The table holding each version, in the same order."""
    retired: bool = False


def replay_catalogue(
    events: Iterable[Mapping[str, object]], *, number_by_position: bool = False
) -> dict[str, LayerState]:
    """Every layer's state from the catalogue's events, given in the order they were appended.

    Each event maps the catalogue's columns (``event``: register, retire or restore;
    ``layer_id``, ``version``, ``kind``, ``title``, ``source``, ``licence``, ``classification``,
    ``created_at`` as a datetime or ISO text, ``feature_count``, ``exercise``, ``provenance``
    as JSON text, ``table_name``). A registration of another kind than the layer's first is
    skipped: a writer that lost a race (see ``GeoPackageStore.add_version``). With
    ``number_by_position`` the versions are numbered 1, 2, ... in the order registered (the
    GeoPackage's), else each keeps its ``version``. Every record carries the layer's retired
    flag as the last retire or restore left it.
    """
    layers: dict[str, LayerState] = {}
    for event in events:
        layer_id = str(event["layer_id"])
        layer = layers.get(layer_id)
        if event["event"] == "register":
            kind = LayerKind(str(event["kind"]))
            if layer is not None and layer.records[0].kind != kind:
                continue
            if number_by_position:
                version = 1 if layer is None else len(layer.records) + 1
            else:
                version = int(str(event["version"]))
            created = event["created_at"]
            record = LayerRecord(
                layer_id=layer_id,
                version=version,
                kind=kind,
                title=str(event["title"]),
                source=str(event["source"]),
                licence=str(event["licence"]),
                classification=str(event["classification"]),
                created_at=(
                    created.astimezone(UTC)
                    if isinstance(created, datetime)
                    else datetime.fromisoformat(str(created))
                ),
                feature_count=int(str(event["feature_count"])),
                exercise=bool(event["exercise"]),
                provenance=json.loads(str(event["provenance"])),
            )
            if layer is None:
                layers[layer_id] = LayerState([record], [str(event["table_name"])])
            else:
                layer.records.append(record)
                layer.tables.append(str(event["table_name"]))
        elif layer is not None and event["event"] in {"retire", "restore"}:
            layer.retired = event["event"] == "retire"
    for layer in layers.values():
        layer.records = [replace(r, retired=layer.retired) for r in layer.records]
    return layers


def layer_state(layer_id: str, layers: Mapping[str, LayerState]) -> LayerState:
    """The state of ``layer_id``; ``StoreError`` naming the known layers when there is none."""
    try:
        return layers[layer_id]
    except KeyError:
        known = choices(layers) if layers else "none yet"
        msg = f"The store has no layer {layer_id!r}; known layers: {known}."
        raise StoreError(msg) from None


class LayerStore(abc.ABC):
    """Where layers live. Every frame going in or out is in EPSG:4326."""

    @abc.abstractmethod
    def catalogue(self, *, include_retired: bool = False) -> list[LayerRecord]:
        """Return the current (latest) version of every layer, oldest layer first."""

    @abc.abstractmethod
    def versions(self, layer_id: str) -> list[LayerRecord]:
        """Return every registered version of ``layer_id``, oldest first."""

    @abc.abstractmethod
    def add_version(
        self, frame: gpd.GeoDataFrame, meta: NewLayer, *, layer_id: str | None = None
    ) -> LayerRecord:
        """Store ``frame`` as a new version of ``layer_id`` (a new layer when None).

        ``frame`` must conform to ``meta.kind`` (see ``humansec.model.conform``).
        """

    @abc.abstractmethod
    def read_layer(
        self,
        layer_id: str,
        *,
        version: int | None = None,
        bbox: BBox | None = None,
        time_range: TimeRange | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the features of one layer version (the latest when ``version`` is None)."""

    @abc.abstractmethod
    def set_retired(self, layer_id: str, *, retired: bool) -> LayerRecord:
        """Retire (hide) or restore a layer; its versions stay stored."""

    @property
    def reconnections(self) -> int:
        """How often the store lost its database and then reached it again (a server store's
        count, for the page to say so once; an embedded store never loses anything)."""
        return 0

    def is_empty(self) -> bool:
        """True when no layer has ever been registered."""
        return not self.catalogue(include_retired=True)

    def read_kind(
        self,
        kind: LayerKind,
        *,
        bbox: BBox | None = None,
        time_range: TimeRange | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the features of every active layer of ``kind``, with a ``layer_id`` column."""
        frames = []
        for record in self.catalogue():
            if record.kind != kind:
                continue
            frame = self.read_layer(record.layer_id, bbox=bbox, time_range=time_range)
            frame.insert(0, "layer_id", record.layer_id)
            frames.append(frame)
        if not frames:
            empty = empty_frame(kind)
            empty.insert(0, "layer_id", pd.Series([], dtype="string"))
            return empty
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


class ReplayedStore(LayerStore):
    """A store whose catalogue is the replay of its catalogue events (``replay_catalogue``):
    the GeoPackage and PostGIS stores read their layers' states and answer the same way."""

    @abc.abstractmethod
    def _layers(self) -> dict[str, LayerState]:
        """Every layer's state, from the catalogue events in the order they were appended."""

    def catalogue(self, *, include_retired: bool = False) -> list[LayerRecord]:
        """Return the current (latest) version of every layer, oldest layer first."""
        return [
            layer.records[-1]
            for layer in self._layers().values()
            if include_retired or not layer.retired
        ]

    def versions(self, layer_id: str) -> list[LayerRecord]:
        """Return every registered version of ``layer_id``, oldest first."""
        return list(layer_state(layer_id, self._layers()).records)
