"""The small piece of JavaScript and CSS every humansec map carries (inlined, no request).

``L.HumansecMarker`` draws the point symbols of ``style.py`` (circle, dot, square, diamond,
cross, triangle) on Leaflet's canvas (or SVG) renderer: one cheap path per feature, no DOM
element per point. ``L.Humansec.layer`` turns a compact GeoJSON FeatureCollection plus one
style per layer into Leaflet layers, clusters points when asked, and binds popups and tooltips
lazily from properties that Python has already escaped (``t``: tooltip, ``v``: field values
in the order of ``meta.fields``). Nothing here inserts unescaped data into HTML.
"""

from __future__ import annotations

RUNTIME_JS = r"""
(function () {
  if (typeof L === "undefined" || L.Humansec) { return; }
  function vertices(shape, x, y, r) {
    var s, a, b;
    if (shape === "square") { s = r * 0.85; return [[x-s,y-s],[x+s,y-s],[x+s,y+s],[x-s,y+s]]; }
    if (shape === "diamond") { return [[x,y-r],[x+r,y],[x,y+r],[x-r,y]]; }
    if (shape === "triangle") { return [[x,y-r],[x+r*0.9,y+r*0.7],[x-r*0.9,y+r*0.7]]; }
    if (shape === "cross") {
      a = r; b = r / 3;
      return [[x-b,y-a],[x+b,y-a],[x+b,y-b],[x+a,y-b],[x+a,y+b],[x+b,y+b],
              [x+b,y+a],[x-b,y+a],[x-b,y+b],[x-a,y+b],[x-a,y-b],[x-b,y-b]];
    }
    return null;
  }
  L.Canvas.include({
    _updateHumansecShape: function (layer, pts) {
      if (!this._drawing || layer._empty()) { return; }
      var ctx = this._ctx, i;
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (i = 1; i < pts.length; i++) { ctx.lineTo(pts[i][0], pts[i][1]); }
      ctx.closePath();
      this._fillStroke(ctx, layer);
    }
  });
  L.SVG.include({
    _updateHumansecShape: function (layer, pts) {
      var d = layer._empty() ? "M0 0" :
        "M" + pts.map(function (q) { return q[0] + "," + q[1]; }).join("L") + "z";
      this._setPath(layer, d);
    }
  });
  L.HumansecMarker = L.CircleMarker.extend({
    options: { shape: "circle" },
    _updatePath: function () {
      var p = this._point, pts = p && vertices(this.options.shape, p.x, p.y, this._radius);
      if (pts) { this._renderer._updateHumansecShape(this, pts); }
      else { this._renderer._updateCircle(this); }
    }
  });
  // Hexagons and heat maps go below the individual features (overlayPane is at 400).
  function aggregatePane(map) {
    var pane = map.getPane("hsAggregate");
    if (!pane) { pane = map.createPane("hsAggregate"); pane.style.zIndex = 350; }
    return pane;
  }
  function props(layer) { return (layer && layer.feature && layer.feature.properties) || {}; }
  L.Humansec = {
    popup: function (meta) {
      return function (layer) {
        var p = props(layer), v = p.v || [], html = "", i;
        html += '<div class="hs-title">' + meta.title + "</div>";
        html += '<table class="hs-fields">';
        for (i = 0; i < meta.fields.length; i++) {
          if (v[i] !== undefined && v[i] !== null && v[i] !== "") {
            html += "<tr><th>" + meta.fields[i] + "</th><td>" + v[i] + "</td></tr>";
          }
        }
        html += "</table>";
        if (meta.note) { html += '<div class="hs-note">' + meta.note + "</div>"; }
        var el = document.createElement("div");
        el.className = "hs-popup";
        el.innerHTML = html;
        return el;
      };
    },
    tooltip: function (layer) {
      var el = document.createElement("span");
      el.innerHTML = props(layer).t || "";
      return el;
    },
    clusterIcon: function (colour) {
      return function (cluster) {
        var n = cluster.getChildCount(), size = n < 100 ? 30 : (n < 1000 ? 36 : 44);
        var el = document.createElement("div");
        el.style.background = colour;
        el.appendChild(document.createElement("span")).textContent = String(n);
        return L.divIcon({ html: el, className: "marker-cluster hs-cluster",
                           iconSize: L.point(size, size) });
      };
    },
    layer: function (data, meta) {
      var points = [], others = [], group = L.featureGroup(), i, f, layer, p;
      var options = L.extend({}, meta.path, {
        pointToLayer: function (feature, latlng) {
          return new L.HumansecMarker(latlng, meta.point);
        }
      });
      if (meta.aggregate) {
        options.renderer = L.canvas({ pane: "hsAggregate", padding: 0.5 });
        group.beforeAdd = function (map) { aggregatePane(map); };
      }
      for (i = 0; i < data.features.length; i++) {
        f = data.features[i];
        layer = L.GeoJSON.geometryToLayer(f, options);
        layer.feature = f;
        p = f.properties || {};
        if (p.fo !== undefined && layer.setStyle) { layer.setStyle({ fillOpacity: p.fo }); }
        if (layer instanceof L.CircleMarker) { points.push(layer); } else { others.push(layer); }
      }
      if (meta.cluster && points.length) {
        var cluster = L.markerClusterGroup({
          chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50,
          iconCreateFunction: L.Humansec.clusterIcon(meta.point.fillColor)
        });
        cluster.addLayers(points);
        group.addLayer(cluster);
      } else {
        for (i = 0; i < points.length; i++) { group.addLayer(points[i]); }
      }
      for (i = 0; i < others.length; i++) { group.addLayer(others[i]); }
      group.bindPopup(L.Humansec.popup(meta), { maxWidth: 360 });
      group.bindTooltip(L.Humansec.tooltip, { sticky: true });
      return group;
    },
    heat: function (points, options) {
      var layer = L.heatLayer(points, options), onAdd = layer.onAdd, onRemove = layer.onRemove;
      layer.onAdd = function (map) {
        onAdd.call(this, map);
        aggregatePane(map).appendChild(this._canvas);
      };
      layer.onRemove = function (map) {
        map.getPanes().overlayPane.appendChild(this._canvas);
        onRemove.call(this, map);
      };
      return layer;
    },
    basemap: function (map, url, style) {
      var pane = map.getPane("hsBasemap") || map.createPane("hsBasemap");
      pane.style.zIndex = 150;
      pane.style.pointerEvents = "none";
      var layer = L.geoJSON(null, {
        style: style, interactive: false,
        renderer: L.canvas({ pane: "hsBasemap", padding: 0.5 })
      }).addTo(map);
      fetch(url).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (geojson) { layer.addData(geojson); }).catch(function (error) {
        console.warn("humansec: the countries basemap could not be loaded from " + url +
                     " (" + error + "); run `make setup`.");
      });
      return layer;
    },
    legend: function (html, position) {
      var control = L.control({ position: position });
      control.onAdd = function () {
        var div = L.DomUtil.create("div", "hs-legend leaflet-control");
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        return div;
      };
      return control;
    }
  };
})();
"""

RUNTIME_CSS = """
.leaflet-container { background: #cfdde6; }
.hs-legend { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.4 sans-serif; color: #222; }
.hs-legend-title { font-weight: bold; margin-bottom: 2px; }
.hs-legend-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.hs-popup .hs-title { font-weight: bold; margin-bottom: 4px; }
.hs-popup table.hs-fields { border-collapse: collapse; font-size: 12px; }
.hs-popup table.hs-fields th { text-align: left; padding: 1px 8px 1px 0; color: #555;
  font-weight: normal; vertical-align: top; }
.hs-popup table.hs-fields td { padding: 1px 0; overflow-wrap: anywhere; }
.hs-popup .hs-note { margin-top: 4px; color: #555; font-style: italic; }
.marker-cluster.hs-cluster { background: rgba(255,255,255,0.6); border-radius: 50%; }
.marker-cluster.hs-cluster div { width: calc(100% - 8px); height: calc(100% - 8px);
  margin: 4px; border-radius: 50%; display: flex; align-items: center;
  justify-content: center; color: #fff; font: bold 12px sans-serif;
  text-shadow: 0 0 2px #000; }
"""
