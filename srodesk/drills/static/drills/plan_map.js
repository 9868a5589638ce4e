// Emergency plan maps: Leaflet with no tile layer (no internet at run time). A campus plan draws the
// school's GeoJSON boundary and the plan's features in longitude/latitude; a floor plan draws them on
// the uploaded image with L.CRS.Simple (x, y in image pixels from the bottom-left corner).
// The editor keeps the GeoJSON text box in step, so the form also works without JavaScript.
(function () {
  "use strict";
  var COLOURS = {
    route: "#b91c1c",
    assembly_area: "#15803d",
    waiting_area: "#1d4ed8",
    reunification_site: "#7e22ce",
    shelter_area: "#c2410c"
  };
  var LABELS = {
    route: "Evacuation route",
    assembly_area: "Assembly area",
    waiting_area: "Waiting area",
    reunification_site: "Reunification site",
    shelter_area: "Shelter area"
  };

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function style(feature) {
    var kind = (feature.properties || {}).kind;
    var colour = COLOURS[kind] || "#334155";
    return { color: colour, weight: kind === "route" ? 4 : 2, dashArray: kind === "route" ? "8 6" : null, fillOpacity: 0.25 };
  }

  function featureLayer(collection) {
    return L.geoJSON(collection, {
      style: style,
      pointToLayer: function (feature, latlng) {
        var s = style(feature);
        return L.circleMarker(latlng, { radius: 9, color: s.color, weight: 3, fillOpacity: 0.6 });
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        layer.bindTooltip((props.name || "") + " (" + (LABELS[props.kind] || props.kind || "") + ")");
      }
    });
  }

  // A map with no tiles: a campus (lat/lng) or a floor-plan image (pixels).
  function makeMap(element, kind, floorPlan) {
    var options = { attributionControl: false, zoomSnap: 0.25 };
    if (kind === "floor_plan") {
      options.crs = L.CRS.Simple;
      options.minZoom = -5;
    }
    var map = L.map(element, options);
    var state = { map: map, overlay: null, boundary: null, bounds: null };
    if (kind === "floor_plan" && floorPlan && floorPlan.url && floorPlan.width && floorPlan.height) {
      state.bounds = L.latLngBounds([[0, 0], [floorPlan.height, floorPlan.width]]);
      state.overlay = L.imageOverlay(floorPlan.url, state.bounds, { alt: "Floor plan" }).addTo(map);
    }
    return state;
  }

  function fit(state, layers) {
    var bounds = state.bounds ? L.latLngBounds(state.bounds.getSouthWest(), state.bounds.getNorthEast()) : null;
    layers.forEach(function (layer) {
      if (layer && layer.getBounds) {
        var b = layer.getBounds();
        if (b.isValid()) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }
      }
    });
    if (bounds && bounds.isValid()) {
      state.map.fitBounds(bounds, { padding: [12, 12], maxZoom: 19 });
    } else if (state.map.options.crs === L.CRS.Simple) {
      state.map.setView([0, 0], 0);
    } else {
      state.map.setView([39.8, -98.6], 4);
    }
  }

  function initView(element) {
    if (typeof L === "undefined") { return; }
    element.hidden = false;
    var kind = element.getAttribute("data-map-kind");
    var state = makeMap(element, kind, readJSON("plan-floor-plan"));
    var layers = [];
    var boundary = kind === "campus" ? readJSON("plan-boundary") : null;
    if (boundary) {
      layers.push(L.geoJSON(boundary, { style: { color: "#475569", weight: 2, fillOpacity: 0.05 } }).addTo(state.map));
    }
    var features = readJSON("plan-features");
    if (features) { layers.push(featureLayer(features).addTo(state.map)); }
    fit(state, layers);
  }

  function initEditor(editor) {
    if (typeof L === "undefined") { return; }
    var textarea = document.getElementById(editor.getAttribute("data-textarea"));
    if (!textarea) { return; }
    var form = textarea.form;
    var base = textarea.id;
    var boundaries = readJSON(base + "_boundaries") || {};
    var savedPlan = readJSON(base + "_floor_plan") || {};
    var kindSelect = form.querySelector("[name=map_kind]");
    var schoolSelect = form.querySelector("[name=school]");
    var fileInput = form.querySelector("[name=floor_plan]");
    var status = editor.querySelector("[data-editor-status]");
    var mapElement = editor.querySelector(".plan-map");
    var points = [];
    var state = null;
    var layers = { boundary: null, features: null, draft: null };
    var floorPlan = savedPlan.url ? savedPlan : null;

    editor.hidden = false;

    function say(text) { status.textContent = text; }

    function collection() {
      var text = textarea.value.trim();
      if (!text) { return { type: "FeatureCollection", features: [] }; }
      try {
        var value = JSON.parse(text);
        if (value && value.type === "FeatureCollection" && Array.isArray(value.features)) { return value; }
      } catch (e) { /* reported below */ }
      return null;
    }

    function write(value) { textarea.value = JSON.stringify(value, null, 1); }

    function drawDraft() {
      if (layers.draft) { state.map.removeLayer(layers.draft); }
      var latlngs = points.map(function (p) { return [p[1], p[0]]; });
      layers.draft = L.layerGroup(latlngs.map(function (ll) { return L.circleMarker(ll, { radius: 5, color: "#0f172a" }); }));
      if (latlngs.length > 1) { layers.draft.addLayer(L.polyline(latlngs, { color: "#0f172a", dashArray: "4 4" })); }
      layers.draft.addTo(state.map);
    }

    function redraw(refit) {
      if (layers.features) { state.map.removeLayer(layers.features); layers.features = null; }
      var value = collection();
      if (value === null) { say("The GeoJSON text is not valid: fix it or clear it to draw."); return; }
      layers.features = featureLayer(value).addTo(state.map);
      if (refit) { fit(state, [layers.boundary, layers.features]); }
    }

    function build() {
      if (state) { state.map.remove(); }
      var kind = kindSelect ? kindSelect.value : "campus";
      state = makeMap(mapElement, kind, kind === "floor_plan" ? floorPlan : null);
      layers = { boundary: null, features: null, draft: null };
      if (kind === "campus" && schoolSelect && boundaries[schoolSelect.value]) {
        layers.boundary = L.geoJSON(boundaries[schoolSelect.value], {
          style: { color: "#475569", weight: 2, fillOpacity: 0.05 }, interactive: false
        }).addTo(state.map);
      }
      if (kind === "floor_plan" && !floorPlan) { say("Choose the floor-plan image first, then click on it."); }
      state.map.on("click", function (event) {
        var ll = event.latlng;
        var point = state.map.options.crs === L.CRS.Simple
          ? [Math.round(ll.lng), Math.round(ll.lat)]
          : [Math.round(ll.lng * 1e6) / 1e6, Math.round(ll.lat * 1e6) / 1e6];
        points.push(point);
        drawDraft();
        say(points.length + " point" + (points.length === 1 ? "" : "s") + " placed. Click “Finish” when done.");
      });
      points = [];
      redraw(true);
    }

    editor.querySelector("[data-editor-finish]").addEventListener("click", function () {
      var kind = editor.querySelector("[data-editor-kind]").value;
      var nameInput = editor.querySelector("[data-editor-name]");
      var value = collection();
      if (value === null) { say("The GeoJSON text is not valid: fix it or clear it first."); return; }
      var geometry = null;
      if (kind === "route") {
        if (points.length < 2) { say("A route needs at least two points."); return; }
        geometry = { type: "LineString", coordinates: points.slice() };
      } else if (points.length === 1) {
        geometry = { type: "Point", coordinates: points[0] };
      } else if (points.length >= 3) {
        geometry = { type: "Polygon", coordinates: [points.concat([points[0]])] };
      } else {
        say("An area is one point, or three points and more."); return;
      }
      var name = nameInput.value.trim() || (LABELS[kind] + " " + (value.features.length + 1));
      value.features.push({ type: "Feature", properties: { kind: kind, name: name }, geometry: geometry });
      write(value);
      points = [];
      nameInput.value = "";
      drawDraft();
      redraw(false);
      say("Added “" + name + "”. Save the plan to keep it.");
    });
    editor.querySelector("[data-editor-undo]").addEventListener("click", function () {
      points.pop();
      drawDraft();
      say(points.length + " points placed.");
    });
    editor.querySelector("[data-editor-remove]").addEventListener("click", function () {
      var value = collection();
      if (!value || !value.features.length) { say("Nothing to remove."); return; }
      var removed = value.features.pop();
      write(value);
      redraw(false);
      say("Removed “" + ((removed.properties || {}).name || "the last feature") + "”.");
    });
    textarea.addEventListener("change", function () { redraw(true); });
    if (kindSelect) { kindSelect.addEventListener("change", build); }
    if (schoolSelect) { schoolSelect.addEventListener("change", build); }
    if (fileInput) {
      fileInput.addEventListener("change", function () {
        var file = fileInput.files && fileInput.files[0];
        if (!file) { return; }
        var url = URL.createObjectURL(file);
        var image = new Image();
        image.onload = function () {
          floorPlan = { url: url, width: image.naturalWidth, height: image.naturalHeight };
          if (kindSelect && kindSelect.value !== "floor_plan") { kindSelect.value = "floor_plan"; }
          build();
          say("Floor plan loaded (" + image.naturalWidth + " × " + image.naturalHeight + "). Click on it to add points.");
        };
        image.src = url;
      });
    }
    build();
  }

  function start() {
    document.querySelectorAll("[data-plan-view]").forEach(initView);
    document.querySelectorAll("[data-plan-editor]").forEach(initEditor);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  // A 422 re-render of the form (htmx) brings a new editor.
  document.addEventListener("htmx:afterSwap", function (event) {
    event.target.querySelectorAll("[data-plan-editor]").forEach(initEditor);
  });
})();
