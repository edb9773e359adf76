"""The layer store interface, implemented by the GeoPackage and the PostGIS backends.

A layer is a sequence of immutable versions. Adding data never overwrites: it writes a new
version and then registers it in the catalogue in one transaction, so a crash at any moment
leaves the last registered version readable. Retiring and restoring are catalogue flags.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import geopandas as gpd
import pandas as pd

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
