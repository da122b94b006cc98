/**
 * The page skeleton shared by every HTML page of a report: inline CSS (system fonts, light theme,
 * dark theme through prefers-color-scheme), no script, no external resource, relative links only.
 *
 * @module
 */
import { type HtmlValue, markup, raw, type SafeHtml } from "./_escape.ts";
import { VERSION } from "../core/version.ts";

const CSS = `
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--accent:#0969da;
--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--warnbg:#fff8c5;--badbg:#ffebe9;--okbg:#dafbe1;
color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#3d444d;--soft:#151b23;--accent:#4493f8;--ok:#3fb950;--bad:#f85149;--warn:#d29922;
--warnbg:#2e2a1a;--badbg:#301a1d;--okbg:#18301f}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.5;font-size:15px;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",
"Liberation Sans",sans-serif}
main{max-width:1400px;margin:0 auto;padding:24px 20px 64px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:1.9rem;line-height:1.2;margin:.2em 0 .1em;letter-spacing:-.01em;overflow-wrap:anywhere}
h2{font-size:1.35rem;margin:2.2em 0 .6em;padding-bottom:.3em;border-bottom:1px solid var(--line)}
h3{font-size:1.1rem;margin:1.6em 0 .5em;overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",
monospace;font-size:.88em}
code{background:var(--soft);padding:.1em .35em;border-radius:4px;overflow-wrap:anywhere}
nav.crumbs{font-size:.9rem;color:var(--muted);margin-bottom:.6em}
.sub{color:var(--muted);margin:0 0 1.2em}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:.12em .55em;border-radius:2em;
border:1px solid currentColor;vertical-align:middle;white-space:nowrap;margin-left:.3em}
.b-ok{color:var(--ok);background:var(--okbg)}.b-bad{color:var(--bad);background:var(--badbg)}
.b-warn{color:var(--warn);background:var(--warnbg)}.b-muted{color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1.4em;margin:1em 0;
padding:14px 18px;background:var(--soft);border:1px solid var(--line);border-radius:8px}
dl.meta dt{color:var(--muted);font-weight:600}dl.meta dd{margin:0;overflow-wrap:anywhere}
.note,.sub,li,figcaption{overflow-wrap:anywhere}
.note{border-left:4px solid var(--warn);background:var(--warnbg);padding:.6em 1em;margin:1em 0;
border-radius:0 6px 6px 0}
.note.bad{border-color:var(--bad);background:var(--badbg)}
.note ul{margin:.3em 0 0;padding-left:1.2em}
.scroll{overflow-x:auto;margin:.6em 0 1em;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.8rem;font-variant-numeric:tabular-nums}
th,td{padding:.38em .45em;border-bottom:1px solid var(--line);text-align:left;
vertical-align:baseline}
thead th{background:var(--soft);font-weight:600;vertical-align:bottom}
thead tr.group th{text-align:center;color:var(--muted);font-size:.75rem;text-transform:uppercase;
letter-spacing:.05em;border-bottom:none;padding-bottom:0}
tbody tr:last-child td{border-bottom:none}
tbody tr:hover td{background:var(--soft)}
td.num,th.num{text-align:right}td.num{white-space:nowrap}
.na{color:var(--muted);font-size:.92em;font-style:italic}
td.flags .badge{margin:0 .3em .15em 0}td.flags{min-width:7em}
td.sep,th.sep{border-left:1px solid var(--line)}
td.err{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;white-space:pre-wrap;
overflow-wrap:anywhere;color:var(--bad)}
tr.flag-noisy td:first-child{box-shadow:inset 3px 0 0 #e8590c}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,520px),1fr));gap:18px;
margin:1em 0}
figure.plot{margin:0;padding:12px 14px 8px;border:1px solid var(--line);border-radius:8px;
background:var(--bg);min-width:0}
figure.plot>figcaption{font-weight:600;font-size:.92rem;margin-bottom:.3em}
.fignum{color:var(--muted)}
svg.sym{vertical-align:-2px}
dl.verdicts{margin:.4em 0 1em;font-size:.9rem}dl.verdicts dt{font-weight:600;margin-top:.4em}
dl.verdicts dd{margin:0 0 0 1.2em}
figure.plot .cap2{font-size:.8rem;color:var(--muted);margin:.2em 0 0}
figure.plot svg{display:block;width:100%;height:auto;color:var(--fg)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin:1em 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .k{color:var(--muted);font-size:.8rem}.card .v{font-size:1.35rem;font-weight:600}
.better{color:var(--ok);font-weight:600}.worse{color:var(--bad);font-weight:600}
.toc{columns:2 260px;padding-left:1.2em}
footer{margin-top:3em;color:var(--muted);font-size:.82rem;border-top:1px solid var(--line);
padding-top:1em}
@media (max-width:600px){main{padding:16px 10px 48px}h1{font-size:1.5rem}
dl.meta{grid-template-columns:1fr;gap:0 1em}dl.meta dd{margin-bottom:.4em}}
@media print{@page{margin:14mm}
:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--soft:#fff;--accent:#000}
body{font-size:10.5pt}main{max-width:none;padding:0}
nav.crumbs,.toc,.cap2 a{display:none}a{color:inherit}
.plots{display:block}figure.plot{break-inside:avoid;page-break-inside:avoid;border:none;
padding:0;margin:0 0 1.2em}figure.plot svg{max-width:16cm;margin:0 auto}
.scroll{overflow:visible;border:none}table{font-size:8pt}tbody tr:hover td{background:none}
h2{break-after:avoid}h3{break-after:avoid}section{break-inside:auto}
.cards{display:none}.badge{border-width:.5pt}}
`;

/** A link of the breadcrumb bar (relative href). */
export interface Crumb {
  href: string | null;
  label: string;
}

/** A full standalone page. */
export function page(options: { title: string; crumbs?: Crumb[]; body: HtmlValue }): string {
  const crumbs = options.crumbs?.length
    ? markup`<nav class="crumbs">${
      options.crumbs.map((c, i) =>
        markup`${i ? " / " : ""}${c.href ? markup`<a href="${c.href}">${c.label}</a>` : c.label}`
      )
    }</nav>`
    : "";
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="scalebench ${VERSION}">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${options.title}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<main>
${crumbs}
${options.body}
<footer>Generated by scalebench ${VERSION}. Statistics exclude warm-up and failed repetitions.
Intervals are 95 % confidence intervals written value [low, high], with the digits their width
supports. Noisy points (coefficient of variation above 10 %) and Tukey outliers are flagged, never
dropped.</footer>
</main>
</body>
</html>
`.value;
}

/** A status badge. */
export function badge(text: string, kind: "ok" | "bad" | "warn" | "muted" = "muted"): SafeHtml {
  return markup`<span class="badge b-${kind}">${text}</span>`;
}
