// ECharts, loaded on first use so the portal shell stays small.
//   const echarts = await loadECharts();
// or use <NqiChart :option="..."/> (components/NqiChart.vue), which does this for you.
// Add chart types / components here when a module needs them.
let loading = null;

export function loadECharts() {
  if (!loading) {
    loading = Promise.all([
      import('echarts/core'),
      import('echarts/charts'),
      import('echarts/components'),
      import('echarts/renderers'),
    ]).then(([core, charts, components, renderers]) => {
      core.use([
        charts.BarChart, charts.LineChart, charts.PieChart, charts.RadarChart, charts.GaugeChart, charts.GraphChart,
        components.GridComponent, components.TooltipComponent, components.LegendComponent,
        components.TitleComponent, components.DatasetComponent,
        renderers.CanvasRenderer,
      ]);
      return core;
    });
  }
  return loading;
}
