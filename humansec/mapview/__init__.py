"""The situation map as folium objects: offline assets, symbols per kind, aggregation.

The page calls ``build_base_map`` once, ``build_data_layers`` on every rerun (handed to
streamlit-folium's ``feature_group_to_add``), with ``build_label_group`` (the place names of
the view), and ``build_layer_control``; ``build_situation_map`` puts everything into one map
(tests, HTML export).
"""

from __future__ import annotations

from humansec.mapview import rendered_text
from humansec.mapview.aggregate import zoom_for_bounds
from humansec.mapview.assets import STREAMLIT_ASSET_PREFIX, external_urls
from humansec.mapview.builder import (
    CLUSTER_THRESHOLD,
    DEFAULT_POINT_LIMIT,
    KindGroup,
    LayerSummary,
    MapView,
    build_base_map,
    build_data_layers,
    build_label_group,
    build_layer_control,
    build_situation_map,
    data_bounds,
)
from humansec.mapview.check import (
    STATUS_COLOURS,
    activity_status_groups,
    conflicting_feature_groups,
    draw_control,
    status_legend,
)
from humansec.mapview.style import KIND_STYLES, KindStyle

__all__ = [
    "CLUSTER_THRESHOLD",
    "DEFAULT_POINT_LIMIT",
    "KIND_STYLES",
    "STATUS_COLOURS",
    "STREAMLIT_ASSET_PREFIX",
    "KindGroup",
    "KindStyle",
    "LayerSummary",
    "MapView",
    "activity_status_groups",
    "build_base_map",
    "build_data_layers",
    "build_label_group",
    "build_layer_control",
    "build_situation_map",
    "conflicting_feature_groups",
    "data_bounds",
    "draw_control",
    "external_urls",
    "status_legend",
    "zoom_for_bounds",
]

# Before any map is rendered (importing any humansec.mapview module runs this first): what an
# element renders is kept as text, never compiled and evaluated as a template (rendered_text.py).
rendered_text.install()
