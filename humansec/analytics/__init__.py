"""Incidents as an analysis: trends, victims by sex and age, who, hot spots and change.

Pure functions over incident GeoDataFrames in EPSG:4326 (the humansec incident schema); the
app layer caches them. Nothing here imports streamlit.
"""

from humansec.analytics._common import NOT_GIVEN, CellTable, cells_of
from humansec.analytics.actors import actors, in_actors_selection
from humansec.analytics.areas import AREA_CHANGE_COLUMNS, area_change, area_of
from humansec.analytics.change import CHANGE_COLUMNS, change
from humansec.analytics.context import context_table, incidents_near
from humansec.analytics.hotspots import CLASSES, HOTSPOT_COLUMNS, hotspots
from humansec.analytics.places import nearest_place
from humansec.analytics.select import select
from humansec.analytics.trend import BYS, FREQS, in_trend_selection, trend
from humansec.analytics.victims import VictimSummary, in_victims_selection, victims

__all__ = [
    "AREA_CHANGE_COLUMNS",
    "BYS",
    "CHANGE_COLUMNS",
    "CLASSES",
    "FREQS",
    "HOTSPOT_COLUMNS",
    "NOT_GIVEN",
    "CellTable",
    "VictimSummary",
    "actors",
    "area_change",
    "area_of",
    "cells_of",
    "change",
    "context_table",
    "hotspots",
    "in_actors_selection",
    "in_trend_selection",
    "in_victims_selection",
    "incidents_near",
    "nearest_place",
    "select",
    "trend",
    "victims",
]
