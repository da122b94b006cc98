/**
 * Plain terminal tables that fit a width: columns have a priority, and the least important ones
 * are left out (and named) until the table fits; `wide` keeps them all.
 *
 * @module
 */

/** One column: its header, alignment and how much it matters (0 = always shown). */
export interface Column {
  head: string;
  align?: "left" | "right";
  priority: number;
}

/** A table laid out for a width. */
export interface FittedTable {
  text: string;
  /** Headers of the columns left out, in table order */
  hidden: string[];
  /** Indexes of the columns shown */
  shown: number[];
}

const GAP = "  ";

/**
 * Lay out `rows` under `columns` in at most `width` characters per line (unless `wide`): the
 * columns of the highest priority number are dropped first, the order of the rest is kept.
 */
export function fitTable(
  columns: Column[],
  rows: string[][],
  options: { width: number; wide?: boolean },
): FittedTable {
  const widths = columns.map((c, i) => Math.max(c.head.length, ...rows.map((r) => r[i].length)));
  const lineWidth = (idx: number[]) =>
    idx.reduce((s, i) => s + widths[i], 0) + GAP.length * Math.max(0, idx.length - 1);
  let shown = columns.map((_, i) => i);
  if (!options.wide) {
    const byDrop = [...shown].sort((a, b) => columns[b].priority - columns[a].priority || b - a);
    for (const i of byDrop) {
      if (lineWidth(shown) <= options.width || columns[i].priority === 0) break;
      shown = shown.filter((j) => j !== i);
    }
  }
  const cell = (text: string, i: number) =>
    columns[i].align === "left" ? text.padEnd(widths[i]) : text.padStart(widths[i]);
  const line = (cells: string[]) => shown.map((i) => cell(cells[i], i)).join(GAP).trimEnd();
  const out = [
    line(columns.map((c) => c.head)),
    shown.map((i) => "─".repeat(widths[i])).join(GAP),
    ...rows.map(line),
  ];
  const hidden = columns.filter((_, i) => !shown.includes(i)).map((c) => c.head);
  return { text: out.join("\n"), hidden, shown };
}

/** The width to fit: the terminal's when stdout is one, else 100 columns. */
export function outputWidth(): number {
  try {
    if (Deno.stdout.isTerminal()) return Math.max(60, Deno.consoleSize().columns);
  } catch { /* not a terminal after all */ }
  return 100;
}

/**
 * Wrap every line of `text` longer than `width` at spaces; continuation lines are indented 4 more
 * than the line's own indent (a word longer than the room stays whole).
 */
export function wrapLines(text: string, width: number): string {
  return text.split("\n").flatMap((line) => {
    if (line.length <= width) return [line];
    const indent = /^ */.exec(line)![0];
    const more = `${indent}    `;
    const out: string[] = [];
    let cur = indent;
    for (const word of line.slice(indent.length).split(/ +/)) {
      const lead = out.length ? more : indent;
      if (cur.length > lead.length && cur.length + 1 + word.length > width) {
        out.push(cur);
        cur = more + word;
      } else cur = cur.length > lead.length ? `${cur} ${word}` : cur + word;
    }
    out.push(cur);
    return out;
  }).join("\n");
}

/** Words of `text` in lines of at most `width` characters (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines.length ? lines : [""];
}

/**
 * `first` in a column of `col` characters, then `text` wrapped to `width` with its continuation
 * lines under its start (on a line of its own when `first` is wider than the column).
 */
export function hanging(first: string, text: string, o: { col: number; width: number }): string[] {
  const rows = wrap(text, Math.max(20, o.width - o.col));
  const head = first.length < o.col ? [first.padEnd(o.col) + rows.shift()] : [first];
  return [...head, ...rows.map((r) => " ".repeat(o.col) + r)].map((l) => l.trimEnd());
}
