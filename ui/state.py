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
