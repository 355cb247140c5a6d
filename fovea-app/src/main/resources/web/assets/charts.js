// Line charts over uPlot (from its WebJar: no Node build). Drag across a chart to zoom in, double-click to zoom out.
import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';

const COLOURS = ['#2a62d4', '#d4572a', '#2a9d5c', '#8e44ad', '#c0392b', '#16a085', '#d4a72a', '#5b6675'];

function loadCss() {
  if (document.getElementById('uplot-css')) return;
  const link = document.createElement('link');
  link.id = 'uplot-css';
  link.rel = 'stylesheet';
  link.href = '/webjars/uplot/1.6.30/dist/uPlot.min.css';
  document.head.append(link);
}

/**
 * Draws lines into `box` (emptied first) and returns the chart. `series` is [{label, points: [[x, y], ...]}]; the
 * x values of all series are merged, and a line spans the x values it has no point at.
 */
export function lineChart(box, { xLabel, yLabel, series }) {
  loadCss();
  box.replaceChildren();
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const data = [xs];
  for (const s of series) {
    const ys = new Array(xs.length).fill(null);
    for (const [x, y] of s.points) ys[index.get(x)] = Number.isFinite(y) ? y : null;
    data.push(ys);
  }
  const width = Math.max(280, box.clientWidth || 600);
  const options = {
    width,
    height: 260,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { label: yLabel, size: 60 }],
    series: [{ label: xLabel }, ...series.map((s, i) => ({
      label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true,
      points: { show: s.points.length < 60 },
    }))],
    cursor: { drag: { x: true, y: false } },
  };
  const chart = new uPlot(options, data, box);
  box.dataset.series = String(series.length);
  box.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
  return chart;
}
