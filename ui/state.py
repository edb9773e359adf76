"""Session-state keys, one owner each. Every widget gets one of these as its ``key=``."""

from __future__ import annotations

from typing import Final

# Situation map page
MAP_COMPONENT: Final = "situation_map"
MAP_VIEW: Final = "situation_map_view"  # last bounds/zoom the browser reported
FILTER_DATES: Final = "filter_dates"
FILTER_FOCUS: Final = "filter_focus_areas"
FILTER_KINDS: Final = "filter_kinds"
HEATMAP: Final = "incident_heatmap"

# Planned activities page
PLAN_USE_STORE: Final = "plan_use_store"
PLAN_TABLE: Final = "plan_table"
PLAN_UPLOAD: Final = "plan_upload"
PLAN_UPLOAD_TYPE: Final = "plan_upload_type"
PLAN_DRAW_TYPE: Final = "plan_draw_type"
PLAN_MAP: Final = "plan_map"
