/**
 * The figures of one page: each is drawn inline in the page and also kept as a standalone SVG
 * file (with its caption as a title, a white background and the report's font) for papers and
 * slides; the site writer adds a PNG of each when asked. Figures are numbered in page order.
 *
 * @module
 */
import type { Chart } from "./_chart.ts";
import { renderChart } from "./_chart.ts";
import { markup, raw, type SafeHtml, slug } from "./_escape.ts";

/** A standalone figure file of a page. */
export interface FigureFile {
  /** Path relative to the report's directory, e.g. `figures/run-x/time-burn.svg` */
  path: string;
  caption: string;
  svg: string;
}

/** Collects a page's figures: {@linkcode FigureSet.add} returns the `<figure>` markup. */
export class FigureSet {
  readonly files: FigureFile[] = [];
  #used = new Set<string>();

  /**
   * `stem` names the page's figure folder (`figures/<stem>/`); `context` follows each caption
   * in the standalone files (e.g. the run's name); `png` adds a PNG link beside the SVG link.
   */
  constructor(
    readonly stem: string,
    readonly options: { context?: string; png?: boolean } = {},
  ) {}

  /** Add a chart: returns its `<figure>` (empty markup for a null chart). */
  add(
    name: string,
    caption: string,
    chart: Chart | null | undefined,
    note = "",
  ): SafeHtml {
    if (!chart) return markup``;
    let id = slug(name, 50).toLowerCase(), i = 2;
    while (this.#used.has(id)) id = `${slug(name, 50).toLowerCase()}-${i++}`;
    this.#used.add(id);
    const number = this.files.length + 1;
    const path = `figures/${this.stem}/${id}.svg`;
    const full = this.options.context ? `${caption} — ${this.options.context}` : caption;
    this.files.push({
      path,
      caption: full,
      svg: renderChart(chart, { standalone: true, caption: `Figure ${number}. ${full}` }),
    });
    const inline = renderChart(chart, { alt: caption });
    const links = markup`<a href="${path}">SVG</a>${
      this.options.png ? markup` · <a href="${path.replace(/\.svg$/, ".png")}">PNG</a>` : ""
    }`;
    return markup`<figure class="plot" id="fig-${id}"><figcaption><span class="fignum">Figure ${number}.</span> ${caption}</figcaption>${
      raw(inline)
    }<p class="cap2">${note ? markup`${note} · ` : ""}${links}</p></figure>`;
  }
}
