// A uPlot time series that follows its data: built once, then setData on every change.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface Series {
  label: string;
  stroke: string;
}

const CLOCK: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", second: "2-digit" };

/**
 * `pad`: the least time axis shown, in seconds (uPlot would span years for one point and
 * label sub-seconds for two);
 * `clock`: label the time axis hh:mm:ss (a live chart of the last minutes).
 */
export function Chart(props: { title: string; series: Series[]; data: number[][]; height?: number; pad?: number; clock?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = () => Math.max(280, el.clientWidth);
    const opts: uPlot.Options = {
      title: props.title,
      width: width(),
      height: props.height ?? 180,
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
      axes: [props.clock ? { values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], CLOCK)) } : {}, { size: 60 }],
    };
    plot.current = new uPlot(opts, props.data as uPlot.AlignedData, el);
    fitLonePoint(plot.current, props.data, props.pad);
    const onResize = () => plot.current?.setSize({ width: width(), height: props.height ?? 180 });
    addEventListener("resize", onResize);
    return () => {
      removeEventListener("resize", onResize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    if (!plot.current) return;
    plot.current.setData(props.data as uPlot.AlignedData);
    fitLonePoint(plot.current, props.data, props.pad);
  }, [props.data]);

  return <div class="chart" ref={host} role="img" aria-label={props.title} />;
}

/** At least `pad` seconds of time axis: a lone point in the middle, a short series ending at the right. */
function fitLonePoint(plot: uPlot, data: number[][], pad = 60): void {
  const x = data[0];
  if (!x || x.length === 0) return;
  const first = x[0]!;
  const last = x[x.length - 1]!;
  if (last - first >= pad) return;
  plot.setScale("x", x.length === 1 ? { min: last - pad, max: last + pad } : { min: last - pad, max: last });
}
