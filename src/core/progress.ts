/**
 * One progress reporter for long loops (fitting a network, sweeping a
 * parameter), shown the way the place it runs in can show it:
 *
 * - `"terminal"`: a bar redrawn in place on stderr (at most ~10 times a
 *   second) with rate, elapsed time, ETA and the latest numbers;
 * - `"notebook"`: in Deno's Jupyter kernel, an HTML bar that updates in place;
 * - `"log"`: when stderr is not a terminal (CI logs), one line per ~10 %;
 * - `"silent"`: nothing.
 *
 * `"auto"` (the default) picks notebook, terminal or log in that order.
 * Colour follows the `NO_COLOR` convention.
 *
 * While a {@linkcode ProgressHost} is active (a progress group, see
 * `progress_group.ts`), `createProgress` calls in `"auto"` mode are handed to
 * it, so that library loops (`optimize`, `fitDip`, training) land in the
 * group's one display instead of making their own.
 *
 * @module
 */
import { assertNumber, assertOneOf } from "./checks.ts";

/** Where and how progress is shown. */
export type ProgressMode = "auto" | "terminal" | "notebook" | "log" | "silent";

/** The modes {@linkcode createProgress} accepts. */
export const PROGRESS_MODES: readonly ProgressMode[] = [
  "auto",
  "terminal",
  "notebook",
  "log",
  "silent",
];

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** Number of steps of the loop (> 0). */
  total: number;
  /** Text in front of the bar (default none). */
  label?: string;
  /** Where to show progress (default `"auto"`). */
  mode?: ProgressMode;
  /** Clock in milliseconds (default `performance.now`); injected by tests. */
  now?: () => number;
  /** Output for terminal and log modes (default: write to stderr); injected by tests. */
  write?: (text: string) => void;
  /**
   * Output for notebook mode (default: Deno's Jupyter display, updated in
   * place by display id); injected by tests.
   */
  display?: ProgressDisplay;
  /** Colour the terminal bar (default: stderr is a terminal and `NO_COLOR` is unset). */
  color?: boolean;
  /** Least time between two redraws in terminal mode, in ms (default 100). */
  minIntervalMs?: number;
}

/**
 * Shows a MIME bundle in a notebook: the first call (`update` false) makes
 * the display, later calls (`update` true) replace its content in place.
 * It may return a promise that settles once the message is sent (waited for
 * where a display ends, e.g. a progress group's summary).
 */
export type ProgressDisplay = (bundle: Record<string, string>, update: boolean) => void;

/** A running progress report. */
export interface Progress {
  /** The mode in use (`"auto"` resolved). */
  readonly mode: Exclude<ProgressMode, "auto">;
  /**
   * Reports that `step` of `total` steps are done.
   *
   * @param step Steps completed so far (0..total).
   * @param info Numbers to show beside the bar (loss, PSNR, ...).
   */
  update(step: number, info?: Record<string, number>): void;
  /**
   * Ends the report: draws the final state once and releases the line.
   * Calling it again does nothing.
   *
   * @param info Final numbers to show.
   */
  done(info?: Record<string, number>): void;
}

/** What {@linkcode formatProgress} prints. */
export interface ProgressState {
  /** Steps done. */
  step: number;
  /** Steps in all. */
  total: number;
  /** Seconds since the start. */
  elapsedS: number;
  /** Label in front of the bar. */
  label?: string;
  /** Numbers shown after the timing. */
  info?: Record<string, number>;
}

/**
 * Takes over the progress reports started while it is active, e.g. a progress
 * group showing one display for several loops.
 */
export interface ProgressHost {
  /**
   * Makes the report for a {@linkcode createProgress} call in `"auto"` mode.
   *
   * @param options The options given to `createProgress`.
   * @returns The report.
   */
  attach(options: ProgressOptions): Progress;
}

const hosts: ProgressHost[] = [];

/**
 * Makes `host` receive the {@linkcode createProgress} calls in `"auto"` mode
 * until the returned function is called. Hosts nest: the last one entered and
 * not yet left receives them.
 *
 * @param host The host.
 * @returns A function that removes the host (calling it again does nothing).
 */
export function enterProgressHost(host: ProgressHost): () => void {
  hosts.push(host);
  return () => {
    const i = hosts.lastIndexOf(host);
    if (i >= 0) hosts.splice(i, 1);
  };
}

/**
 * The host that {@linkcode createProgress} hands `"auto"` reports to now.
 *
 * @returns The innermost active host, or `undefined`.
 */
export function activeProgressHost(): ProgressHost | undefined {
  return hosts.at(-1);
}

/**
 * Starts a progress report. With `mode` `"auto"` (the default) and a
 * {@linkcode ProgressHost} active, the host makes the report.
 *
 * @param options Total, label and mode.
 * @returns The reporter; call `update` in the loop and `done` after it.
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const progress = createProgress({ total: 3, label: "fit", mode: "log", write: (t) => lines.push(t) });
 * for (let i = 1; i <= 3; i++) progress.update(i, { loss: 1 / i });
 * progress.done();
 * if (!lines.at(-1)!.includes("3/3")) throw new Error("no final line");
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const total = assertNumber(options.total, "total", { min: 1, integer: true });
  const requested = assertOneOf(options.mode ?? "auto", PROGRESS_MODES, "mode");
  const host = requested === "auto" ? activeProgressHost() : undefined;
  if (host) return host.attach(options);
  const mode = resolveProgressMode(requested);
  const now = options.now ?? (() => performance.now());
  const minInterval = assertNumber(options.minIntervalMs ?? 100, "minIntervalMs", { min: 0 });
  const label = options.label;
  const start = now();
  let lastDraw = -Infinity;
  let lastLogged = -1;
  let lastStep = 0;
  let lastInfo: Record<string, number> | undefined;
  let finished = false;

  const write = options.write ?? writeStderr;
  const color = options.color ?? (mode === "terminal" && colorAllowed());
  const display = options.display ?? notebookDisplay();
  let displayed = false;

  const state = (): ProgressState => ({
    step: lastStep,
    total,
    elapsedS: (now() - start) / 1000,
    label,
    info: lastInfo,
  });

  const draw = (final: boolean) => {
    switch (mode) {
      case "terminal": {
        write(`\r${formatProgress(state(), { color })}\x1b[K${final ? "\n" : ""}`);
        break;
      }
      case "log": {
        write(formatProgress(state(), { bar: false }) + "\n");
        break;
      }
      case "notebook": {
        const s = state();
        const sent: unknown = display(
          { "text/html": progressHtml(s), "text/plain": formatProgress(s, { bar: false }) },
          displayed,
        );
        if (sent instanceof Promise) sent.catch(() => {});
        displayed = true;
        break;
      }
      case "silent":
        break;
    }
  };

  return {
    mode,
    update(step: number, info?: Record<string, number>) {
      if (finished) return;
      assertNumber(step, "step", { min: 0 });
      lastStep = Math.min(step, total);
      if (info) lastInfo = info;
      if (mode === "silent") return;
      if (mode === "log") {
        // One line per started tenth of the run, and one at the end.
        const decile = Math.floor((10 * lastStep) / total);
        if (decile > lastLogged && lastStep < total) {
          lastLogged = decile;
          draw(false);
        }
        return;
      }
      const t = now();
      const interval = mode === "notebook" ? Math.max(minInterval, 250) : minInterval;
      if (t - lastDraw >= interval) {
        lastDraw = t;
        draw(false);
      }
    },
    done(info?: Record<string, number>) {
      if (finished) return;
      finished = true;
      if (info) lastInfo = info;
      draw(true);
    },
  };
}

/** Options of {@linkcode formatProgress}. */
export interface FormatProgressOptions {
  /** Include the bar (default `true`). */
  bar?: boolean;
  /** Bar width in characters (default 24). */
  width?: number;
  /** ANSI colour for the bar (default `false`). */
  color?: boolean;
}

/**
 * Formats one progress line, e.g.
 * `fit  40% |█████████▌              | 40/100 [00:12<00:18, 3.33 it/s] loss=0.0123`.
 *
 * @param state Steps, time and numbers.
 * @param options Bar and colour.
 * @returns The line (without a newline).
 */
export function formatProgress(state: ProgressState, options: FormatProgressOptions = {}): string {
  const { step, total, elapsedS } = state;
  const fraction = total > 0 ? Math.min(1, step / total) : 0;
  const rate = elapsedS > 0 ? step / elapsedS : NaN;
  const remaining = step >= total ? 0 : rate > 0 ? (total - step) / rate : NaN;
  const parts: string[] = [];
  if (state.label) parts.push(state.label);
  parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`);
  if (options.bar ?? true) {
    const bar = formatBar(fraction, options.width ?? 24);
    parts.push(options.color ? `|\x1b[32m${bar}\x1b[0m|` : `|${bar}|`);
  }
  const digits = String(total).length;
  parts.push(`${String(step).padStart(digits)}/${total}`);
  parts.push(`[${formatDuration(elapsedS)}<${formatDuration(remaining)}, ${formatRate(rate)}]`);
  const info = formatInfo(state.info);
  if (info) parts.push(info);
  return parts.join(" ");
}

/**
 * A bar of `width` characters filled to `fraction`, with eighth-block
 * characters for the partly filled cell.
 *
 * @param fraction Filled part in [0, 1].
 * @param width Characters.
 * @returns The bar.
 */
export function formatBar(fraction: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, fraction)) * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  const partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
  const text = "█".repeat(full) + (full < width ? partials[partial] : "");
  return text + " ".repeat(width - full - (partial && full < width ? 1 : 0));
}

/**
 * Formats seconds (rounded down) as `mm:ss`, or `h:mm:ss` from one hour; `--:--` when unknown.
 *
 * @param seconds Duration (NaN or infinite for unknown).
 * @returns The text.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * Formats a rate in iterations per second; below one per second as seconds
 * per iteration, which reads better for slow steps.
 *
 * @param perSecond Iterations per second (NaN for unknown).
 * @returns E.g. `12.3 it/s`, `4.20 s/it` or `? it/s`.
 */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "? it/s";
  if (perSecond < 1) return `${(1 / perSecond).toFixed(2)} s/it`;
  return `${perSecond < 100 ? perSecond.toFixed(2) : perSecond.toFixed(0)} it/s`;
}

/**
 * Formats numbers as `name=value` pairs with four significant digits.
 *
 * @param info The numbers.
 * @returns E.g. `loss=0.01234 psnr=28.41`, or `""` for none.
 */
export function formatInfo(info: Record<string, number> | undefined): string {
  if (!info) return "";
  return Object.entries(info).map(([k, v]) => `${k}=${formatNumber(v)}`).join(" ");
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/**
 * The HTML of the notebook display: a `<progress>` bar and the text line.
 *
 * @param state Steps, time and numbers.
 * @returns HTML text.
 */
export function progressHtml(state: ProgressState): string {
  const text = formatProgress({ ...state, label: undefined }, { bar: false });
  const label = state.label ? `<b>${escape(state.label)}</b> ` : "";
  // flex-wrap: a long label or text moves to a line of its own instead of breaking up.
  return `<div style="font:13px monospace;display:flex;flex-wrap:wrap;align-items:center;` +
    `gap:2px 8px">${label}` +
    `<progress value="${state.step}" max="${state.total}" style="width:240px;flex:none">` +
    `</progress>` +
    `<span>${escape(text)}</span></div>`;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Whether this code runs in Deno's Jupyter kernel. */
export function inJupyter(): boolean {
  try {
    return typeof Deno.jupyter?.broadcast === "function";
  } catch {
    return false; // Deno.jupyter throws outside `deno jupyter`
  }
}

/**
 * The mode `"auto"` stands for here: `"notebook"` in Deno's Jupyter kernel,
 * else `"terminal"` when stderr is a terminal, else `"log"`. Other modes are
 * returned as they are.
 *
 * @param mode A mode (default `"auto"`).
 * @returns The concrete mode.
 */
export function resolveProgressMode(mode: ProgressMode = "auto"): Exclude<ProgressMode, "auto"> {
  if (mode !== "auto") return mode;
  if (inJupyter()) return "notebook";
  try {
    return Deno.stderr.isTerminal() ? "terminal" : "log";
  } catch {
    return "log";
  }
}

function colorAllowed(): boolean {
  let terminal = false, noColor: string | undefined;
  try {
    terminal = Deno.stderr.isTerminal();
    const status = Deno.permissions.querySync({ name: "env", variable: "NO_COLOR" });
    if (status.state === "granted") noColor = Deno.env.get("NO_COLOR");
  } catch {
    return false;
  }
  return wantsColor(terminal, noColor);
}

/**
 * The `NO_COLOR` convention (no-color.org): colour only on a terminal, and
 * not when `NO_COLOR` is set to a non-empty value.
 *
 * @param terminal Whether the output is a terminal.
 * @param noColor The value of `NO_COLOR` (undefined when unset).
 * @returns Whether to use ANSI colours.
 */
export function wantsColor(terminal: boolean, noColor: string | undefined): boolean {
  return terminal && !noColor;
}

const encoder = new TextEncoder();

function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
}

/**
 * The notebook display of Deno's Jupyter kernel under one display id: a
 * `display_data` message first, then `update_display_data` messages that
 * replace its content in place (headless runs through nbclient keep the last
 * state). Outside the kernel it writes the first bundle's `text/plain` to
 * stderr. Errors in sending are swallowed: a display must not stop the
 * computation.
 *
 * @param displayId The display id (default a new random one).
 * @returns The display function; its promise settles once the message is sent.
 */
export function notebookDisplay(
  displayId = `pixelbias-progress-${crypto.randomUUID()}`,
): (bundle: Record<string, string>, update: boolean) => Promise<void> {
  return async (bundle: Record<string, string>, update: boolean) => {
    if (!inJupyter()) {
      if (!update) writeStderr(bundle["text/plain"] + "\n");
      return;
    }
    try {
      // Typed as a Promise, but some Deno versions return nothing.
      const sent: unknown = Deno.jupyter.broadcast(
        update ? "update_display_data" : "display_data",
        { data: bundle, metadata: {}, transient: { display_id: displayId } },
      );
      if (sent instanceof Promise) await sent.catch(() => {});
    } catch {
      // A display that cannot be sent must not stop the computation.
    }
  };
}
