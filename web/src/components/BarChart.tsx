// A bar chart drawn by Chart.js on a canvas (bundled by Vite, no request elsewhere; it sizes the
// canvas through the CSSOM, which the page's CSP allows, and injects no stylesheet). The canvas
// is an image named by what it shows; the numbers are in a table beside it for everyone else.
// Chart.js comes in a chunk of its own, loaded when the first chart is drawn, so that the pages
// without charts do not carry it.
import { useEffect, useRef } from 'react';
import type { Chart } from 'chart.js';

let chartJs: Promise<typeof Chart> | null = null;

/** Chart.js with the parts a bar chart needs, loaded once. */
function loadChart(): Promise<typeof Chart> {
  chartJs ??= import('chart.js').then(({ BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip }) => {
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
    return Chart;
  });
  return chartJs;
}

export interface Series {
  label: string;
  values: number[];
  /** One colour for the series, or one per bar. */
  color: string | string[];
}

export function BarChart({ label, labels, series, horizontal = false }: {
  /** What the chart shows, in words with its numbers: the canvas's accessible name. */
  label: string;
  labels: string[];
  series: Series[];
  horizontal?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // Drawn again only when what it shows changes, not on every render.
  const spec = JSON.stringify({ labels, series, horizontal });
  useEffect(() => {
    let chart: Chart | null = null;
    let gone = false;
    void loadChart().then((ChartJs) => {
      if (gone || !canvas.current) return;
      chart = new ChartJs(canvas.current, {
        type: 'bar',
        data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.color })) },
        options: {
          indexAxis: horizontal ? 'y' : 'x',
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { display: series.length > 1 } },
          scales: { [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
    });
    return () => {
      gone = true;
      chart?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- spec says all three
  }, [spec]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
