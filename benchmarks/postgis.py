"""A throwaway PostGIS server: see ``humansec.store.pgcluster`` (shared with the tests)."""

from __future__ import annotations

from humansec.store.pgcluster import PG_USER, PostGIS, ensure_postgis

__all__ = ["PG_USER", "PostGIS", "ensure_postgis"]
