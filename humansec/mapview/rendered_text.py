"""Keep what a map element has rendered as text, instead of compiling it as a new template.

branca (0.8.2, the latest) has ``MacroElement.render`` put the header, html and script each
element renders into ``Element(text)``, which compiles ``text`` as a Jinja template; the
figure then renders it once more. Two faults follow:

- **Template injection.** Any ``{{ ... }}`` or ``{% ... %}`` that reached an element's output
  from data (a feature's name in an uploaded shapefile, a layer's title) is evaluated on the
  server: ``{{ cycler.__init__.__globals__.os.system(...) }}`` would run a command. Escaping
  HTML does not touch braces.
- **Cost.** Compiling a data layer's 0.2-2 MB of JSON as a template (lexing it, then Python's
  ``compile`` of the generated code) costs more than writing it, on every map sent.

``install`` (called when ``humansec.mapview`` is imported, so before any humansec map is
rendered) replaces ``MacroElement.render`` with the same steps that keep the text as it is.
Every folium element that ends in ``MacroElement.render`` (feature groups, the layer control,
the draw control, image overlays and humansec's own elements) is covered. humansec uses no
element that needs the second pass (folium's ``GeoJson`` style mapper writes ``{{'name'}}``
for it; streamlit-folium resolves those itself).
"""

from __future__ import annotations

from branca.element import Element, Figure, MacroElement

_PARTS = ("header", "html", "script")


class RenderedText(Element):
    """Text an element has rendered, rendered again as it is (never a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()  # no template given: nothing is compiled
        self._name = "RenderedText"
        self.text = text

    def render(self, **kwargs: object) -> str:
        """Return the text unchanged."""
        return self.text


def _render_macro(self: MacroElement, **kwargs: object) -> None:
    """``MacroElement.render`` of branca 0.8.2, with the rendered parts kept as text."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        msg = f"{self._name} cannot be rendered outside a Figure: add it to a folium map first."
        raise TypeError(msg)
    macros = self._template.module.__dict__
    for part in _PARTS:
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RenderedText(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def install() -> None:
    """Make every ``MacroElement`` keep its rendered text as text (idempotent)."""
    MacroElement.render = _render_macro  # type: ignore[method-assign]
