// Dashboards: draw each <canvas data-chart="trend|bars|hbars" data-source="id"> with
// Chart.js from the JSON the page embeds (json_script). The same figures are in the table
// under each chart, so nothing is lost without JavaScript.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const lang = document.documentElement.lang || "vi";
  const vi = lang.startsWith("vi");
  const text = {
    approved: vi ? "Được duyệt (tỷ đồng)" : "Approved (billion ₫)",
    paid: vi ? "Đã giải ngân (tỷ đồng)" : "Paid (billion ₫)",
    rate: vi ? "Tỷ lệ giải ngân (%)" : "Disbursement rate (%)",
  };
  const number = (v) => (v === null || v === undefined ? "—" : v.toLocaleString(lang, { maximumFractionDigits: 2 }));
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const kind = canvas.dataset.chart;
    // The measures' names come with the data (core.measures, in the page's language).
    const names = Object.assign({}, text, data.text || {});
    const datasets = [
      { type: "bar", label: names.approved, data: data.approved, backgroundColor: "#9cc5ea", yAxisID: "y" },
      { type: "bar", label: names.paid, data: data.paid, backgroundColor: "#0b4f8a", yAxisID: "y" },
    ];
    const scales = { y: { beginAtZero: true, title: { display: true, text: names.unit || (vi ? "tỷ đồng" : "billion ₫") } } };
    if (kind === "trend") {
      datasets.push({ type: "line", label: names.rate, data: data.rate, borderColor: "#d97706",
                      backgroundColor: "#d97706", yAxisID: "rate", tension: 0.2, spanGaps: true });
      scales.rate = { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                      title: { display: true, text: "%" } };
    }
    const horizontal = kind === "hbars";
    if (horizontal) {
      scales.x = scales.y;
      delete scales.y;
      datasets.forEach((d) => { d.yAxisID = undefined; d.xAxisID = "x"; });
    }
    new Chart(canvas, {
      data: { labels: data.labels.map((l) => (l.length > 48 ? l.slice(0, 46) + "…" : l)), datasets },
      options: {
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${number(c.raw)}` } },
        },
      },
    });
  });
})();

// The tile map from the keyboard: one stop in the tab order (the tile last reached), the
// arrow keys move to the nearest province in that direction, Home/End to the first and
// last, Enter opens the province. Without JavaScript every tile is an ordinary link.
(function () {
  "use strict";
  document.querySelectorAll(".tile-grid").forEach((grid) => {
    const tiles = Array.from(grid.querySelectorAll("a.tile"));
    if (!tiles.length) return;
    const place = (tile) => {
      const style = getComputedStyle(tile);
      return { row: parseInt(style.gridRowStart, 10), col: parseInt(style.gridColumnStart, 10) };
    };
    const places = new Map(tiles.map((t) => [t, place(t)]));
    const current = (tile) => {
      tiles.forEach((t) => t.setAttribute("tabindex", t === tile ? "0" : "-1"));
    };
    current(tiles[0]);
    grid.addEventListener("focusin", (event) => {
      const tile = event.target.closest("a.tile");
      if (tile) current(tile);
    });
    const directions = {
      ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0],
    };
    grid.addEventListener("keydown", (event) => {
      const tile = event.target.closest("a.tile");
      if (!tile) return;
      let next = null;
      if (event.key === "Home") next = tiles[0];
      else if (event.key === "End") next = tiles[tiles.length - 1];
      else if (event.key in directions) {
        const [dr, dc] = directions[event.key];
        const from = places.get(tile);
        let best = Infinity;
        tiles.forEach((t) => {
          const p = places.get(t);
          const along = (p.row - from.row) * dr + (p.col - from.col) * dc;
          if (t === tile || along <= 0) return;
          const across = Math.abs(dr ? p.col - from.col : p.row - from.row);
          const distance = along + 2 * across;
          if (distance < best) { best = distance; next = t; }
        });
      } else return;
      event.preventDefault();
      if (next) { current(next); next.focus(); }
    });
  });
})();
