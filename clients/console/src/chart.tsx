// A uPlot time series that follows its data: built once, then setData on every change.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface Series {
  label: string;
  stroke: string;
}

/** `pad`: seconds shown either side of a lone point (uPlot would otherwise span years). */
export function Chart(props: { title: string; series: Series[]; data: number[][]; height?: number; pad?: number }) {
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
      axes: [{}, { size: 60 }],
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

function fitLonePoint(plot: uPlot, data: number[][], pad = 60): void {
  const x = data[0];
  if (x?.length === 1) plot.setScale("x", { min: x[0]! - pad, max: x[0]! + pad });
}
