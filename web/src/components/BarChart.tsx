// A bar chart drawn by Chart.js on a canvas (bundled by Vite, no request elsewhere; it sizes the
// canvas through the CSSOM, which the page's CSP allows, and injects no stylesheet). The canvas
// is an image named by what it shows; the numbers are in a table beside it for everyone else.
import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

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
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
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
    return () => chart.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- spec says all three
  }, [spec]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
