from humansec.mapview.style import (
    KIND_STYLES,
    OKABE_ITO,
    legend_html,
    legend_symbol_svg,
    shape_points,
)
from humansec.model import VECTOR_KINDS, LayerKind


def test_every_kind_has_its_own_symbol_and_colour():
    assert set(KIND_STYLES) == set(LayerKind)
    # Grids are drawn as images with a ramp of their own, never with a kind's symbol: the
    # kinds drawn as features (eight, the colours of Okabe-Ito) must tell themselves apart.
    drawn = [style for kind, style in KIND_STYLES.items() if kind in VECTOR_KINDS]
    shapes = [style.shape for style in drawn]
    colours = [style.colour for style in drawn]
    assert len(set(shapes)) == len(shapes)
    assert len(set(colours)) == len(colours)
    assert set(colours) <= set(OKABE_ITO.values())


def test_polygon_symbols_stay_within_their_radius():
    for style in KIND_STYLES.values():
        points = shape_points(style.shape, style.radius)
        if points is None:
            continue
        assert max(max(abs(x), abs(y)) for x, y in points) <= style.radius


def test_movement_is_a_dashed_line():
    style = KIND_STYLES[LayerKind.HUMANITARIAN_MOVEMENT]
    assert style.shape == "line"
    assert style.path_options()["dashArray"]
    assert "stroke-dasharray" in legend_symbol_svg(style)


def test_legend_has_one_row_per_kind_without_namespace_urls():
    html = legend_html([LayerKind.INCIDENT, LayerKind.CULTURAL, LayerKind.INCIDENT])
    assert html.count('class="hs-legend-row"') == 2
    assert html.index("Incidents") < html.index("Cultural property")
    assert "http" not in html
