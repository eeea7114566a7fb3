/**
 * Tables of measured numbers beside the thesis's numbers, as Markdown.
 *
 * @module
 */

/** A table: column titles and rows of cells. */
export interface Table {
  /** Caption, e.g. "Table 1: denoising PSNR (dB)". */
  title: string;
  /** Column titles. */
  columns: string[];
  /** Rows; numbers are printed with `digits` decimals. */
  rows: (string | number | null)[][];
  /** Notes under the table (dataset, profile, what was scaled). */
  notes?: string[];
}

/**
 * Formats a cell: numbers with `digits` decimals, `null` as an en dash.
 *
 * @param v The cell.
 * @param digits Decimals for numbers.
 * @returns The text.
 */
export function formatCell(v: string | number | null, digits = 2): string {
  if (v === null || (typeof v === "number" && !Number.isFinite(v))) return "–";
  return typeof v === "number" ? v.toFixed(digits) : v;
}

/**
 * Renders a table as GitHub Markdown.
 *
 * @param table The table.
 * @param digits Decimals for numbers (default 2).
 * @returns The Markdown text.
 * @example
 * ```ts
 * import { markdownTable } from "./table.ts";
 * const md = markdownTable({ title: "PSNR", columns: ["method", "ours", "thesis"], rows: [["DIP", 27.123, 28.6]] });
 * console.log(md.split("\n")[4]); // | DIP | 27.12 | 28.60 |
 * ```
 */
export function markdownTable(table: Table, digits = 2): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    `### ${table.title}`,
    "",
    `| ${table.columns.map(esc).join(" | ")} |`,
    `|${table.columns.map(() => "---").join("|")}|`,
    ...table.rows.map((r) => `| ${r.map((c) => esc(formatCell(c, digits))).join(" | ")} |`),
  ];
  if (table.notes?.length) lines.push("", ...table.notes.map((n) => `- ${n}`));
  return lines.join("\n") + "\n";
}
