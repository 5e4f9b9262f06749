// Veerkracht-signaleringskaart: plain JavaScript, no libraries, no network.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg"; // a namespace name, not a web address that is fetched
  var DATA = JSON.parse(document.getElementById("kaartdata").textContent);
  var NF1 = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 1 });
  var svg = document.getElementById("kaart");
  var group = document.getElementById("buurten");
  var selectionGroup = document.getElementById("selectie");
  var tooltip = document.getElementById("tooltip");
  var select = document.getElementById("laag");
  var search = document.getElementById("zoek");
  var paths = [];
  var current = 0;
  var selected = -1;
  var full = DATA.viewBox.slice();
  var view = full.slice();

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(v) { return v === null || v === undefined ? "–" : NF1.format(v); }

  // ------------------------------------------------------------------ map
  function setView(v) {
    view = v;
    svg.setAttribute("viewBox", v.join(" "));
  }
  DATA.features.forEach(function (f, i) {
    var p = document.createElementNS(SVGNS, "path");
    p.setAttribute("d", f.d);
    p.setAttribute("data-code", f.c);
    p.setAttribute("data-i", i);
    p.setAttribute("aria-label", f.n);
    group.appendChild(p);
    paths.push(p);
  });
  // own data: magenta diamonds above the buurten (pointer events pass to the buurten)
  var eigen = document.createElementNS(SVGNS, "g");
  eigen.setAttribute("id", "eigen");
  eigen.setAttribute("pointer-events", "none");
  (DATA.overlays || []).forEach(function (o) {
    o.points.forEach(function (pt) {
      var r = Math.max(full[2] / 400, 1) * (2 + 4 * pt[2]);
      var d = "M" + pt[0] + " " + (pt[1] - r) + "l" + r + " " + r + "l" + (-r) + " " + r +
        "l" + (-r) + " " + (-r) + "z";
      var mark = document.createElementNS(SVGNS, "path");
      [["d", d], ["fill", "#d01c8b"], ["stroke", "#1a1a1a"], ["stroke-width", r / 5],
        ["class", "eigenpunt"]].forEach(function (a) { mark.setAttribute(a[0], a[1]); });
      eigen.appendChild(mark);
    });
  });
  group.parentNode.insertBefore(eigen, document.getElementById("selectie"));
  setView(full);
  // hatch spacing ≈ 1/250 of the gemeente width, so it reads as a hatch at full view
  var hatch = document.getElementById("geengegevens");
  var step = Math.max(6, Math.round(full[2] / 250));
  hatch.setAttribute("width", step); hatch.setAttribute("height", step);
  hatch.querySelector("rect").setAttribute("width", step);
  hatch.querySelector("rect").setAttribute("height", step);
  var hl = hatch.querySelector("line");
  hl.setAttribute("y2", step); hl.setAttribute("stroke-width", step / 4);
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");

  function colourLayer() {
    var layer = DATA.layers[current];
    paths.forEach(function (p, i) {
      var c = layer.cls[i];
      p.setAttribute("fill", c < 0 ? "url(#geengegevens)" : layer.legend[c][1]);
    });
    document.getElementById("titel").textContent = layer.title;
    document.getElementById("ondertitel").textContent = DATA.gemeente.naam +
      " · buurten, buurtindeling " + DATA.gemeente.indeling + " · periode " + layer.period;
    document.getElementById("bron").textContent = layer.source;
    drawLegend(layer);
    if (selected >= 0) showProfile(selected);
  }

  function drawLegend(layer) {
    var box = document.getElementById("legenda");
    box.textContent = "";
    box.appendChild(el("h2", {}, layer.legendTitle));
    if (layer.kind === "bivariaat") {
      var wrap = el("div", { "class": "biwrap" });
      wrap.appendChild(el("div", { "class": "biy" }, layer.axes[1] + " →"));
      var grid = el("div", { "class": "bigrid" });
      for (var y = 3; y >= 1; y--) {
        for (var x = 1; x <= 3; x++) {
          var code = x + "-" + y;
          var colour = layer.legend.filter(function (e) { return e[0] === code; })[0][1];
          grid.appendChild(el("div", { "class": "vakje", style: "width:34px;height:34px;background:" + colour, title: code }));
        }
      }
      wrap.appendChild(grid);
      wrap.appendChild(el("div", { "class": "bix" }, layer.axes[0] + " →"));
      box.appendChild(wrap);
    } else {
      layer.legend.forEach(function (e) {
        var row = el("div", { "class": "legendarij" });
        row.appendChild(el("span", { "class": "vakje", style: "background:" + e[1] }));
        row.appendChild(el("span", {}, e[0]));
        box.appendChild(row);
      });
    }
    if (layer.noData > 0) {
      var row = el("div", { "class": "legendarij" });
      row.appendChild(el("span", { "class": "vakje geen" }));
      row.appendChild(el("span", {}, DATA.noData + " (" + layer.noData + " buurten)"));
      box.appendChild(row);
    }
    (DATA.overlays || []).forEach(function (o) {
      var row = el("div", { "class": "legendarij eigen" });
      row.appendChild(el("span", { "class": "ruit", "aria-hidden": "true" }));
      row.appendChild(el("span", {}, o.label));
      box.appendChild(row);
    });
    if (layer.note) box.appendChild(el("p", { "class": "noot" }, layer.note));
  }

  // ------------------------------------------------------------------ tooltip and profile
  function showTooltip(evt, i) {
    var layer = DATA.layers[current];
    tooltip.textContent = "";
    tooltip.appendChild(el("strong", {}, DATA.features[i].n));
    tooltip.appendChild(el("span", {}, layer.legendTitle + ": " + layer.values[i]));
    var rect = svg.parentNode.getBoundingClientRect();
    tooltip.style.left = Math.min(evt.clientX - rect.left + 14, rect.width - 270) + "px";
    tooltip.style.top = (evt.clientY - rect.top + 14) + "px";
    tooltip.hidden = false;
  }

  function sparkline(years, series) {
    var w = 90, h = 22, pad = 3;
    var pts = series.map(function (v, k) { return [k, v]; }).filter(function (p) { return p[1] !== null; });
    if (pts.length < 2) return null;
    var vals = pts.map(function (p) { return p[1]; });
    var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
    var span = hi - lo || 1;
    var s = document.createElementNS(SVGNS, "svg");
    s.setAttribute("width", w); s.setAttribute("height", h); s.setAttribute("class", "trend");
    s.setAttribute("role", "img");
    s.setAttribute("aria-label", "Trend " + years.map(function (y, k) { return y + ": " + fmt(series[k]); }).join(", "));
    var line = document.createElementNS(SVGNS, "polyline");
    line.setAttribute("points", pts.map(function (p) {
      var x = pad + p[0] * (w - 2 * pad) / (years.length - 1);
      var y = h - pad - (p[1] - lo) * (h - 2 * pad) / span;
      return x.toFixed(1) + "," + y.toFixed(1);
    }).join(" "));
    line.setAttribute("fill", "none"); line.setAttribute("stroke", "#1d4e89"); line.setAttribute("stroke-width", "1.6");
    s.appendChild(line);
    var t = document.createElementNS(SVGNS, "title");
    t.textContent = years[0] + "–" + years[years.length - 1];
    s.appendChild(t);
    return s;
  }

  function showProfile(i) {
    var f = DATA.features[i];
    var box = document.getElementById("profiel");
    box.textContent = "";
    box.appendChild(el("h2", { id: "profielnaam" }, f.n));
    box.appendChild(el("p", { "class": "code" }, f.c + " (buurtindeling " + DATA.gemeente.indeling + ")"));
    var layer = DATA.layers[current];
    box.appendChild(el("p", {}, layer.legendTitle + ": " + layer.values[i]));
    if (DATA.profile.length) {
      var table = el("table");
      var head = el("tr");
      ["", "Buurt", DATA.gemeente.naam, "Nederland"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
      table.appendChild(head);
      DATA.profile.forEach(function (row) {
        var tr = el("tr");
        var first = el("td", {}, row.label);
        if (row.trend) {
          var line = sparkline(row.years, row.trend.map(function (s) { return s[i]; }));
          if (line) first.appendChild(line);
        }
        tr.appendChild(first);
        tr.appendChild(el("td", {}, row.values[i] === null ? DATA.noData : fmt(row.values[i])));
        tr.appendChild(el("td", {}, fmt(row.gemeente)));
        tr.appendChild(el("td", {}, fmt(row.nl)));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
  }

  function selectFeature(i) {
    selected = i;
    selectionGroup.textContent = "";
    var p = document.createElementNS(SVGNS, "path");
    p.setAttribute("d", DATA.features[i].d);
    selectionGroup.appendChild(p);
    showProfile(i);
  }

  group.addEventListener("mousemove", function (evt) {
    var i = evt.target.getAttribute("data-i");
    if (i === null) { tooltip.hidden = true; return; }
    showTooltip(evt, +i);
  });
  group.addEventListener("mouseleave", function () { tooltip.hidden = true; });
  group.addEventListener("click", function (evt) {
    var i = evt.target.getAttribute("data-i");
    if (i !== null && !dragged) selectFeature(+i);
  });

  // ------------------------------------------------------------------ zoom and pan
  var dragged = false, dragStart = null;
  function zoom(factor, cx, cy) {
    var w = view[2] * factor, h = view[3] * factor;
    if (w > full[2] * 1.5 || w < full[2] / 40) return;
    if (cx === undefined) { cx = view[0] + view[2] / 2; cy = view[1] + view[3] / 2; }
    setView([cx - (cx - view[0]) * factor, cy - (cy - view[1]) * factor, w, h]);
  }
  function svgPoint(evt) {
    var pt = svg.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = svgPoint(evt);
    zoom(evt.deltaY < 0 ? 0.8 : 1.25, p.x, p.y);
  }, { passive: false });
  svg.addEventListener("mousedown", function (evt) {
    dragged = false;
    dragStart = { x: evt.clientX, y: evt.clientY, view: view.slice(), ctm: svg.getScreenCTM() };
  });
  window.addEventListener("mousemove", function (evt) {
    if (!dragStart) return;
    var dx = (evt.clientX - dragStart.x) / dragStart.ctm.a, dy = (evt.clientY - dragStart.y) / dragStart.ctm.d;
    if (Math.abs(dx) + Math.abs(dy) > 3 / dragStart.ctm.a) { dragged = true; svg.classList.add("slepen"); }
    if (dragged) setView([dragStart.view[0] - dx, dragStart.view[1] - dy, view[2], view[3]]);
  });
  window.addEventListener("mouseup", function () {
    dragStart = null; svg.classList.remove("slepen");
    setTimeout(function () { dragged = false; }, 0);
  });
  document.getElementById("zoomin").addEventListener("click", function () { zoom(0.67); });
  document.getElementById("zoomuit").addEventListener("click", function () { zoom(1.5); });
  document.getElementById("zoomreset").addEventListener("click", function () { setView(full.slice()); });

  // ------------------------------------------------------------------ controls
  DATA.layers.forEach(function (layer, k) {
    select.appendChild(el("option", { value: layer.key }, layer.title));
  });
  select.addEventListener("change", function () {
    for (var k = 0; k < DATA.layers.length; k++) if (DATA.layers[k].key === select.value) current = k;
    colourLayer();
  });
  var list = document.getElementById("buurtnamen");
  var names = DATA.features.map(function (f) { return f.n; }).slice().sort(function (a, b) { return a.localeCompare(b, "nl"); });
  names.forEach(function (n) { list.appendChild(el("option", { value: n })); });
  function findFeature(text) {
    var q = text.trim().toLocaleLowerCase("nl");
    if (!q) return -1;
    var exact = -1, partial = -1;
    DATA.features.forEach(function (f, i) {
      var n = f.n.toLocaleLowerCase("nl");
      if (n === q && exact < 0) exact = i;
      if (partial < 0 && n.indexOf(q) >= 0) partial = i;
    });
    return exact >= 0 ? exact : partial;
  }
  function runSearch(zoomTo) {
    var i = findFeature(search.value);
    if (i < 0) return;
    selectFeature(i);
    if (zoomTo) {
      var b = paths[i].getBBox();
      var size = Math.max(b.width, b.height, full[2] / 12) * 3;
      setView([b.x + b.width / 2 - size / 2, b.y + b.height / 2 - size / 2, size, size]);
    }
  }
  search.addEventListener("change", function () { runSearch(true); });
  search.addEventListener("keydown", function (evt) { if (evt.key === "Enter") runSearch(true); });

  colourLayer();
})();
