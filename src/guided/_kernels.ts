/**
 * The box and guided filters as plain loops over float32 arrays (NHWC, on
 * the wasm heap in place or in the cpu backend's arrays; see `_host.ts`),
 * with float64 running sums: O(1) per pixel in r, one pass over the rows.
 *
 * Each filter slides a window of rows down the image: a column sum per
 * pixel and quantity is updated by the row entering and the row leaving
 * (vertical), then a running sum along the row gives the window sums
 * (horizontal). The guided filter does this twice in one sweep: the window
 * statistics of guide and target give the coefficients (a, b) of a row
 * (eqs. 3.3–3.4, solved in float64: closed form for a gray guide, the
 * adjugate of the regularised 3 × 3 covariance for a colour guide), which go
 * into a ring of 2r + 2 rows; their window means, r rows behind, give the
 * output (eq. 3.11). No plane of the image size is allocated beyond the
 * output.
 *
 * The row loops are generated per configuration (guide and target
 * channels, what is written) with `new Function` and cached: every window
 * sum is then a local variable that V8 keeps in a register, 2–3× faster
 * than the same loops over small arrays (measured).
 *
 * The sums are float64, so no centring is needed: products of float32
 * values are exact in float64, and a sum of up to (2r+1)² terms slid across
 * the image keeps a relative error near 1e-15. The results match a float64
 * reference to the float32 rounding of the output.
 *
 * Internal: not exported from `mod.ts`.
 *
 * @module
 */

/** An NHWC image batch as a flat float32 array. */
export interface Batch {
  /** The values, `[N, H, W, C]` row-major. */
  data: Float32Array;
  /** Channels C. */
  c: number;
}

/** 1 / (number of pixels of each cut window along an axis of n pixels). */
function inverseCounts(n: number, r: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 1 / (Math.min(i + r, n - 1) - Math.max(i - r, 0) + 1);
  return out;
}

/** `col[at + j] += x[from + j]` for `j < len`. */
function addRow(col: Float64Array, at: number, x: Float32Array, from: number, len: number): void {
  for (let j = 0; j < len; j++) col[at + j] += x[from + j];
}

/** `col[at + j] += x[add + j] − x[sub + j]` (either row may be absent: −1). */
function slideRow(
  col: Float64Array,
  at: number,
  x: Float32Array,
  add: number,
  sub: number,
  len: number,
): void {
  if (add >= 0 && sub >= 0) {
    for (let j = 0; j < len; j++) col[at + j] += x[add + j] - x[sub + j];
  } else if (add >= 0) {
    for (let j = 0; j < len; j++) col[at + j] += x[add + j];
  } else if (sub >= 0) {
    for (let j = 0; j < len; j++) col[at + j] -= x[sub + j];
  }
}

/**
 * Window sums along a row of `w` pixels of `q` interleaved quantities.
 * `col` holds the column sums at `[(rw + 1)·q, (rw + 1 + w)·q)` with zeros
 * around (`(rw + 1)·q` before, `rw·q` after); `run` receives the sums over
 * `[x − rw, x + rw]` cut to the row.
 */
function rowSums(col: Float64Array, run: Float64Array, w: number, q: number, rw: number): void {
  const pad = (rw + 1) * q, d = (2 * rw + 1) * q, len = w * q;
  for (let k = 0; k < q; k++) {
    let s = 0;
    for (let j = 0; j < rw; j++) s += col[pad + j * q + k];
    run[k] = s + col[k + d] - col[k];
  }
  for (let k = q; k < len; k++) run[k] = run[k - q] + col[k + d] - col[k];
}

/**
 * Box mean over the `(2r+1)²` window cut to the image, of every channel.
 *
 * @param x Input `[N, H, W, C]`.
 * @param out Output, same size (may not alias `x`).
 * @param n Batch size.
 * @param h Height.
 * @param w Width.
 * @param c Channels.
 * @param r Radius ≥ 0.
 */
export function boxMean(
  x: Float32Array,
  out: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  r: number,
): void {
  const rh = Math.min(r, h - 1), rw = Math.min(r, w - 1);
  const len = w * c, pad = (rw + 1) * c;
  const col = new Float64Array(len + (2 * rw + 1) * c);
  const ix = inverseCounts(w, rw), iy = inverseCounts(h, rh);
  if (c <= MAX_GENERATED_CHANNELS) {
    const row = boxRow(c), zero = new Float32Array(len);
    for (let b = 0; b < n; b++) {
      const base = b * h * len;
      col.fill(0);
      for (let y = 0; y < rh; y++) addRow(col, pad, x, base + y * len, len);
      for (let y = 0; y < h; y++) {
        const ya = y + rh, ys = y - rh - 1;
        row(
          col,
          ya < h ? x : zero,
          ya < h ? base + ya * len : 0,
          ys >= 0 ? x : zero,
          ys >= 0 ? base + ys * len : 0,
          ix,
          iy[y],
          w,
          rw,
          out,
          base + y * len,
        );
      }
    }
    return;
  }
  const run = new Float64Array(len);
  const ixc = new Float64Array(len);
  for (let j = 0; j < len; j++) ixc[j] = ix[(j / c) | 0];
  for (let b = 0; b < n; b++) {
    const base = b * h * len;
    col.fill(0);
    for (let y = 0; y < rh; y++) addRow(col, pad, x, base + y * len, len);
    for (let y = 0; y < h; y++) {
      const ya = y + rh, ys = y - rh - 1;
      slideRow(col, pad, x, ya < h ? base + ya * len : -1, ys >= 0 ? base + ys * len : -1, len);
      rowSums(col, run, w, c, rw);
      const o = base + y * len, s = iy[y];
      for (let j = 0; j < len; j++) out[o + j] = run[j] * ixc[j] * s;
    }
  }
}

/** What {@linkcode guidedSweep} writes. */
export type SweepOutput =
  /** The filtered target q = Σₖ āₖ Gₖ + b̄, `[N, H, W, Ct]`. */
  | { kind: "filter"; q: Float32Array }
  /**
   * The window means of the coefficients: ā `[N, H, W, Cg·Ct]`
   * (guide-channel-major: channel k·Ct + c) and, when given, b̄ `[N, H, W, Ct]`.
   */
  | { kind: "means"; a: Float32Array; b: Float32Array | null };

/** Quantities per pixel whose window sums give the coefficients. */
function statsCount(cg: number, ct: number): number {
  return cg === 1 ? 2 + 2 * ct : 9 + 4 * ct;
}

const list = (n: number, f: (j: number) => string, sep = " ") =>
  Array.from({ length: n }, (_, j) => f(j)).join(sep);

/**
 * Source of the statements that move column `j` of the statistics' column
 * sums by the rows entering (`gA`/`pA` at `ga`/`pa`) and leaving (`gS`/`pS`
 * at `gs`/`ps`) the window and leave its new values in `n0…`. Per pixel,
 * gray guide: `[G, G², p_c…, G·p_c…]`; colour guide: `[G_k (3), G_k G_l
 * (6: 00 01 02 11 12 22), p_c…, G_k p_c… (k·Ct + c)]`. Products of float32
 * values are exact in float64.
 */
function statsUpdate(cg: number, ct: number): string {
  const q = statsCount(cg, ct);
  const set = (m: number, delta: string) =>
    `n${m} = col[k + ${m}] + (${delta}); col[k + ${m}] = n${m};`;
  const lines = [`const k = P + j * ${q}, pb = pa + j * ${ct}, qb = ps + j * ${ct};`];
  if (cg === 1) {
    lines.push(`const ia = gA[ga + j], is = gS[gs + j];`);
    lines.push(set(0, "ia - is"), set(1, "ia * ia - is * is"));
    for (let c = 0; c < ct; c++) {
      lines.push(`const va${c} = pA[pb + ${c}], vs${c} = pS[qb + ${c}];`);
      lines.push(set(2 + c, `va${c} - vs${c}`), set(2 + ct + c, `ia * va${c} - is * vs${c}`));
    }
    return lines.join("\n");
  }
  lines.push(`const ga3 = ga + 3 * j, gs3 = gs + 3 * j;`);
  for (let i = 0; i < 3; i++) lines.push(`const a${i} = gA[ga3 + ${i}], s${i} = gS[gs3 + ${i}];`);
  for (let i = 0; i < 3; i++) lines.push(set(i, `a${i} - s${i}`));
  const pairs = [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
  pairs.forEach(([i, l], m) => lines.push(set(3 + m, `a${i} * a${l} - s${i} * s${l}`)));
  for (let c = 0; c < ct; c++) {
    lines.push(`const va${c} = pA[pb + ${c}], vs${c} = pS[qb + ${c}];`);
    lines.push(set(9 + c, `va${c} - vs${c}`));
    for (let i = 0; i < 3; i++) {
      lines.push(set(9 + (i + 1) * ct + c, `a${i} * va${c} - s${i} * vs${c}`));
    }
  }
  return lines.join("\n");
}

/**
 * Source of the solve of one window from its sums `u0…` (scale `sc` = 1 /
 * pixels in the window, regulariser `e`): the coefficients `[a (k·Ct + c)…,
 * b_c…]`, written to the ring at `o` and added to the coefficients' column
 * sums at `o2`. Gray guide: a = cov / (var + ε), b = p̄ − a·Ḡ (eqs. 3.3–3.4);
 * colour guide: a = (Σ + εU)⁻¹ cov by the adjugate (He et al. eq. 14).
 */
function solve(cg: number, ct: number): string {
  const lines: string[] = [];
  const put = (m: number, v: string) => `ring[o + ${m}] = ${v}; col2[o2 + ${m}] += ${v};`;
  if (cg === 1) {
    lines.push(`const mi = u0 * sc, inv = 1 / (u1 * sc - mi * mi + e);`);
    for (let c = 0; c < ct; c++) {
      lines.push(
        `const mp${c} = u${2 + c} * sc, a${c} = (u${2 + ct + c} * sc - mi * mp${c}) * inv;`,
      );
      lines.push(`const b${c} = mp${c} - a${c} * mi;`);
      lines.push(put(c, `a${c}`), put(ct + c, `b${c}`));
    }
    return lines.join("\n");
  }
  lines.push(`const m0 = u0 * sc, m1 = u1 * sc, m2 = u2 * sc;`);
  lines.push(
    `const s00 = u3 * sc - m0 * m0 + e, s01 = u4 * sc - m0 * m1, s02 = u5 * sc - m0 * m2;`,
  );
  lines.push(
    `const s11 = u6 * sc - m1 * m1 + e, s12 = u7 * sc - m1 * m2, s22 = u8 * sc - m2 * m2 + e;`,
  );
  // adjugate of the symmetric positive definite [[s00 s01 s02] [s01 s11 s12] [s02 s12 s22]]
  lines.push(
    `const i00 = s11 * s22 - s12 * s12, i01 = s02 * s12 - s01 * s22, i02 = s01 * s12 - s02 * s11;`,
  );
  lines.push(
    `const i11 = s00 * s22 - s02 * s02, i12 = s01 * s02 - s00 * s12, i22 = s00 * s11 - s01 * s01;`,
  );
  lines.push(`const inv = 1 / (s00 * i00 + s01 * i01 + s02 * i02);`);
  for (let c = 0; c < ct; c++) {
    lines.push(`const mp${c} = u${9 + c} * sc;`);
    for (let i = 0; i < 3; i++) {
      lines.push(`const c${i}_${c} = u${9 + (i + 1) * ct + c} * sc - m${i} * mp${c};`);
    }
    lines.push(`const a0_${c} = (i00 * c0_${c} + i01 * c1_${c} + i02 * c2_${c}) * inv;`);
    lines.push(`const a1_${c} = (i01 * c0_${c} + i11 * c1_${c} + i12 * c2_${c}) * inv;`);
    lines.push(`const a2_${c} = (i02 * c0_${c} + i12 * c1_${c} + i22 * c2_${c}) * inv;`);
    lines.push(`const b${c} = mp${c} - a0_${c} * m0 - a1_${c} * m1 - a2_${c} * m2;`);
    for (let i = 0; i < 3; i++) lines.push(put(i * ct + c, `a${i}_${c}`));
    lines.push(put(3 * ct + c, `b${c}`));
  }
  return lines.join("\n");
}

/**
 * Source of a function sliding the window along one row: the column sums
 * of quantities `q` at padded position `P + j·q` are moved (`update`, which
 * leaves the new values in `n0…`) one column ahead of the running window
 * sums `u0…`, then `body` uses the window at `x`.
 */
function slider(q: number, update: string, body: string): string {
  const zero = list(q, (m) => `n${m} = 0`, ", ");
  return `
const P = (rw + 1) * ${q};
let ${list(q, (m) => `u${m} = 0`, ", ")};
for (let j = 0; j < rw; j++) {
  let ${zero};
  ${update}
  ${list(q, (m) => `u${m} += n${m};`)}
}
for (let x = 0; x < w; x++) {
  const j = x + rw, ko = x * ${q};
  let ${zero};
  if (j < w) {
    ${update}
  }
  ${list(q, (m) => `u${m} += n${m} - col[ko + ${m}];`)}
  const sc = ix[x] * iy;
  ${body}
}`;
}

/** Channels up to which {@linkcode boxMean} runs a generated row function. */
const MAX_GENERATED_CHANNELS = 16;

/** One row of {@linkcode boxMean}: slides the column sums by a row and writes the means. */
function boxRow(c: number) {
  return compile(
    `box ${c}`,
    "col xA a xS s ix iy w rw out o".split(" "),
    () =>
      slider(
        c,
        `const k = P + j * ${c}, ja = a + j * ${c}, js = s + j * ${c};
        ${
          list(
            c,
            (m) =>
              `n${m} = col[k + ${m}] + (xA[ja + ${m}] - xS[js + ${m}]); col[k + ${m}] = n${m};`,
          )
        }`,
        `const ox = o + x * ${c}; ${list(c, (m) => `out[ox + ${m}] = u${m} * sc;`)}`,
      ),
  );
}

/** Generated row functions, by configuration. */
const generated = new Map<string, (...args: unknown[]) => unknown>();

function compile(key: string, params: string[], source: () => string) {
  let f = generated.get(key);
  if (f === undefined) {
    f = new Function(...params, `"use strict";\n${source()}`) as (...args: unknown[]) => unknown;
    generated.set(key, f);
  }
  return f;
}

/** Moves the statistics' column sums `col` by one row (no window sums). */
function statsRow(cg: number, ct: number) {
  const q = statsCount(cg, ct);
  return compile(
    `stats ${cg} ${ct}`,
    "col gA ga pA pa gS gs pS ps w rw".split(" "),
    () => `
const P = (rw + 1) * ${q};
for (let j = 0; j < w; j++) {
  let ${list(q, (m) => `n${m} = 0`, ", ")};
  ${statsUpdate(cg, ct)}
}`,
  );
}

/**
 * The coefficients of one row: slides the statistics' column sums `col` by
 * one row, solves every window, writes `[a…, b…]` per pixel to `ring` at
 * `at` and adds them to the coefficients' column sums `col2`.
 */
function coefficientRow(cg: number, ct: number, map: boolean) {
  const q2 = (cg + 1) * ct;
  return compile(
    `coef ${cg} ${ct} ${map}`,
    "col gA ga pA pa gS gs pS ps ring at col2 ix iy w rw eps epsMap epsRow".split(" "),
    () =>
      slider(
        statsCount(cg, ct),
        statsUpdate(cg, ct),
        `const e = ${map ? "epsMap[epsRow + x]" : "eps"};
        const o = at + x * ${q2}, o2 = (rw + 1 + x) * ${q2};
        ${solve(cg, ct)}`,
      ),
  );
}

/**
 * One output row: slides the coefficients' column sums `col` by removing
 * the ring row `old` at `os` leaving the window, then writes q = Σₖ āₖ Gₖ +
 * b̄ (`filter`) or ā and b̄ (`means`).
 */
function outputRow(cg: number, ct: number, kind: "filter" | "means", withB: boolean) {
  const q = (cg + 1) * ct, na = cg * ct;
  const update = `const k = P + j * ${q}, ok = os + j * ${q};
    ${list(q, (m) => `n${m} = col[k + ${m}] - old[ok + ${m}]; col[k + ${m}] = n${m};`)}`;
  let body: string;
  if (kind === "means") {
    body = `const oa = (pix + x) * ${na};
      ${list(na, (m) => `outA[oa + ${m}] = u${m} * sc;`)}
      ${
      withB
        ? `const ob = (pix + x) * ${ct}; ${list(ct, (c) => `outB[ob + ${c}] = u${na + c} * sc;`)}`
        : ""
    }`;
  } else {
    const terms = (c: number) => list(cg, (i) => `u${i * ct + c} * g${i}`, " + ") + ` + u${na + c}`;
    body = `const gb = gr + ${cg} * x, o = (pix + x) * ${ct};
      ${list(cg, (i) => `const g${i} = g[gb + ${i}];`)}
      ${list(ct, (c) => `outA[o + ${c}] = (${terms(c)}) * sc;`)}`;
  }
  return compile(
    `out ${cg} ${ct} ${kind} ${withB}`,
    "col old os ix iy w rw g gr outA outB pix".split(" "),
    () => slider(q, update, body),
  );
}

/**
 * The guided filter (or the window means of its coefficients) in one sweep
 * down the rows; see the module doc.
 *
 * @param g Guide `[N, H, W, Cg]`, Cg 1 or 3.
 * @param p Target `[N, H, W, Ct]`.
 * @param n Batch size.
 * @param h Height.
 * @param w Width.
 * @param r Radius ≥ 0.
 * @param eps ε, or per-pixel ε `[N, H, W, 1]`.
 * @param out Where the result goes.
 */
export function guidedSweep(
  g: Batch,
  p: Batch,
  n: number,
  h: number,
  w: number,
  r: number,
  eps: number | Float32Array,
  out: SweepOutput,
): void {
  const cg = g.c, ct = p.c;
  if (cg !== 1 && cg !== 3) throw new RangeError(`guide channels must be 1 or 3, got ${cg}`);
  const rh = Math.min(r, h - 1), rw = Math.min(r, w - 1);
  const q1 = statsCount(cg, ct), q2 = (cg + 1) * ct;
  const map = typeof eps !== "number";
  const stats = statsRow(cg, ct);
  const coef = coefficientRow(cg, ct, map);
  const emit = outputRow(cg, ct, out.kind, out.kind === "filter" || out.b !== null);
  const outA = out.kind === "filter" ? out.q : out.a;
  const outB = out.kind === "filter" ? null : out.b;
  const col1 = new Float64Array((w + 2 * rw + 1) * q1);
  const col2 = new Float64Array((w + 2 * rw + 1) * q2);
  const ringRows = Math.min(2 * rh + 2, h), row2 = w * q2;
  const ring = new Float64Array(ringRows * row2);
  const ix = inverseCounts(w, rw), iy = inverseCounts(h, rh);
  // rows outside the image: zeros
  const gZero = new Float32Array(w * cg), pZero = new Float32Array(w * ct);
  const ringZero = new Float64Array(row2);
  const gd = g.data, pd = p.data;
  const gLen = w * cg, pLen = w * ct;
  for (let b = 0; b < n; b++) {
    const gBase = b * h * gLen, pBase = b * h * pLen, pix = b * h * w;
    col1.fill(0);
    col2.fill(0);
    // statistics of rows [0, rh): added before the sweep, as a row entering
    for (let y = 0; y < rh; y++) {
      stats(col1, gd, gBase + y * gLen, pd, pBase + y * pLen, gZero, 0, pZero, 0, w, rw);
    }
    for (let y = 0; y < h + rh; y++) {
      if (y < h) {
        // coefficients of row y: statistics of rows [y − rh, y + rh]
        const ya = y + rh, ys = y - rh - 1;
        coef(
          col1,
          ya < h ? gd : gZero,
          ya < h ? gBase + ya * gLen : 0,
          ya < h ? pd : pZero,
          ya < h ? pBase + ya * pLen : 0,
          ys >= 0 ? gd : gZero,
          ys >= 0 ? gBase + ys * gLen : 0,
          ys >= 0 ? pd : pZero,
          ys >= 0 ? pBase + ys * pLen : 0,
          ring,
          (y % ringRows) * row2,
          col2,
          ix,
          iy[y],
          w,
          rw,
          typeof eps === "number" ? eps : 0,
          map ? eps : null,
          pix + y * w,
        );
      }
      // output row y − rh: coefficients of rows [y − 2rh, y]
      const yo = y - rh, ys = yo - rh - 1;
      if (yo < 0) continue;
      emit(
        col2,
        ys >= 0 ? ring : ringZero,
        ys >= 0 ? (ys % ringRows) * row2 : 0,
        ix,
        iy[yo],
        w,
        rw,
        gd,
        gBase + yo * gLen,
        outA,
        outB,
        pix + yo * w,
      );
    }
  }
}

/**
 * The edge-aware weighting of Li et al. (thesis eq. 3.6) per image: x =
 * the mean over channels of the variance in the `(2re+1)²` window cut to
 * the image plus `edgeEps`, and Γ = x · mean(1 / x). Writes Γ, or λ / Γ
 * when `lambda` is given. The variance is mean(g²) − mean(g)² from float64
 * window sums: within ~1e-15 of the variance of the differences to the
 * centre pixel (exact where the window is flat), far below `edgeEps`.
 *
 * @param g Guide `[N, H, W, C]`.
 * @param n Batch size.
 * @param h Height.
 * @param w Width.
 * @param c Channels.
 * @param re Window radius ≥ 1.
 * @param edgeEps The small constant ε of eq. 3.6.
 * @param lambda λ, or `null` for Γ itself.
 * @param out `[N, H, W, 1]`.
 */
export function edgeWeights(
  g: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  re: number,
  edgeEps: number,
  lambda: number | null,
  out: Float32Array,
): void {
  const rh = Math.min(re, h - 1), rw = Math.min(re, w - 1);
  const len = w * c, q = 2 * c;
  const col = new Float64Array((w + 2 * rw + 1) * q);
  const ix = inverseCounts(w, rw), iy = inverseCounts(h, rh);
  const x = new Float64Array(h * w), zero = new Float32Array(len);
  const row = varianceRow(c);
  for (let b = 0; b < n; b++) {
    const base = b * h * len;
    col.fill(0);
    let inverses = 0;
    for (let y = -rh; y < h; y++) {
      // y < 0: rows [0, rh) enter before the first output row (nothing written)
      const ya = y + rh, ys = y - rh - 1;
      inverses += row(
        col,
        ya < h ? g : zero,
        ya < h ? base + ya * len : 0,
        ys >= 0 ? g : zero,
        ys >= 0 ? base + ys * len : 0,
        ix,
        y >= 0 ? iy[y] : 0,
        w,
        rw,
        x,
        y >= 0 ? y * w : -1,
        edgeEps,
      ) as number;
    }
    const meanInverse = inverses / (h * w);
    const o = b * h * w;
    for (let i = 0; i < h * w; i++) {
      const gamma = x[i]! * meanInverse;
      out[o + i] = lambda === null ? gamma : lambda / gamma;
    }
  }
}

/**
 * One row of {@linkcode edgeWeights}: slides the column sums of g_k and g_k²
 * by a row and, for an output row (`o ≥ 0`), writes x = mean_k var_k + ε to
 * `xs` at `o` and returns Σ 1/x over the row.
 */
function varianceRow(c: number) {
  const q = 2 * c;
  const update = `const k = P + j * ${q}, ja = a + j * ${c}, js = s + j * ${c};
    ${
    list(c, (m) =>
      `const va${m} = xA[ja + ${m}], vs${m} = xS[js + ${m}];
      n${2 * m} = col[k + ${2 * m}] + (va${m} - vs${m}); col[k + ${2 * m}] = n${2 * m};
      n${2 * m + 1} = col[k + ${2 * m + 1}] + (va${m} * va${m} - vs${m} * vs${m});
      col[k + ${2 * m + 1}] = n${2 * m + 1};`)
  }`;
  const body = `if (o >= 0) {
    let v = 0;
    ${
    list(c, (m) =>
      `{ const mean = u${2 * m} * sc, d = u${2 * m + 1} * sc - mean * mean; if (d > 0) v += d; }`)
  }
    const xi = v / ${c} + edgeEps;
    xs[o + x] = xi;
    inverses += 1 / xi;
  }`;
  return compile(
    `variance ${c}`,
    "col xA a xS s ix iy w rw xs o edgeEps".split(" "),
    () => `let inverses = 0;\n${slider(q, update, body)}\nreturn inverses;`,
  );
}

/**
 * q_c = Σₖ a[k·Ct + c] · x_k + add_c per pixel (the linear model applied
 * with coefficients laid out guide-channel-major).
 *
 * @param a `[P, Cx·Ct]`.
 * @param x `[P, Cx]`.
 * @param add `[P, Ct]`.
 * @param out `[P, Ct]`.
 * @param pixels P.
 * @param cx Cx.
 * @param ct Ct.
 */
export function applyLinear(
  a: Float32Array,
  x: Float32Array,
  add: Float32Array,
  out: Float32Array,
  pixels: number,
  cx: number,
  ct: number,
): void {
  const na = cx * ct;
  for (let i = 0; i < pixels; i++) {
    const ao = i * na, xo = i * cx, o = i * ct;
    for (let c = 0; c < ct; c++) {
      let s = add[o + c];
      for (let k = 0; k < cx; k++) s += a[ao + k * ct + c] * x[xo + k];
      out[o + c] = s;
    }
  }
}
