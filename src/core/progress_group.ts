/**
 * A progress group: N tasks (experiments, folds, trainings) run one after
 * the other, each with its own step bar and numbers, shown as one report.
 *
 * - In a notebook (Deno's Jupyter kernel) the group is **one display** that
 *   updates in place: the current task (`i/N` and its label), its step bar
 *   with the latest numbers (loss, validation MAE, ...), and the ETA of the
 *   whole group. When the group ends the display collapses to a one-line
 *   summary: tasks run, reused from a previous run, wall time. Nothing goes
 *   to stderr but warnings. Headless runs (nbconvert) keep the last state of
 *   the display, i.e. the summary.
 * - In a terminal or a log, each task prints `experiment i/N: label` when it
 *   starts and `...: done in 3.2 s` (or `...: reused ...`) when it ends, then
 *   the ETA of the remaining tasks (from a second on), and its step bars draw
 *   as usual. The group prints no summary there.
 * - `"silent"` prints only warnings.
 *
 * While a group is active, every {@linkcode createProgress} call in `"auto"`
 * mode (what `optimize`, `fitDip` and the training loops make) attaches to
 * the group's current task, so library loops need no change. Groups are for
 * loops that run one after the other: "active" means started and not ended,
 * whatever async code runs meanwhile. In a notebook, a group idle for a
 * minute is taken for one left behind by an interrupted cell and let go.
 *
 * @module
 */
import { assertNumber, assertOneOf } from "./checks.ts";
import {
  createProgress,
  enterProgressHost,
  formatDuration,
  formatInfo,
  formatProgress,
  inJupyter,
  notebookDisplay,
  type Progress,
  PROGRESS_MODES,
  type ProgressDisplay,
  type ProgressHost,
  type ProgressMode,
  type ProgressOptions,
  type ProgressState,
  resolveProgressMode,
} from "./progress.ts";

/** Options of {@linkcode startProgressGroup}. */
export interface ProgressGroupOptions {
  /**
   * Number of tasks expected (>= 0). When left out the group starts at 0 and
   * grows by {@linkcode ProgressGroup.expect} and by the groups that join it;
   * a group given a total keeps it (it already counts them).
   */
  total?: number;
  /**
   * Expected cost of all tasks, in the units of each task's `cost` (default:
   * one unit per task). Only the ETA uses it.
   */
  cost?: number;
  /** Name of the group shown in front of the display and the summary (default none). */
  label?: string;
  /** What a task is called: `experiment 3/12` (default `"task"`; plural adds an `s`). */
  noun?: string;
  /**
   * Where to show progress (default `"auto"`). In `"auto"` mode a group
   * started while another is active joins it instead of making its own report.
   */
  mode?: ProgressMode;
  /** Clock in milliseconds (default `performance.now`); injected by tests. */
  now?: () => number;
  /** Output for task lines, step bars and warnings (default: stderr); injected by tests. */
  write?: (text: string) => void;
  /** Output for notebook mode (default: Deno's Jupyter display); injected by tests. */
  display?: ProgressDisplay;
  /** Colour the terminal bars (default as {@linkcode createProgress}). */
  color?: boolean;
  /** Least time between two redraws, in ms (default 100; at least 250 in a notebook). */
  minIntervalMs?: number;
  /**
   * In a notebook, a group with no activity (no task started or ended, no bar
   * moved) for this long, in ms, is taken for one left behind by an
   * interrupted cell: it ends as stopped, and later groups and bars no longer
   * attach to it (default 60 000).
   */
  staleAfterMs?: number;
}

/** Options of {@linkcode ProgressGroup.task}. */
export interface GroupTaskOptions {
  /** Expected cost of the task for the ETA (default 1). */
  cost?: number;
}

/** One task of a {@linkcode ProgressGroup}. */
export interface GroupTask {
  /** Its position in the group, from 1. */
  readonly index: number;
  /** Its label. */
  readonly label: string;
  /**
   * Marks the task as running: prints `noun i/N: label` in a terminal and
   * shows it as the current task in a notebook. Returns the task.
   */
  start(): GroupTask;
  /**
   * Shows numbers beside the task (merged with earlier ones: `loss` can
   * update every step while `valMAE` stays from the last validation).
   *
   * @param values The numbers.
   */
  info(values: Record<string, number>): void;
  /**
   * Prints a warning about the task (`noun i/N: label: message`) to the
   * output in every mode, notebooks included.
   *
   * @param message The warning.
   */
  warn(message: string): void;
  /**
   * Ends the task without running it (its result came from a previous run).
   *
   * @param detail Printed in a terminal after the label (default `"reused"`).
   */
  reuse(detail?: string): void;
  /**
   * Ends the task as run: `...: done in 3.2 s` in a terminal, then the ETA of
   * the remaining tasks. Calling it (or `fail`, `reuse`) again does nothing.
   *
   * @param info Final numbers (printed after the time).
   */
  done(info?: Record<string, number>): void;
  /** Ends the task as failed (the group's summary says where it stopped). */
  fail(): void;
}

/** What a group did; {@linkcode formatGroupSummary} prints it. */
export interface ProgressGroupSummary {
  /** The group's label. */
  label?: string;
  /** What a task is called. */
  noun: string;
  /** Tasks expected. */
  total: number;
  /** Tasks that ran to the end. */
  ran: number;
  /** Tasks reused from a previous run. */
  reused: number;
  /** Seconds from the start of the group to its end. */
  seconds: number;
  /** Where it stopped when it ended on an error: the task's position and label. */
  stoppedAt?: { index: number; label: string };
}

/** Options of {@linkcode ProgressGroup.end}. */
export interface ProgressGroupEndOptions {
  /** The error that ended the group, if any (the summary then says where it stopped). */
  error?: unknown;
}

/** A running group of tasks; {@linkcode startProgressGroup} makes one. */
export interface ProgressGroup extends ProgressHost {
  /** The mode in use (`"auto"` resolved). */
  readonly mode: Exclude<ProgressMode, "auto">;
  /** Tasks expected so far. */
  readonly total: number;
  /** Whether this handle joined an enclosing group (its `end` then leaves the group running). */
  readonly joined: boolean;
  /**
   * Expects more tasks.
   *
   * @param count Number of tasks (>= 0).
   * @param cost Their expected cost (default `count`).
   */
  expect(count: number, cost?: number): void;
  /**
   * Adds the next task (it shows once {@linkcode GroupTask.start}ed or ended).
   *
   * @param label What it is.
   * @param options Its cost.
   * @returns The task.
   */
  task(label: string, options?: GroupTaskOptions): GroupTask;
  /**
   * Prints a warning to the output in every mode.
   *
   * @param message The warning.
   */
  warn(message: string): void;
  /**
   * What the group did so far.
   *
   * @returns The summary.
   */
  summary(): ProgressGroupSummary;
  /**
   * Ends the group: in a notebook its display becomes the one-line summary
   * (once the message is sent). Tasks still running count as stopped.
   * Calling it again does nothing.
   *
   * @param options The error that ended it, if any.
   * @returns The summary.
   */
  end(options?: ProgressGroupEndOptions): Promise<ProgressGroupSummary>;
}

interface Bar {
  label?: string;
  total: number;
  step: number;
  info?: Record<string, number>;
  start: number;
  finished: boolean;
}

interface TaskState {
  index: number;
  label: string;
  cost: number;
  state: "pending" | "running" | "done" | "reused" | "failed";
  start: number;
  info?: Record<string, number>;
}

const groups: Group[] = [];

/**
 * Starts a group of tasks. In `"auto"` mode, while another group is active,
 * the new one joins it: its tasks count in the enclosing group's report.
 * End it with {@linkcode ProgressGroup.end} (or use
 * {@linkcode withProgressGroup}, which does).
 *
 * @param options Total, label, noun, mode.
 * @returns The group.
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * import { startProgressGroup } from "./progress_group.ts";
 * const lines: string[] = [];
 * const group = startProgressGroup({ total: 2, noun: "fold", mode: "log", write: (t) => lines.push(t) });
 * for (const fold of ["a", "b"]) {
 *   const task = group.task(`fold ${fold}`).start();
 *   const bar = createProgress({ total: 3 }); // attaches to the group
 *   for (let i = 1; i <= 3; i++) bar.update(i, { loss: 1 / i });
 *   bar.done();
 *   task.done();
 * }
 * const summary = await group.end();
 * if (summary.ran !== 2 || !lines[0].startsWith("fold 1/2: fold a")) throw new Error("no group");
 * ```
 */
export function startProgressGroup(options: ProgressGroupOptions = {}): ProgressGroup {
  const requested = assertOneOf(options.mode ?? "auto", PROGRESS_MODES, "mode");
  const parent = innermostGroup();
  if (requested === "auto" && parent) return parent.join(options);
  const group = new Group(options, resolveProgressMode(requested));
  groups.push(group);
  group.leaveHost = enterProgressHost(group);
  return group;
}

/**
 * Runs `fn` inside a progress group and ends the group afterwards, also when
 * `fn` throws (the summary then says where it stopped).
 *
 * @param options See {@linkcode ProgressGroupOptions}.
 * @param fn The tasks; gets the group.
 * @returns What `fn` returns.
 */
export async function withProgressGroup<T>(
  options: ProgressGroupOptions,
  fn: (group: ProgressGroup) => Promise<T>,
): Promise<T> {
  const group = startProgressGroup(options);
  let result: T;
  try {
    result = await fn(group);
  } catch (e) {
    await group.end({ error: e });
    throw e;
  }
  await group.end();
  return result;
}

/**
 * The group that tasks and `"auto"` progress reports go to now.
 *
 * @returns The innermost active group, or `undefined`.
 */
export function activeProgressGroup(): ProgressGroup | undefined {
  return innermostGroup();
}

function innermostGroup(): Group | undefined {
  // A cell interrupted in a notebook never ends its group: let it go.
  while (groups.at(-1)?.stale()) groups.at(-1)!.abandon();
  return groups.at(-1);
}

/**
 * The one-line summary of a group, e.g.
 * `fig10: 12 experiments — 9 run, 3 reused from a previous run — wall time 42.0 s`.
 *
 * @param s The summary.
 * @returns The line.
 */
export function formatGroupSummary(s: ProgressGroupSummary): string {
  const head = s.label ? `${s.label}: ` : "";
  const counts = [`${s.ran} run`];
  if (s.reused > 0) counts.push(`${s.reused} reused from a previous run`);
  const time = `wall time ${formatSeconds(s.seconds)}`;
  if (s.stoppedAt) {
    const at = `${s.noun} ${s.stoppedAt.index}/${Math.max(s.total, s.stoppedAt.index)}`;
    return `${head}stopped at ${at} (${s.stoppedAt.label}) — ${counts.join(", ")} — ${time}`;
  }
  const n = s.ran + s.reused;
  return `${head}${n} ${plural(s.noun, n)} — ${counts.join(", ")} — ${time}`;
}

/**
 * Seconds as `4.2 s` below a minute, else `mm:ss` or `h:mm:ss`.
 *
 * @param seconds The duration.
 * @returns The text.
 */
export function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(seconds);
}

function plural(noun: string, n: number): string {
  return n === 1 ? noun : `${noun}s`;
}

class Group implements ProgressGroup {
  readonly mode: Exclude<ProgressMode, "auto">;
  readonly joined = false;
  leaveHost: () => void = () => {};
  #total: number;
  #cost: number;
  readonly #growable: boolean;
  readonly #label?: string;
  readonly #noun: string;
  readonly #now: () => number;
  readonly #write: (text: string) => void;
  readonly #display?: ProgressDisplay;
  readonly #color?: boolean;
  readonly #interval: number;
  readonly #staleAfter: number;
  readonly #start: number;
  #lastActivity: number;
  readonly #tasks: TaskState[] = [];
  #current?: TaskState;
  #bar?: Bar;
  #spentCost = 0;
  #spentSeconds = 0;
  #displayed = false;
  #lastRender = -Infinity;
  #ended?: ProgressGroupSummary;

  constructor(options: ProgressGroupOptions, mode: Exclude<ProgressMode, "auto">) {
    this.mode = mode;
    this.#growable = options.total === undefined;
    this.#total = assertNumber(options.total ?? 0, "total", { min: 0, integer: true });
    this.#cost = assertNumber(options.cost ?? this.#total, "cost", { min: 0 });
    this.#label = options.label;
    this.#noun = options.noun ?? "task";
    this.#now = options.now ?? (() => performance.now());
    this.#write = options.write ?? writeStderr;
    this.#color = options.color;
    const min = assertNumber(options.minIntervalMs ?? 100, "minIntervalMs", { min: 0 });
    this.#interval = mode === "notebook" ? Math.max(min, 250) : min;
    if (mode === "notebook") {
      this.#display = options.display ??
        (inJupyter() ? notebookDisplay(`pixelbias-group-${crypto.randomUUID()}`) : undefined);
    }
    this.#staleAfter = assertNumber(options.staleAfterMs ?? 60_000, "staleAfterMs", { min: 0 });
    this.#start = this.#now();
    this.#lastActivity = this.#start;
  }

  /** Whether this is a notebook group idle for so long that its cell was interrupted. */
  stale(): boolean {
    return this.mode === "notebook" && !this.#ended &&
      this.#now() - this.#lastActivity > this.#staleAfter;
  }

  /** Ends a stale group without waiting: its display says where it stopped. */
  abandon(): void {
    this.end({ error: "abandoned" }).catch(() => {});
  }

  get total(): number {
    return this.#total;
  }

  /** A handle for a group started inside this one. */
  join(options: ProgressGroupOptions): ProgressGroup {
    if (this.#growable) {
      const count = assertNumber(options.total ?? 0, "total", { min: 0, integer: true });
      this.expect(count, options.cost);
    }
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      mode: self.mode,
      joined: true,
      get total() {
        return self.total;
      },
      expect: (count, cost) => self.expect(count, cost),
      task: (label, o) => self.task(label, o),
      warn: (message) => self.warn(message),
      attach: (o) => self.attach(o),
      summary: () => self.summary(),
      end: () => Promise.resolve(self.summary()),
    };
  }

  expect(count: number, cost?: number): void {
    assertNumber(count, "count", { min: 0, integer: true });
    this.#total += count;
    this.#cost += assertNumber(cost ?? count, "cost", { min: 0 });
  }

  task(label: string, options: GroupTaskOptions = {}): GroupTask {
    if (this.#ended) throw new Error(`task "${label}" added to a progress group that has ended`);
    this.#lastActivity = this.#now();
    const t: TaskState = {
      index: this.#tasks.length + 1,
      label,
      cost: assertNumber(options.cost ?? 1, "cost", { min: 0 }),
      state: "pending",
      start: this.#now(),
    };
    this.#tasks.push(t);
    if (this.#growable && t.index > this.#total) this.#total = t.index;
    // deno-lint-ignore no-this-alias
    const group = this;
    const handle: GroupTask = {
      index: t.index,
      label,
      start() {
        if (t.state !== "pending") return handle;
        t.state = "running";
        t.start = group.#now();
        group.#current = t;
        group.#bar = undefined;
        group.#line(`${group.#tag(t)} ${label}`);
        group.#render();
        return handle;
      },
      info(values) {
        t.info = { ...t.info, ...values };
        group.#render();
      },
      warn(message) {
        group.warn(`${group.#tag(t)} ${label}: ${message}`);
      },
      reuse(detail) {
        if (t.state !== "pending" && t.state !== "running") return;
        t.state = "reused";
        group.#line(`${group.#tag(t)} ${label}: ${detail ?? "reused"}`);
        group.#settle(t);
      },
      done(info) {
        if (t.state !== "pending" && t.state !== "running") return;
        if (t.state === "pending") handle.start();
        if (info) t.info = { ...t.info, ...info };
        t.state = "done";
        const seconds = (group.#now() - t.start) / 1000;
        group.#spentCost += t.cost;
        group.#spentSeconds += seconds;
        const numbers = info ? ` (${formatInfo(info)})` : "";
        group.#line(`${group.#tag(t)} ${label}: done in ${seconds.toFixed(1)} s${numbers}`);
        const remaining = group.#remainingCost();
        const eta = group.#spentCost > 0 ? (remaining * group.#spentSeconds) / group.#spentCost : 0;
        if (eta >= 1) {
          group.#line(`  about ${formatDuration(eta)} left for the remaining ${group.#noun}s`);
        }
        group.#settle(t);
      },
      fail() {
        if (t.state !== "pending" && t.state !== "running") return;
        t.state = "failed";
        group.#settle(t);
      },
    };
    return handle;
  }

  warn(message: string): void {
    this.#write(`warning: ${message}\n`);
  }

  attach(options: ProgressOptions): Progress {
    if (this.stale()) {
      this.abandon(); // leaves the host stack: the next host, or none, makes the report
      return createProgress(options);
    }
    this.#lastActivity = this.#now();
    if (this.mode !== "notebook") {
      return createProgress({
        ...options,
        mode: this.mode,
        now: options.now ?? this.#now,
        write: options.write ?? this.#write,
        color: options.color ?? this.#color,
      });
    }
    const total = assertNumber(options.total, "total", { min: 1, integer: true });
    const bar: Bar = { label: options.label, total, step: 0, start: this.#now(), finished: false };
    this.#bar = bar;
    return {
      mode: "notebook",
      update: (step, info) => {
        if (bar.finished) return;
        assertNumber(step, "step", { min: 0 });
        bar.step = Math.min(step, total);
        if (info) bar.info = info;
        if (this.#bar === bar) this.#render();
      },
      done: (info) => {
        if (bar.finished) return;
        bar.finished = true;
        if (info) bar.info = info;
        if (this.#bar === bar) this.#render();
      },
    };
  }

  summary(): ProgressGroupSummary {
    if (this.#ended) return this.#ended;
    const count = (state: TaskState["state"]) =>
      this.#tasks.filter((t) => t.state === state).length;
    return {
      label: this.#label,
      noun: this.#noun,
      total: this.#total,
      ran: count("done"),
      reused: count("reused"),
      seconds: (this.#now() - this.#start) / 1000,
    };
  }

  async end(options: ProgressGroupEndOptions = {}): Promise<ProgressGroupSummary> {
    if (this.#ended) return this.#ended;
    const open = this.#tasks.filter((t) => t.state === "pending" || t.state === "running");
    for (const t of open) t.state = "failed";
    const failed = this.#tasks.find((t) => t.state === "failed");
    const summary = this.summary();
    if (failed || options.error !== undefined) {
      const at = failed ?? this.#tasks.at(-1);
      if (at) summary.stoppedAt = { index: at.index, label: at.label };
    }
    this.#ended = summary;
    const i = groups.lastIndexOf(this);
    if (i >= 0) groups.splice(i, 1);
    this.leaveHost();
    if (this.mode === "notebook" && (this.#displayed || this.#tasks.length > 0)) {
      const line = formatGroupSummary(summary);
      const ok = summary.stoppedAt === undefined;
      await this.#show({
        "text/html": `<div style="${FONT}">${ok ? "✓" : "✗"} ${escapeHtml(line)}</div>`,
        "text/plain": line,
      });
    }
    return summary;
  }

  #tag(t: TaskState): string {
    return this.#total > 0 ? `${this.#noun} ${t.index}/${this.#total}:` : `[${t.index}]`;
  }

  /** A task line in terminal and log modes. */
  #line(text: string): void {
    if (this.mode === "terminal" || this.mode === "log") this.#write(text + "\n");
  }

  #settle(t: TaskState): void {
    if (this.#current === t) {
      this.#current = undefined;
      this.#bar = undefined;
    }
    this.#render();
  }

  /** Expected cost of the tasks not ended yet (added or not). */
  #remainingCost(): number {
    let settled = 0, open = 0;
    for (const t of this.#tasks) {
      if (t.state === "pending" || t.state === "running") open += t.cost;
      else settled += t.cost;
    }
    return Math.max(this.#cost - settled, open);
  }

  /** Seconds left for the whole group, NaN while unknown. */
  #eta(): number {
    const t = this.#current;
    const bar = this.#bar;
    const fraction = t && bar ? bar.step / bar.total : 0;
    let perCost = this.#spentCost > 0 ? this.#spentSeconds / this.#spentCost : NaN;
    if (!(perCost >= 0) && t && fraction > 0 && t.cost > 0) {
      perCost = (this.#now() - t.start) / 1000 / (fraction * t.cost);
    }
    const left = this.#remainingCost() - (t ? t.cost * fraction : 0);
    return left <= 0 ? 0 : left * perCost;
  }

  /** Redraws the notebook display, at most once per interval after the first. */
  #render(): void {
    const t = this.#now();
    this.#lastActivity = t;
    if (this.mode !== "notebook" || this.#ended) return;
    if (this.#displayed && t - this.#lastRender < this.#interval) return;
    this.#lastRender = t;
    this.#show(this.#bundle()).catch(() => {});
  }

  async #show(bundle: Record<string, string>): Promise<void> {
    const update = this.#displayed;
    this.#displayed = true;
    if (this.#display) {
      const sent: unknown = this.#display(bundle, update);
      if (sent instanceof Promise) await sent;
    } else if (this.#ended) {
      // Notebook mode forced outside the kernel: the summary only.
      this.#write(bundle["text/plain"] + "\n");
    }
  }

  #bundle(): Record<string, string> {
    const settled = this.#tasks.filter((t) => t.state !== "pending" && t.state !== "running");
    const reused = settled.filter((t) => t.state === "reused").length;
    const task = this.#current;
    const eta = this.#eta();
    const head: string[] = [];
    if (task) head.push(`${this.#noun} ${task.index}/${Math.max(this.#total, task.index)}`);
    else head.push(`${settled.length}/${this.#total} ${plural(this.#noun, this.#total)}`);
    if (Number.isFinite(eta)) head.push(`about ${formatDuration(eta)} left`);
    if (reused > 0) head.push(`${reused} reused`);
    const headText = head.join(" · ");
    const taskText = task ? [task.label, formatInfo(task.info)].filter(Boolean).join("  ") : "";
    const bar = this.#bar;
    const barState: ProgressState | undefined = bar && {
      step: bar.step,
      total: bar.total,
      elapsedS: (this.#now() - bar.start) / 1000,
      label: bar.label,
      info: bar.info,
    };
    const label = this.#label ? `${this.#label} — ` : "";
    const plain = [`${label}${headText}`];
    if (taskText) plain.push(`  ${taskText}`);
    if (barState) plain.push(`  ${formatProgress(barState, { bar: false })}`);

    // flex-wrap: a long label or text moves to a line of its own instead of breaking up.
    const row = `display:flex;flex-wrap:wrap;align-items:center;gap:2px 8px`;
    const html = [`<div style="${FONT}">`];
    html.push(
      `<div style="${row}">` + (this.#label ? `<b>${escapeHtml(this.#label)}</b>` : "") +
        `<progress value="${settled.length}" max="${Math.max(1, this.#total)}" ` +
        `style="width:120px;flex:none"></progress><span>${escapeHtml(headText)}</span></div>`,
    );
    if (taskText) {
      html.push(`<div style="padding-left:2ch">${escapeHtml(taskText)}</div>`);
    }
    if (barState) {
      const text = formatProgress({ ...barState, label: undefined }, { bar: false });
      html.push(
        `<div style="${row};padding-left:2ch">` +
          (barState.label ? `<span>${escapeHtml(barState.label)}</span>` : "") +
          `<progress value="${barState.step}" max="${barState.total}" ` +
          `style="width:240px;flex:none">` +
          `</progress><span>${escapeHtml(text)}</span></div>`,
      );
    }
    html.push("</div>");
    return { "text/html": html.join(""), "text/plain": plain.join("\n") };
  }
}

const FONT = "font:13px monospace;line-height:1.5";

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const encoder = new TextEncoder();

/**
 * Stderr. In Deno's kernel only `console` output reaches the notebook (as a
 * stderr stream); there a group writes nothing but warnings, one line each.
 */
function writeStderr(text: string): void {
  if (inJupyter()) {
    console.error(text.replace(/\n$/, ""));
    return;
  }
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
}
