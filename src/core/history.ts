/**
 * The record of a run: named series of numbers against the step at which
 * they were measured, ready to plot.
 *
 * @module
 */

/** One named series: x are steps, y the values measured there. */
export interface Series {
  /** Steps (or any abscissa), increasing. */
  x: number[];
  /** Values measured at those steps. */
  y: number[];
}

/**
 * Named series recorded during a run.
 *
 * @example
 * ```ts
 * import { History } from "./history.ts";
 * const h = new History();
 * h.add(10, { psnr: 25.1, loss: 0.01 });
 * h.add(20, { psnr: 26.3 });
 * console.log(h.series("psnr")); // { x: [10, 20], y: [25.1, 26.3] }
 * ```
 */
export class History {
  #series = new Map<string, Series>();

  /**
   * Records values measured at `step`.
   *
   * @param step The step.
   * @param values The values by name.
   */
  add(step: number, values: Record<string, number>): void {
    for (const [key, value] of Object.entries(values)) {
      let s = this.#series.get(key);
      if (!s) {
        s = { x: [], y: [] };
        this.#series.set(key, s);
      }
      s.x.push(step);
      s.y.push(value);
    }
  }

  /**
   * The series named `key` (empty if never recorded).
   *
   * @param key The name.
   * @returns The series; do not mutate.
   */
  series(key: string): Series {
    return this.#series.get(key) ?? { x: [], y: [] };
  }

  /**
   * Whether a series named `key` exists.
   *
   * @param key The name.
   * @returns `true` if values were recorded under `key`.
   */
  has(key: string): boolean {
    return this.#series.has(key);
  }

  /**
   * The names of the recorded series.
   *
   * @returns The names, in order of first record.
   */
  keys(): string[] {
    return [...this.#series.keys()];
  }

  /**
   * The last value of a series.
   *
   * @param key The name.
   * @returns The last value, or `undefined`.
   */
  last(key: string): number | undefined {
    const s = this.#series.get(key);
    return s ? s.y[s.y.length - 1] : undefined;
  }

  /**
   * The largest value of a series and its step.
   *
   * @param key The name.
   * @returns `{step, value}`, or `undefined` for an empty series.
   */
  max(key: string): { step: number; value: number } | undefined {
    const s = this.#series.get(key);
    if (!s || s.y.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < s.y.length; i++) if (s.y[i] > s.y[best]) best = i;
    return { step: s.x[best], value: s.y[best] };
  }

  /**
   * Drops every value recorded after `step` (used when resuming).
   *
   * @param step The last step to keep.
   */
  truncate(step: number): void {
    for (const s of this.#series.values()) {
      let n = s.x.length;
      while (n > 0 && s.x[n - 1] > step) n--;
      s.x.length = n;
      s.y.length = n;
    }
  }

  /**
   * A plain JSON form.
   *
   * @returns The series by name.
   */
  toJSON(): Record<string, Series> {
    return Object.fromEntries(
      [...this.#series].map(([k, s]) => [k, { x: [...s.x], y: [...s.y] }]),
    );
  }

  /**
   * Rebuilds a history from {@linkcode History.toJSON}.
   *
   * @param json The JSON form.
   * @returns The history.
   */
  static fromJSON(json: Record<string, Series>): History {
    const h = new History();
    for (const [k, s] of Object.entries(json)) {
      if (!Array.isArray(s?.x) || !Array.isArray(s?.y) || s.x.length !== s.y.length) {
        throw new TypeError(`history series "${k}" must have x and y arrays of equal length`);
      }
      h.#series.set(k, { x: [...s.x], y: [...s.y] });
    }
    return h;
  }
}
