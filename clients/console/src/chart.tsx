// A uPlot time series that follows its data: built once, then setData on every change.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface Series {
  label: string;
  stroke: string;
}

export function Chart(props: { title: string; series: Series[]; data: number[][]; height?: number }) {
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
      // With one point uPlot would span years: show the last minute instead.
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - 60, max + 1] : [min, max]) } },
    };
    plot.current = new uPlot(opts, props.data as uPlot.AlignedData, el);
    const onResize = () => plot.current?.setSize({ width: width(), height: props.height ?? 180 });
    addEventListener("resize", onResize);
    return () => {
      removeEventListener("resize", onResize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return <div class="chart" ref={host} role="img" aria-label={props.title} />;
}
