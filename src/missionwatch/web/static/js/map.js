/* The event map: offline country outlines + event markers coloured by type.
   Configuration comes from data- attributes on #map; all text is inserted with
   textContent (never innerHTML), because report-derived strings are hostile. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var colours = JSON.parse(el.dataset.colours || "{}");
  var map = L.map(el, { worldCopyJump: true, attributionControl: true }).setView([18.7, -72.6], 8);
  // The mission's theatre (west, south, east, north): the default view; events
  // elsewhere (a summit in New York) stay on the map, one zoom-out away.
  var theatre = JSON.parse(el.dataset.theatre || "null");
  var theatreBounds = theatre ? L.latLngBounds([theatre[1], theatre[0]], [theatre[3], theatre[2]]) : null;
  if (theatreBounds) { map.fitBounds(theatreBounds); }
  var tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map);
  }
  function outlines() {
    return fetch(el.dataset.outlines).then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, { interactive: false, renderer: L.canvas({ padding: 0.2 }),
        style: { color: "#6d7f91", weight: 1, fillColor: "#f4f1e8", fillOpacity: tileUrl ? 0 : 1 } }).addTo(map);
      el.dataset.outlinesLoaded = String((geo.features || []).length);
    });
  }
  function popup(props) {
    var box = document.createElement("div");
    box.className = "popup";
    var a = document.createElement("a");
    a.href = props.url;
    a.textContent = props.type + (props.date ? " · " + props.date : "");
    a.className = "popup-link";
    box.appendChild(a);
    if (props.place) { var p = document.createElement("div"); p.textContent = props.place; box.appendChild(p); }
    if (props.review) { var t = document.createElement("span"); t.className = "tag " + props.review; t.textContent = props.review; box.appendChild(t); }
    var q = document.createElement("div");
    q.className = "muted";
    q.textContent = "“" + (props.evidence || "").slice(0, 160) + "”";
    box.appendChild(q);
    return box;
  }
  function events() {
    return fetch(el.dataset.events, { headers: { "Accept": "application/geo+json" } })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        var layer = L.geoJSON(geo, {
          pointToLayer: function (feature, latlng) {
            var colour = colours[feature.properties.type] || "#444";
            return L.circleMarker(latlng, { radius: 8, color: "#222", weight: 1, fillColor: colour, fillOpacity: 0.9 });
          },
          onEachFeature: function (feature, layer) {
            layer.options.className = "event-marker";
            layer.bindPopup(popup(feature.properties));
            layer.on("add", function () {
              var path = layer.getElement && layer.getElement();
              if (path) {
                path.setAttribute("data-event-id", feature.properties.id);
                path.setAttribute("data-event-type", feature.properties.type);
                path.classList.add("event-marker");
              }
            });
          }
        }).addTo(map);
        var inside = L.latLngBounds([]);
        layer.eachLayer(function (m) {
          if (!theatreBounds || theatreBounds.contains(m.getLatLng())) { inside.extend(m.getLatLng()); }
        });
        if (inside.isValid()) { map.fitBounds(inside.pad(0.5), { maxZoom: 11 }); }
        el.dataset.loaded = String((geo.features || []).length);
      });
  }
  outlines().catch(function () {}).then(events).catch(function (err) { el.dataset.error = String(err); });
})();
