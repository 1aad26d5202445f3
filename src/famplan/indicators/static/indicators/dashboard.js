// The indicators dashboard: trend lines and the sex-ratio funnel plot, drawn with the
// vendored ECharts from the JSON the page names in data-url. A static file (CSP).
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-dashboard]");
  if (!root || !window.echarts) return;
  fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then((data) => {
      drawTrend(document.getElementById("trend-chart"), data.trend);
      drawFunnel(document.getElementById("funnel-chart"), data.funnel);
      root.dataset.loaded = "true";
    })
    .catch(() => {
      root.querySelector("[data-error]").hidden = false;
    });
});

function drawTrend(el, trend) {
  const chart = echarts.init(el);
  const line = (name, values, axis) => ({
    name,
    type: "line",
    data: values,
    yAxisIndex: axis,
    showAllSymbol: true,
    connectNulls: false,
  });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    xAxis: { type: "category", data: trend.years.map((y) => `${y}年`) },
    yAxis: [
      { type: "value", name: "‰" },
      { type: "value", name: "性别比", scale: true },
    ],
    series: [
      line("出生率", trend.birth_rate, 0),
      line("死亡率", trend.death_rate, 0),
      line("自然增长率", trend.natural_growth_rate, 0),
      line("出生人口性别比", trend.sex_ratio_at_birth, 1),
    ],
  });
}

function drawFunnel(el, funnel) {
  const chart = echarts.init(el);
  const limit = (name, values, dashed) => ({
    name,
    type: "line",
    showSymbol: false,
    data: funnel.limits.n.map((n, i) => [n, values[i]]),
    lineStyle: { type: dashed ? "dashed" : "solid", width: 1 },
  });
  const series = [
    {
      name: "村(居)",
      type: "scatter",
      clip: true,
      data: funnel.points.map((p) => ({ value: [p.births, p.ratio], name: p.name })),
    },
    limit("95%控制限", funnel.limits.high95, true),
    limit("95%控制限 ", funnel.limits.low95, true),
    limit("99.8%控制限", funnel.limits.high998, false),
    limit("99.8%控制限 ", funnel.limits.low998, false),
  ];
  const marks = [];
  if (funnel.centre !== null) marks.push({ yAxis: funnel.centre, name: `${funnel.unit}总体` });
  if (funnel.target !== null) marks.push({ yAxis: funnel.target, name: "目标" });
  series[0].markLine = { symbol: "none", data: marks, label: { formatter: "{b} {c}" } };
  chart.setOption({
    tooltip: {
      trigger: "item",
      formatter: (p) => (p.seriesType === "scatter" ? `${p.name}<br>出生 ${p.value[0]} 人，性别比 ${p.value[1]}` : p.seriesName),
    },
    legend: { top: 0, data: ["村(居)", "95%控制限", "99.8%控制限"] },
    xAxis: { type: "value", name: "出生人数" },
    // Tiny villages' ratios run to the hundreds: keep the axis on the funnel.
    yAxis: { type: "value", name: "性别比", min: 0, max: 300 },
    series,
  });
}
