// natsproof report charts: every <div class="chart" data-spec="..."> becomes a uPlot chart.
// Kinds: "percentiles" (latency by percentile on a nines axis, the gate as a dashed line),
// "timeline" (values per second, fault or upgrade windows shaded), "bars" (side by side per case).
// Each chart marks itself data-rendered="1"; any error lands in #errors for the browser test.
(function () {
  "use strict";
  var errors = [];
  function fail(msg) {
    errors.push(String(msg));
    var el = document.getElementById("errors");
    if (el) {
      el.textContent = errors.join("\n");
      el.setAttribute("data-count", String(errors.length));
    }
  }
  window.addEventListener("error", function (e) { fail(e.message || e); });

  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"];

  function fmtMs(v) {
    if (v == null || isNaN(v)) return "";
    if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + " s";
    if (v >= 1) return v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2) + " ms";
    return Math.round(v * 1000) + " µs";
  }
  function fmtValue(unit, v) {
    if (unit === "ms") return fmtMs(v);
    if (v == null || isNaN(v)) return "";
    return (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100) + (unit ? " " + unit : "");
  }
  // The nines axis: x = log10(1 / (1 - p)); 1 = 90 %, 2 = 99 %, 3 = 99.9 %.
  function ninesLabel(x) {
    if (x <= 0) return "0%";
    var p = 100 * (1 - Math.pow(10, -x));
    var digits = Math.max(0, Math.round(x) - 2);
    return p.toFixed(digits) + "%";
  }

  function shade(windows) {
    return function (u) {
      if (!windows || !windows.length) return;
      var ctx = u.ctx;
      ctx.save();
      windows.forEach(function (w) {
        var x0 = u.valToPos(w[0], "x", true);
        var x1 = u.valToPos(w[1], "x", true);
        ctx.fillStyle = w[3] || "rgba(214, 39, 40, 0.12)";
        ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
        if (w[2]) {
          ctx.fillStyle = "rgba(120, 20, 20, 0.8)";
          ctx.font = 11 * devicePixelRatio + "px sans-serif";
          ctx.fillText(w[2], x0 + 3 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
        }
      });
      ctx.restore();
    };
  }

  function percentiles(el, spec, width) {
    // Every series on one x grid: the union of their nines, gaps where a series has no point.
    var xs = [];
    spec.series.forEach(function (s) { s.x.forEach(function (x) { xs.push(x); }); });
    xs = Array.from(new Set(xs)).sort(function (a, b) { return a - b; });
    var data = [xs];
    var series = [{ label: "percentile", value: function (u, v) { return v == null ? "" : ninesLabel(v); } }];
    spec.series.forEach(function (s, i) {
      var byX = new Map();
      s.x.forEach(function (x, j) { byX.set(x, s.y[j]); });
      data.push(xs.map(function (x) { return byX.has(x) ? byX.get(x) : null; }));
      series.push({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true,
                    value: function (u, v) { return fmtMs(v); } });
    });
    if (spec.gateY) {
      data.push(xs.map(function () { return spec.gateY; }));
      series.push({ label: spec.gateLabel || "gate", stroke: "#000", dash: [6, 4], width: 1,
                    value: function (u, v) { return fmtMs(v); } });
    }
    var maxX = Math.max(3, Math.ceil(xs.length ? xs[xs.length - 1] : 3));
    return new uPlot({
      title: spec.title, width: width, height: 340,
      scales: { x: { time: false, range: [0, maxX] }, y: { distr: 3 } },
      axes: [
        { label: "percentile", splits: function () { var s = []; for (var i = 0; i <= maxX; i++) s.push(i); return s; },
          values: function (u, vals) { return vals.map(ninesLabel); } },
        { label: spec.yLabel || "latency", size: 70, values: function (u, vals) { return vals.map(fmtMs); } }
      ],
      series: series
    }, data, el);
  }

  function timeline(el, spec, width) {
    var data = [spec.x];
    var series = [{ label: "time", value: function (u, v) { return v == null ? "" : v + " s"; } }];
    spec.series.forEach(function (s, i) {
      data.push(s.y);
      series.push({ label: s.label, stroke: COLORS[i % COLORS.length], width: s.width || 1.5,
                    dash: s.dash || undefined, spanGaps: true, scale: s.scale || "y",
                    value: function (u, v) { return fmtValue(s.unit || spec.unit, v); } });
    });
    var axes = [{ label: "seconds since the start" },
                { label: spec.yLabel || "", size: 70, values: function (u, vals) { return vals.map(function (v) { return fmtValue(spec.unit, v); }); } }];
    var scales = { x: { time: false } };
    if (spec.y2Label) {
      scales.y2 = {};
      axes.push({ scale: "y2", side: 1, label: spec.y2Label, size: 60, grid: { show: false } });
    }
    return new uPlot({
      title: spec.title, width: width, height: 300, scales: scales, axes: axes, series: series,
      hooks: { drawClear: [shade(spec.windows)] }
    }, data, el);
  }

  // Side by side: each case gets one slot per series on the x axis, each series a value only in
  // its own slot, so the bars stand next to each other instead of on top of each other.
  function bars(el, spec, width) {
    var n = spec.categories.length;
    var groups = spec.series.length;
    var step = 0.8 / groups;
    var xs = [];
    for (var c = 0; c < n; c++) {
      for (var g = 0; g < groups; g++) xs.push(c - 0.4 + step * (g + 0.5));
    }
    var data = [xs];
    var series = [{ label: "case", value: function (u, v) { return v == null ? "" : spec.categories[Math.round(v)] || ""; } }];
    spec.series.forEach(function (s, g) {
      var ys = [];
      for (var c = 0; c < n; c++) {
        for (var k = 0; k < groups; k++) ys.push(k === g ? s.y[c] : null);
      }
      data.push(ys);
      series.push({ label: s.label, fill: COLORS[g % COLORS.length], stroke: COLORS[g % COLORS.length],
                    paths: uPlot.paths.bars({ size: [0.9, 120] }), points: { show: false },
                    value: function (u, v) { return fmtValue(spec.unit, v); } });
    });
    var cats = [];
    for (var i = 0; i < n; i++) cats.push(i);
    return new uPlot({
      title: spec.title, width: width, height: 260,
      scales: { x: { time: false, range: [-0.6, n - 0.4] }, y: { range: function (u, lo, hi) { return [0, (hi || 1) * 1.1]; } } },
      axes: [{ label: spec.xLabel || "case", splits: function () { return cats; },
               values: function (u, vals) { return vals.map(function (v) { return spec.categories[Math.round(v)] || ""; }); } },
             { label: spec.yLabel || "", size: 70, values: function (u, vals) { return vals.map(function (v) { return fmtValue(spec.unit, v); }); } }],
      series: series
    }, data, el);
  }

  function render() {
    var width = Math.min(1000, document.body.clientWidth - 40);
    var charts = document.querySelectorAll("div.chart[data-spec]");
    charts.forEach(function (el) {
      try {
        var spec = JSON.parse(el.getAttribute("data-spec"));
        var kind = spec.kind;
        var empty = (kind === "bars" ? spec.categories.length === 0 : spec.series.length === 0);
        if (empty) {
          el.textContent = "(nothing to plot)";
          el.setAttribute("data-rendered", "empty");
          return;
        }
        var u = kind === "percentiles" ? percentiles(el, spec, width)
              : kind === "timeline" ? timeline(el, spec, width)
              : bars(el, spec, width);
        var canvas = el.querySelector("canvas");
        var labels = el.querySelectorAll(".u-label").length;
        if (!canvas || canvas.width === 0 || canvas.height === 0) throw new Error("empty canvas: " + spec.title);
        el.setAttribute("data-rendered", "1");
        el.setAttribute("data-axis-labels", String(el.querySelectorAll(".u-axis").length));
        el.setAttribute("data-series", String(u.series.length - 1));
        el.setAttribute("data-legend-labels", String(labels));
      } catch (e) {
        fail((el.getAttribute("data-title") || "chart") + ": " + e.message);
      }
    });
    document.body.setAttribute("data-charts", String(charts.length));
    document.body.setAttribute("data-charts-rendered",
      String(document.querySelectorAll("div.chart[data-rendered='1']").length));
    if (!errors.length) {
      var el = document.getElementById("errors");
      if (el) el.setAttribute("data-count", "0");
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
