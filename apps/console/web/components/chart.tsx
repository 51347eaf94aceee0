/** Apache ECharts in React: one instance per element, options replaced on change, resized with its box. */
import { BarChart, GraphChart, LineChart, PieChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([LineChart, BarChart, PieChart, GraphChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export function Chart({ option, height = 240, testId }: { option: ChartOption; height?: number; testId?: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    chart.current = echarts.init(element.current!);
    const observer = new ResizeObserver(() => chart.current?.resize());
    observer.observe(element.current!);
    return () => {
      observer.disconnect();
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ animation: false, ...option }, { notMerge: true });
  }, [option]);
  return <div ref={element} style={{ width: '100%', height }} data-testid={testId} />;
}

/** A line chart of one or more series over steps (or time), the shape every curve here has. */
export function lineOption(title: string, series: { name: string; points: [number, number][] }[], xName = 'step', yLog = false): ChartOption {
  return {
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 4, right: 8, data: series.map((entry) => entry.name) },
    grid: { left: 56, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 20, scale: true },
    yAxis: { type: yLog ? 'log' : 'value', scale: true },
    series: series.map((entry) => ({ name: entry.name, type: 'line', showSymbol: entry.points.length < 30, data: entry.points })),
  };
}
