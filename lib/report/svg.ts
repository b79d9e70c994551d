import * as echarts from 'echarts';

// echarts is heavy: only lib/report imports it, and nothing outside lib/report imports lib/report/svg.

/**
 * zrender writes process-wide counters into ids and class names ("zr7-c0", "zr7-cls-44"), so
 * the same chart would get different bytes depending on how many charts were rendered before.
 * Each such name is renumbered by order of first appearance under a caller-chosen prefix, which
 * also keeps names unique when several SVGs share one page.
 */
function stableIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const counters = new Map<string, number>();
  return svg.replace(/zr\d+-([A-Za-z-]*?)(\d+)/g, (whole, kind: string) => {
    let name = names.get(whole);
    if (name === undefined) {
      const k = counters.get(kind) ?? 0;
      counters.set(kind, k + 1);
      name = `${prefix}-${kind}${k}`;
      names.set(whole, name);
    }
    return name;
  });
}

/** Server-side rendering of one ECharts option to a standalone SVG string (no animation). */
export function renderSvg(option: echarts.EChartsOption, width: number, height: number, idPrefix: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, ...option });
    return stableIds(chart.renderToSVGString(), idPrefix);
  } finally {
    chart.dispose();
  }
}

export type ChartOption = echarts.EChartsOption;
