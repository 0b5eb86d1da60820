// Draws the charts of a page from its JSON data block (no inline scripts: the
// Content-Security-Policy allows scripts from this site only).
(function () {
  var node = document.getElementById("chart-data");
  if (!node || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  (data.charts || []).forEach(function (c) {
    var canvas = document.getElementById(c.canvas);
    if (!canvas) return;
    new Chart(canvas, {
      type: c.type,
      data: { labels: c.labels, datasets: c.datasets },
      options: {
        locale: document.documentElement.lang === "da" ? "da-DK" : "en-GB",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: c.datasets.length > 1 } },
        scales: c.scales || {}
      }
    });
  });
})();
