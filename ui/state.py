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
MGRS_GRID: Final = "map_mgrs_grid"
MAP_HOTSPOTS: Final = "map_hotspots"  # the situation map's hot-spot overlay: on or off
MAP_HOTSPOT_RESOLUTION: Final = "map_hotspot_resolution"
AREA_MEASURE: Final = "map_area_measure"  # what colours the reference areas (issue 13)
TIME_STEP: Final = "time_step"  # the time slider is on
TIME_SPAN: Final = "time_span"  # days the slider shows at once
TIME_CURSOR: Final = "time_cursor"  # the last day the slider shows
TIME_PLAY: Final = "time_play"
TIME_ADVANCE: Final = "time_advance"  # the player asked for the next step (not a widget)
TIME_TICK_ARMED: Final = "time_tick_armed"  # the player's timer may advance (not a widget)
MAP_OPENED: Final = "situation_map_opened"  # the page has run in this session (not a widget)

# Planned activities page
PLAN_USE_STORE: Final = "plan_use_store"
PLAN_TABLE: Final = "plan_table"
PLAN_UPLOAD: Final = "plan_upload"
PLAN_UPLOAD_TYPE: Final = "plan_upload_type"
PLAN_DRAW_TYPE: Final = "plan_draw_type"
PLAN_MAP: Final = "plan_map"
PLAN_ROWS: Final = "plan_rows"  # activities added with the form, edited in the table
PLAN_FORM: Final = "plan_form"
PLAN_FORM_ID: Final = "plan_form_id"
PLAN_FORM_TYPE: Final = "plan_form_type"
PLAN_FORM_MGRS: Final = "plan_form_mgrs"
PLAN_FORM_LAT: Final = "plan_form_lat"
PLAN_FORM_LON: Final = "plan_form_lon"
PLAN_FORM_RADIUS: Final = "plan_form_radius"
PLAN_FORM_ERROR: Final = "plan_form_error"  # why the last entry was refused (not a widget)
PLAN_CLICK_ID: Final = "plan_click_id"
PLAN_CLICK_ADD: Final = "plan_click_add"
PLAN_CONFLICTS: Final = "plan_conflicts"
PLAN_ACTIVITIES: Final = "plan_activities"
PLAN_EXPOSURE: Final = "plan_exposure"
PLAN_CONTEXT: Final = "plan_context"
PLAN_OPENED: Final = "plan_page_opened"  # the page has run in this session (not a widget)

# Shared between pages (not widget keys, so they survive a page change)
PAGE_RUN: Final = "page_run"  # the path of the page the router ran last
LAST_VIEW: Final = "last_map_view"  # (west, south, east, north) the situation map last showed
LAST_KINDS: Final = "last_map_kinds"  # the layers the situation map last showed
LAST_FILTERS: Final = "last_map_filters"  # (TimeRange | None, focus areas) it last applied
LAST_AREA_MEASURE: Final = "last_map_area_measure"  # what last coloured its reference areas

# Briefing page
BRIEF_TITLE: Final = "brief_title"
BRIEF_SUBTITLE: Final = "brief_subtitle"
BRIEF_FORMAT: Final = "brief_format"
BRIEF_SIZE: Final = "brief_size"
BRIEF_MARKING: Final = "brief_marking"
BRIEF_KINDS: Final = "brief_kinds"
BRIEF_EXTENT: Final = "brief_extent"
BRIEF_PRODUCT: Final = "brief_product"  # (file name, mime type, bytes) of the last export
BRIEF_GRID: Final = "brief_grid"
BRIEF_USE_FILTERS: Final = "brief_use_filters"
BRIEF_AREAS: Final = "brief_areas"  # what shades the reference areas (None: outlines)

# Data page
DATA_KIND: Final = "data_kind"
DATA_UPLOAD: Final = "data_upload"
DATA_CRS: Final = "data_crs"
DATA_ENCODING: Final = "data_encoding"
DATA_SOURCE_LAYER: Final = "data_source_layer"
DATA_REPAIR: Final = "data_repair"
DATA_DROP_BAD_DATES: Final = "data_drop_bad_dates"
DATA_INSPECTION: Final = "data_inspection"  # the current upload's Inspection (not a widget)
DATA_INSPECTED: Final = "data_inspected"  # what the inspection was made from (not a widget)
DATA_LAYER_CHOICES: Final = "data_layer_choices"  # layers of a multi-layer file (not a widget)
DATA_ERROR: Final = "data_error"  # why the current file was refused (not a widget)
DATA_MAPPING: Final = "data_mapping"  # prefix of the mapping editor's widget keys
DATA_TITLE: Final = "data_title"
DATA_CLASSIFICATION: Final = "data_classification"
DATA_WHO: Final = "data_who"
DATA_SOURCE: Final = "data_source"
DATA_LICENCE: Final = "data_licence"
DATA_TARGET: Final = "data_target_layer"
DATA_SEPARATE: Final = "data_store_separate_layer"
DATA_STORE: Final = "data_store"
DATA_STORED: Final = "data_stored"  # message about the last layer stored (not a widget)
DATA_CATALOGUE_LAYER: Final = "data_catalogue_layer"
DATA_RETIRE: Final = "data_retire"
DATA_MAP: Final = "data_preview_map"
DATA_GRID_UPLOAD: Final = "data_grid_upload"
DATA_GRID_ROLES: Final = "data_grid_roles"
DATA_GRID_STORE: Final = "data_grid_store"
DATA_GRID_TARGET: Final = "data_grid_target"

# Basemaps (the choice in the map pages' sidebar, and the Basemaps page)
BASEMAP: Final = "basemap_choice"
BASEMAP_CHOSEN: Final = "basemap_chosen"  # the choice, kept across pages (not a widget)
BASEMAP_UPLOAD: Final = "basemap_upload"
BASEMAP_TITLE: Final = "basemap_title"
BASEMAP_MARKING: Final = "basemap_marking"
BASEMAP_ATTRIBUTION: Final = "basemap_attribution"
BASEMAP_ADD: Final = "basemap_add"
BASEMAP_MESSAGE: Final = "basemap_message"  # what the last add did (not a widget)
BASEMAP_SELECTED: Final = "basemap_selected"
BASEMAP_RETIRE: Final = "basemap_retire"

# Incidents page
INCIDENTS_IN_VIEW: Final = "incidents_in_view"
INCIDENTS_FREQ: Final = "incidents_freq"
INCIDENTS_BY: Final = "incidents_by"
INCIDENTS_RESOLUTION: Final = "incidents_resolution"
INCIDENTS_PERMUTATIONS: Final = "incidents_permutations"
INCIDENTS_RECENT: Final = "incidents_recent_days"
INCIDENTS_BASELINE: Final = "incidents_baseline_days"
INCIDENTS_CHANGE_PER: Final = "incidents_change_per"  # "h3" or an area layer id
INCIDENTS_TREND_CHART: Final = "incidents_trend_chart"
INCIDENTS_VICTIMS_CHART: Final = "incidents_victims_chart"
INCIDENTS_ACTORS_CHART: Final = "incidents_actors_chart"
INCIDENTS_MAP: Final = "incidents_hotspot_map"  # the hot-spot map's component value
INCIDENTS_CELL: Final = "incidents_cell"  # (resolution, h3) clicked on the hot-spot map
INCIDENTS_SEEN_CLICK: Final = "incidents_seen_click"  # the last map click acted on
INCIDENTS_PERMUTED: Final = "incidents_permuted"  # the filter states with a permutation run
INCIDENTS_RUN_PERMUTATIONS: Final = "incidents_run_permutations"
BRIEF_ANALYSES: Final = "brief_analyses"  # incident charts added to the PDF / PPTX
# Planned activities: incidents near each activity (context)
PLAN_CONTEXT_KM: Final = "plan_context_km"
PLAN_CONTEXT_DAYS: Final = "plan_context_days"
