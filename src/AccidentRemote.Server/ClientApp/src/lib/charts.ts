// Small bar charts as inline SVG, drawn with attributes and CSS classes only: the CSP allows no
// inline style, and a chart library would be more code than the two charts of the board.

const svgNs = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface BarSeries {
  /** CSS class of the bars (colours live in console.css). */
  cls: string;
  values: number[];
}

export interface BarChart {
  /** Accessible name of the whole chart. */
  label: string;
  /** One axis label per slot; an empty string leaves a gap (e.g. every other hour). There may be more
   *  slots than values: today's chart keeps room for the hours still to come. */
  categories: string[];
  series: BarSeries[];
  /** Read out and shown as a tooltip per group (focus or hover), e.g. "10:00 reported 3, closed 2". */
  describe: (i: number) => string;
  /** data-testid of each group. */
  groupTestId: string;
}

const width = 640;
const height = 200;
const left = 32;
const bottom = 22;
const top = 10;

/** Grouped bars, a y axis with up to 4 whole-number ticks, every group focusable (Tab) with its description. */
export function barChart(c: BarChart): SVGSVGElement {
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": c.label, class: "chart" });
  const max = Math.max(1, ...c.series.flatMap((s) => s.values));
  const step = Math.max(1, Math.ceil(max / 4));
  const scaleMax = step * Math.ceil(max / step);
  const plotH = height - bottom - top;
  const y = (v: number) => top + plotH - (v / scaleMax) * plotH;
  for (let v = 0; v <= scaleMax; v += step) {
    root.append(svg("line", { x1: left, x2: width, y1: y(v), y2: y(v), class: "grid" }));
    root.append(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, String(v)));
  }
  const n = Math.max(1, c.categories.length);
  const slot = (width - left) / n;
  const barW = Math.max(2, (slot * 0.8) / c.series.length);
  const groups = Math.max(0, ...c.series.map((s) => s.values.length));
  c.categories.forEach((cat, i) => {
    if (i >= groups) {
      if (cat) root.append(svg("text", { x: left + i * slot + slot / 2, y: height - 6, "text-anchor": "middle", class: "tick" }, cat));
      return;
    }
    const description = c.describe(i);
    const g = svg("g", { tabindex: 0, role: "img", "aria-label": description, "data-testid": c.groupTestId, "data-index": i, class: "bar-group" });
    g.append(svg("title", {}, description));
    // A transparent full-height target so hovering anywhere over the group shows the tooltip.
    g.append(svg("rect", { x: left + i * slot, y: top, width: slot, height: plotH, class: "hit" }));
    c.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const x = left + i * slot + slot * 0.1 + j * barW;
      g.append(svg("rect", { x, y: y(v), width: barW, height: Math.max(0, y(0) - y(v)), class: `bar ${s.cls}`, "data-value": v }));
    });
    if (cat) g.append(svg("text", { x: left + i * slot + slot / 2, y: height - 6, "text-anchor": "middle", class: "tick" }, cat));
    root.append(g);
  });
  return root;
}
