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
    if (shape === "triangle_down") { return [[x,y+r],[x+r*0.9,y-r*0.7],[x-r*0.9,y-r*0.7]]; }
    if (shape === "pentagon") {
      return [0, 1, 2, 3, 4].map(function (i) {
        var t = 2 * Math.PI * i / 5; return [x + r * Math.sin(t), y - r * Math.cos(t)];
      });
    }
    if (shape === "x") {
      a = r * 0.8; b = r * 0.3;
      return [[x-a,y-a+b],[x-a+b,y-a],[x,y-b],[x+a-b,y-a],[x+a,y-a+b],[x+b,y],
              [x+a,y+a-b],[x+a-b,y+a],[x,y+b],[x-a+b,y+a],[x-a,y+a-b],[x-b,y]];
    }
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
  // Panes, bottom to top: countries 150, tiles 200, features 400 (one canvas: hexagons, then
  // areas, then lines, then points; see `order`), heat map 450 (takes no clicks), APP-6
  // symbols 600 (markerPane), place names 620 (take no clicks), tooltips 650, popups 700.
  function makePane(map, name, z, clickThrough) {
    var pane = map.getPane(name);
    if (!pane) {
      pane = map.createPane(name); pane.style.zIndex = z;
      if (clickThrough) { pane.style.pointerEvents = "none"; }
    }
    return pane;
  }
  // Hexagons and hot-spot cells are drawn on the features' own canvas, below the areas (see
  // ``rank``). A canvas takes every click over it and gives none to the canvases below: with
  // a canvas of their own under the features' one, no hexagon could be clicked at all.
  // A cell whose click filters (``meta.clickThrough``: the Incidents page's hot-spot cells)
  // opens its popup without stopping the click, so that the map's own click, which
  // streamlit-folium reports and the page filters by, still comes. Leaflet's bindPopup stops
  // it, as every other layer should: the rerun that click starts would close the popup.
  function popupKeepingClick(group) {
    group.off("click", group._openPopup, group);
    group.on("click", function (e) {
      if (!group._popup || !group._map) { return; }
      group._popup._source = e.layer || e.target;
      group.openPopup(e.latlng);
    });
  }
  function props(layer) { return (layer && layer.feature && layer.feature.properties) || {}; }
  // Leaflet's canvas gives a click to the last-drawn feature under the mouse. Redraw in the
  // order hexagons, areas, lines, points, so a town on a power line is drawn, and clicked,
  // on top, and a hexagon takes the clicks that hit nothing else.
  function rank(layer) {
    if (layer.options.hsAggregate) { return 0; }
    if (layer instanceof L.CircleMarker) { return 3; }
    if (layer instanceof L.Polygon) { return 1; }
    return 2;
  }
  function order(map) {
    var byRank = [[], [], [], []], id, layer, i, j;
    map._hsOrderPending = false;
    for (id in map._layers) {
      layer = map._layers[id];
      if (layer instanceof L.Path && layer._renderer instanceof L.Canvas && layer._map) {
        byRank[rank(layer)].push(layer);
      }
    }
    for (i = 0; i < byRank.length; i++) {
      for (j = 0; j < byRank[i].length; j++) { byRank[i][j].bringToFront(); }
    }
  }
  function keepOrder(map) {
    if (map._hsOrdered) { return; }
    map._hsOrdered = true;
    map.on("layeradd", function () {
      if (map._hsOrderPending) { return; }
      map._hsOrderPending = true;
      setTimeout(function () { order(map); }, 0);
    });
  }
  // On the live map (its basemap draws light countries first) what only helps to read the
  // map, the place names and the MGRS grid, is drawn once the first view has painted, like
  // milsymbol and the detailed countries: see ``L.Humansec.afterPaint``. Products draw all
  // at once (their ready signal waits for the basemap, then fits the names).
  var deferring = false;
  var icons = {};
  // milsymbol (0.86 MB) is not among the live map's scripts: ``lazySymbols`` loads it once the
  // map has painted, and the activity markers and legend symbols drawn before it came get
  // theirs then. Exports inline it, so there ``ms`` is there from the start.
  var waiting = [], symbolsAllowed = false, symbolsLoading = false;
  function symbolsArrived() {
    var i, w, icon;
    for (i = 0; i < waiting.length; i++) {
      w = waiting[i]; icon = milIcon(w.sidc, w.fill, w.size);
      if (icon) { w.marker.setIcon(icon); }
    }
    waiting = [];
    L.Humansec.drawSymbols(document);
  }
  // Whether this browser unpacks a gzipped copy (``packed``: its suffix) of what it fetches.
  function unpacks(packed) {
    return Boolean(packed && window.DecompressionStream && window.Response && window.fetch);
  }
  function unpacked(response) {
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    return new Response(response.body.pipeThrough(new DecompressionStream("gzip")));
  }
  function requestSymbols() {
    var url = L.Humansec.symbolsUrl, packed = L.Humansec.symbolsPacked, script;
    if (typeof ms !== "undefined" || symbolsLoading || !symbolsAllowed || !url) { return; }
    symbolsLoading = true;
    function failed(error) {
      console.warn("humansec: milsymbol could not be loaded from " + url + " (" + error +
                   "); run `make setup`.");
    }
    function byTag() {
      script = document.createElement("script");
      script.src = url;
      script.onload = symbolsArrived;
      script.onerror = failed;
      document.head.appendChild(script);
    }
    if (!unpacks(packed)) { byTag(); return; }
    // The gzipped copy, else (assets built before it existed) the plain file.
    fetch(url + packed).then(unpacked).then(function (response) {
      return response.text();
    }).then(function (code) {
      script = document.createElement("script");
      script.text = code;
      document.head.appendChild(script);  // runs it at once: ``ms`` is there now
      symbolsArrived();
    }, byTag);
  }
  // Until milsymbol is there: a dot in the status colour where the symbol will be.
  function pendingIcon(fill, size) {
    var el = document.createElement("div");
    el.className = "hs-milsymbol-pending";
    el.style.background = fill;
    return L.divIcon({ html: el, className: "hs-milsymbol-wait", iconSize: [size, size] });
  }
  // An APP-6 / MIL-STD-2525 symbol drawn by milsymbol (vendored), as a Leaflet icon.
  function milIcon(sidc, fill, size) {
    var key = sidc + "|" + fill + "|" + size, symbol, anchor, box;
    if (icons[key]) { return icons[key]; }
    if (typeof ms === "undefined") { return null; }
    symbol = new ms.Symbol(sidc, { size: size, fillColor: fill, fillOpacity: 1,
                                   outlineWidth: 2, outlineColor: "#ffffff" });
    anchor = symbol.getAnchor(); box = symbol.getSize();
    icons[key] = L.icon({ iconUrl: symbol.toDataURL(), iconSize: [box.width, box.height],
                          iconAnchor: [anchor.x, anchor.y], className: "hs-milsymbol" });
    return icons[key];
  }
  L.Humansec = {
    popup: function (meta) {
      return function (layer) {
        var p = props(layer), v = p.v || [], html = "", i;
        html += '<div class="hs-title">' + (p.t || meta.title) + "</div>";
        if (p.t && meta.title) { html += '<div class="hs-kind">' + meta.title + "</div>"; }
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
      var points = [], others = [], symbols = [], group = L.featureGroup(), i, f, layer, p;
      group.hsKind = meta.kind;
      var mil = meta.milsymbol, icon;
      var options = L.extend({}, meta.path, {
        pointToLayer: function (feature, latlng) {
          var s = (feature.properties || {}).s;
          var style = meta.styles && s !== undefined ? meta.styles[s] : meta.point;
          return new L.HumansecMarker(latlng, style);
        }
      });
      if (meta.aggregate) { options.hsAggregate = true; }
      for (i = 0; i < data.features.length; i++) {
        f = data.features[i];
        layer = L.GeoJSON.geometryToLayer(f, options);
        layer.feature = f;
        p = f.properties || {};
        if (p.fo !== undefined && layer.setStyle) { layer.setStyle({ fillOpacity: p.fo }); }
        if (mil && p.sidc) {
          // The activity itself is the APP-6 symbol (at a point inside a route or area,
          // which is still drawn in the status colour).
          icon = milIcon(p.sidc, mil.fill, mil.size);
          var at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
          var marker = L.marker(at, {
            icon: icon || pendingIcon(mil.fill, mil.size), keyboard: false });
          marker.feature = f;
          symbols.push(marker);
          if (!icon) {
            waiting.push({ marker: marker, sidc: p.sidc, fill: mil.fill, size: mil.size });
            requestSymbols();
          }
          if (layer instanceof L.CircleMarker) { continue; }
        }
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
      for (i = 0; i < symbols.length; i++) { group.addLayer(symbols[i]); }
      group.on("add", function () {
        if (group._map) { keepOrder(group._map); order(group._map); }
      });
      group.bindPopup(L.Humansec.popup(meta), { maxWidth: 360 });
      if (meta.clickThrough) { popupKeepingClick(group); }
      group.bindTooltip(L.Humansec.tooltip, { sticky: true });
      return group;
    },
    heat: function (points, options) {
      var layer = L.heatLayer(points, options), onAdd = layer.onAdd, onRemove = layer.onRemove;
      layer.onAdd = function (map) {
        onAdd.call(this, map);
        makePane(map, "hsHeat", 450, true).appendChild(this._canvas);
      };
      layer.onRemove = function (map) {
        map.getPanes().overlayPane.appendChild(this._canvas);
        onRemove.call(this, map);
      };
      return layer;
    },
    // The countries from ``url``; with ``coarseUrl`` (the live map) a light version first,
    // then the detailed one in its place once the first view has painted. With ``packed`` (the
    // live map: a suffix) each file's gzipped copy (the URL + ``packed``), unpacked here, where
    // the browser can: the server sends it as it is, instead of gzipping the file anew on its
    // event loop for every browser (the assets build writes both).
    basemap: function (map, url, style, coarseUrl, packed) {
      var pane = map.getPane("hsBasemap") || map.createPane("hsBasemap");
      pane.style.zIndex = 150;
      pane.style.pointerEvents = "none";
      var renderer = L.canvas({ pane: "hsBasemap", padding: 0.5 });
      function make() {
        return L.geoJSON(null, { style: style, interactive: false, renderer: renderer });
      }
      // The live map's bundle asks for the light countries as soon as it runs (its last
      // lines, written when the assets are built): that response, once, else a request now.
      function request(from) {
        var asked = window.hsPrefetched, key = from, pending;
        try { key = new URL(from, document.baseURI).href; } catch (error) { key = from; }
        pending = asked && asked[key];
        if (pending) { delete asked[key]; return pending; }
        return fetch(from);
      }
      function load(plain) {
        var unpack = unpacks(packed);
        var from = unpack ? plain + packed : plain;
        return request(from).then(function (response) {
          if (unpack) { return unpacked(response).json(); }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        }).catch(function (error) {
          console.warn("humansec: the countries basemap could not be loaded from " + from +
                       " (" + error + "); run `make setup`.");
          return null;
        });
      }
      var layer = make().addTo(map);
      if (coarseUrl) { deferring = true; }
      // Settled (either way) once the countries are on the map: see first_view.py.
      map._hsBasemapLoaded = load(coarseUrl || url).then(function (geojson) {
        if (geojson) { layer.addData(geojson); }
      });
      // What waits for the first view (milsymbol, the detailed countries) starts a moment
      // after it has painted, when the page is idle (at most 2 s later), not in its frame.
      map._hsPainted = map._hsBasemapLoaded.then(function () {
        return new Promise(function (resolve) {
          requestAnimationFrame(function () {
            setTimeout(function () {
              if (coarseUrl && window.requestIdleCallback) {
                window.requestIdleCallback(resolve, { timeout: 2000 });
              } else { resolve(); }
            }, coarseUrl ? 300 : 0);
          });
        });
      });
      map._hsBasemapSettled = !coarseUrl ? map._hsPainted : map._hsPainted.then(function () {
        return load(url);
      }).then(function (geojson) {
        if (!geojson) { return; }
        var detail = make().addData(geojson).addTo(map);
        map.removeLayer(layer);
        map._hsBasemap = detail;
      });
      return layer;
    },
    // Run ``draw`` once ``layer`` (a group, not yet on the map) is on a map whose first view
    // has painted (``map._hsPainted``); at once where nothing is deferred (products). A
    // group taken off the map before then is drawn into all the same (and not shown).
    afterPaint: function (layer, draw) {
      if (!deferring) { draw(); return; }
      function when(map) { Promise.resolve(map && map._hsPainted).then(draw, draw); }
      if (layer._map) { when(layer._map); return; }
      layer.once("add", function () { when(layer._map); });
    },
    // The live map's milsymbol: loaded from ``url`` once the map has painted, if anything on
    // the page shows a symbol by then (else when the first one is asked for); with ``packed``
    // (a suffix) its gzipped copy where the browser can unpack it, as the countries.
    lazySymbols: function (map, url, packed) {
      L.Humansec.symbolsUrl = url;
      L.Humansec.symbolsPacked = packed;
      function allow() {
        symbolsAllowed = true;
        if (waiting.length || document.querySelector(".hs-ms:not([data-drawn])")) {
          requestSymbols();
        }
      }
      Promise.resolve(map._hsPainted).then(allow, allow);
    },
    // `overlay`: the layer-control name of the layer the legend explains, if any: the legend
    // is hidden while that layer is switched off (the layer may arrive after the legend, as a
    // dynamic group, so this follows the control's events rather than the layer object).
    legend: function (html, position, overlay) {
      var control = L.control({ position: position });
      control.onAdd = function (map) {
        var div = L.DomUtil.create("div", "hs-legend leaflet-control");
        div.innerHTML = html;
        L.Humansec.drawSymbols(div);
        L.DomEvent.disableClickPropagation(div);
        // Its title folds it away (and back): stacked legends must not hide the map.
        var title = div.querySelector(".hs-legend-title");
        if (title) {
          title.setAttribute("role", "button");
          title.setAttribute("tabindex", "0");
          title.setAttribute("aria-expanded", "true");
          title.title = "Fold or unfold this legend";
          var fold = function (e) {
            if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") { return; }
            L.DomEvent.preventDefault(e);
            var folded = L.DomUtil.hasClass(div, "hs-legend-folded");
            (folded ? L.DomUtil.removeClass : L.DomUtil.addClass)(div, "hs-legend-folded");
            title.setAttribute("aria-expanded", folded ? "true" : "false");
          };
          L.DomEvent.on(title, "click keydown", fold);
        }
        if (overlay) {
          map.on("overlayadd overlayremove", function (e) {
            if (e.name === overlay) {
              div.style.display = e.type === "overlayadd" ? "" : "none";
            }
          });
        }
        return div;
      };
      return control;
    },
    // Legend symbols from milsymbol (``<span class="hs-ms" data-sidc data-fill>``, written
    // by symbols.py from humansec's own tables) inside `root`, each drawn once.
    drawSymbols: function (root) {
      if (!root.querySelectorAll) { return; }
      if (typeof ms === "undefined") {
        if (root.querySelector(".hs-ms")) { requestSymbols(); }
        return;
      }
      Array.prototype.forEach.call(root.querySelectorAll(".hs-ms"), function (el) {
        if (el.getAttribute("data-drawn")) { return; }
        var symbol = new ms.Symbol(el.getAttribute("data-sidc"), {
          size: 11, fillColor: el.getAttribute("data-fill"), fillOpacity: 1 });
        var img = document.createElement("img");
        img.src = symbol.toDataURL(); img.alt = "";
        el.appendChild(img);
        el.setAttribute("data-drawn", "1");
      });
    },
    // Place names chosen on the server (labels.py): [lat, lon, escaped text, size class,
    // dot, width, height]. Plain text with a halo; they take no click and no keyboard focus.
    // With ``view.fit`` the browser declutters them again at every zoom and pan (fitLabels).
    labels: function (rows, view) {
      var group = L.layerGroup(), i, r, html, pending = null;
      // Once for a burst of events (a layer added draws many markers and controls change).
      function refit(e) {
        var map = e.target;
        if (pending === null) {
          pending = setTimeout(function () { pending = null; L.Humansec.fitLabels(map); }, 30);
        }
      }
      group.beforeAdd = function (map) {
        var pane = makePane(map, "hsLabels", 620, true);
        map._hsLabelView = view;
        // Names to fit are hidden until fitted (fitLabels shows them): never a flash of
        // unfitted, overlapping names.
        if (view && view.fit) { pane.style.visibility = "hidden"; }
      };
      if (view && view.fit) {
        group.onAdd = function (map) {
          L.LayerGroup.prototype.onAdd.call(this, map);
          map.on("zoomend moveend resize layeradd layerremove", refit);
          L.Humansec.fitLabels(map);
        };
        group.onRemove = function (map) {
          map.off("zoomend moveend resize layeradd layerremove", refit);
          L.LayerGroup.prototype.onRemove.call(this, map);
        };
      }
      for (i = 0; i < rows.length; i++) {
        r = rows[i];
        html = '<span class="hs-label-text">' + r[2] + "</span>";
        group.addLayer(L.marker([r[0], r[1]], {
          pane: "hsLabels", interactive: false, keyboard: false,
          icon: L.divIcon({
            className: "hs-label hs-label-" + r[3] + (r[4] ? " hs-label-dot" : ""),
            html: html, iconSize: [r[5], r[6]], iconAnchor: [4, r[6] / 2]
          })
        }));
      }
      return group;
    },
    // Hide every place name that is not wholly inside the map, overlaps a name kept before it
    // (they come largest place first) or a control (legend, scale, attribution, grid labels,
    // a product's north arrow), measured as drawn: never two names on top of each other.
    fitLabels: function (map) {
      var pane = map.getPane("hsLabels"), box, obstacles = [], kept = [], icons, shown = 0;
      box = map.getContainer().getBoundingClientRect();
      if (!pane) { return 0; }
      if (box.width < 1 || box.height < 1) {  // not laid out yet: fitted at the next event
        pane.style.visibility = "hidden";
        return 0;
      }
      icons = Array.prototype.slice.call(pane.querySelectorAll(".hs-label"));
      icons.forEach(function (icon) { icon.style.visibility = ""; });
      Array.prototype.forEach.call(document.querySelectorAll(
        ".leaflet-control, .hsx-grid-label, .hsx-north"), function (el) {
        var b = el.getBoundingClientRect();
        if (b.width > 0 && b.height > 0) { obstacles.push(b); }
      });
      function hit(a, b) {
        return a.left < b.right + 2 && b.left < a.right + 2
          && a.top < b.bottom + 2 && b.top < a.bottom + 2;
      }
      icons.map(function (icon) {
        var t = icon.querySelector(".hs-label-text").getBoundingClientRect();
        var d = icon.getBoundingClientRect();
        return { icon: icon, left: Math.min(t.left, d.left), top: Math.min(t.top, d.top),
                 right: Math.max(t.right, d.left + 6), bottom: Math.max(t.bottom, d.bottom) };
      }).forEach(function (r) {
        var inside = r.left >= box.left && r.right <= box.right && r.top >= box.top
          && r.bottom <= box.bottom;
        if (inside && !obstacles.some(function (b) { return hit(r, b); })
            && !kept.some(function (b) { return hit(r, b); })) {
          kept.push(r); shown += 1;
        } else {
          r.icon.style.visibility = "hidden";
        }
      });
      map._hsLabelsShown = shown; map._hsLabelsFitZoom = map.getZoom();
      pane.style.visibility = "";
      return shown;
    }
  };
  // A product's legend beside the map (export) is in the page already.
  L.Humansec.drawSymbols(document);
})();
"""

RUNTIME_CSS = """
.leaflet-container { background: #cfdde6; }
.hs-legend { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.4 sans-serif; color: #222; }
.hs-legend-title { font-weight: bold; margin-bottom: 2px; }
.leaflet-control.hs-legend > .hs-legend-title:first-child { cursor: pointer; }
.leaflet-control.hs-legend > .hs-legend-title:first-child::after { content: " \\25BE"; }
.leaflet-control.hs-legend.hs-legend-folded > .hs-legend-title:first-child::after {
  content: " \\25B8"; }
.leaflet-control.hs-legend.hs-legend-folded > :not(.hs-legend-title:first-child) {
  display: none; }
.hs-legend-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.hs-legend-sub { font-weight: bold; margin: 4px 0 1px; }
.hs-legend-row .hs-ms { display: inline-flex; width: 18px; justify-content: center; }
.hs-legend-row .hs-ms img { max-width: 18px; max-height: 16px; }
.hs-milsymbol-wait { background: none; border: none; }
.hs-milsymbol-pending { width: 60%; height: 60%; margin: 20%; border-radius: 50%;
  border: 2px solid #fff; box-sizing: border-box; box-shadow: 0 0 2px rgba(0,0,0,0.6); }
.hs-ramp { height: 10px; width: 120px; border: 1px solid #888; }
.hs-ramp-ends { display: flex; justify-content: space-between; width: 122px; font-size: 11px; }
.hs-popup .hs-title { font-weight: bold; font-size: 14px; }
.hs-popup .hs-kind { color: #555; margin-bottom: 4px; }
.hs-label { pointer-events: none; background: none; border: none; }
.hs-label-text { position: absolute; left: 8px; top: 50%; transform: translateY(-50%);
  white-space: nowrap; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  color: #1a1a1a; line-height: 1.2;
  text-shadow: -1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff,
    0 0 3px #fff, 0 0 3px #fff; }
.hs-label-dot::before { content: ""; position: absolute; left: 1px; top: 50%;
  width: 5px; height: 5px; margin-top: -3px; border-radius: 50%; background: #1a1a1a;
  border: 1px solid #fff; }
.hs-label-xl .hs-label-text { font-size: 15px; font-weight: bold; }
.hs-label-l .hs-label-text { font-size: 13px; font-weight: bold; }
.hs-label-m .hs-label-text { font-size: 12px; }
.hs-label-s .hs-label-text { font-size: 11px; color: #333; }
.leaflet-pane.leaflet-hsHeat-pane { opacity: 0.85; }
@media print {
  /* A PDF would write each shadow as text again: a plain backing box instead of a halo. */
  .hs-label-text { text-shadow: none; background: rgba(255,255,255,0.8); border-radius: 2px;
    padding: 0 1px; }
}
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
