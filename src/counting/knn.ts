/**
 * k nearest neighbours of point annotations by a k-d tree: the index is
 * `kdbush` (a static 2-D k-d tree kept in two flat arrays), the k-NN query is
 * written here over that index (depth-first, nearer half first, pruned by the
 * current k-th distance). 13,000 points (UCF-QNRF's densest image), k = 5, take
 * a few tens of milliseconds (`bench/counting_bench.ts`).
 *
 * @module
 */
import KDBush from "kdbush";
import { assertNumber } from "../core/checks.ts";
import { type PointsLike, toPoints } from "./points.ts";

/** Options of {@linkcode kNearest}. */
export interface KnnOptions {
  /**
   * Count each point as its own nearest neighbour (distance 0), as
   * `scipy.spatial.KDTree.query(points, k)` does when queried with the tree's
   * own points, and as the thesis author's MATLAB kernel does (default
   * `false`: the k nearest *other* points).
   */
  includeSelf?: boolean;
  /** Leaf size of the k-d tree (default 16; kdbush's own default, 64, is slower for k-NN). */
  nodeSize?: number;
}

/** What {@linkcode kNearest} returns: `n × k` row-major tables, each row ascending. */
export interface Neighbours {
  /** Neighbours per point (the `k` asked for). */
  k: number;
  /**
   * Index of the j-th nearest neighbour of point i at `i * k + j`; `-1` where
   * the point has fewer than `k` neighbours (`n - 1` without self, `n` with).
   */
  indices: Int32Array;
  /** Euclidean distances in the same layout; `Infinity` where `indices` is `-1`. */
  distances: Float64Array;
}

/**
 * The k nearest neighbours of every point among the same points, exact
 * (ties broken by the smaller index).
 *
 * @param points The points (`{x, y}` or `[[x, y], ...]`).
 * @param k How many neighbours per point (integer ≥ 1).
 * @param options Whether a point is its own neighbour, leaf size.
 * @returns Indices and distances, `n × k`, nearest first.
 * @example
 * ```ts
 * import { kNearest } from "./knn.ts";
 * const { indices, distances } = kNearest([[0, 0], [3, 4], [10, 0]], 1);
 * if (indices[0] !== 1 || distances[0] !== 5) throw new Error();
 * ```
 */
export function kNearest(points: PointsLike, k: number, options: KnnOptions = {}): Neighbours {
  assertNumber(k, "k", { min: 1, integer: true });
  const p = toPoints(points);
  const n = p.x.length;
  const indices = new Int32Array(n * k).fill(-1);
  const distances = new Float64Array(n * k).fill(Infinity);
  if (n === 0) return { k, indices, distances };
  const nodeSize = assertNumber(options.nodeSize ?? 16, "nodeSize", { min: 2, integer: true });
  const index = new KDBush(n, nodeSize, Float64Array);
  for (let i = 0; i < n; i++) index.add(p.x[i], p.y[i]);
  index.finish();
  const query = new KnnQuery(index, k);
  const includeSelf = options.includeSelf ?? false;
  for (let i = 0; i < n; i++) {
    query.run(p.x[i], p.y[i], includeSelf ? -1 : i);
    query.write(indices, distances, i * k);
  }
  return { k, indices, distances };
}

/**
 * Reusable k-NN search over a finished kdbush index: a bounded max-heap of
 * the k best (squared distance, id) pairs and an explicit traversal stack.
 */
class KnnQuery {
  readonly #ids: Uint16Array | Uint32Array;
  readonly #coords: Float64Array;
  readonly #nodeSize: number;
  readonly #k: number;
  readonly #heapD: Float64Array;
  readonly #heapI: Int32Array;
  #size = 0;
  // Traversal stack: left, right, axis, and the squared distance from the
  // query to the node's splitting plane (its lower bound).
  readonly #stackI = new Int32Array(3 * 128);
  readonly #stackB = new Float64Array(128);

  constructor(index: KDBush, k: number) {
    this.#ids = index.ids;
    this.#coords = index.coords as Float64Array;
    this.#nodeSize = index.nodeSize;
    this.#k = k;
    this.#heapD = new Float64Array(k);
    this.#heapI = new Int32Array(k);
  }

  /** Fills the heap with the k nearest ids to (qx, qy), skipping id `skip`. */
  run(qx: number, qy: number, skip: number): void {
    const ids = this.#ids, coords = this.#coords, nodeSize = this.#nodeSize, k = this.#k;
    const sI = this.#stackI, sB = this.#stackB;
    this.#size = 0;
    let sp = 0;
    sI[0] = 0;
    sI[1] = ids.length - 1;
    sI[2] = 0;
    sB[0] = 0;
    sp = 1;
    while (sp > 0) {
      sp--;
      const left = sI[3 * sp], right = sI[3 * sp + 1], axis = sI[3 * sp + 2];
      if (this.#size === k && sB[sp] > this.#heapD[0]) continue;
      if (right - left <= nodeSize) {
        for (let i = left; i <= right; i++) {
          const id = ids[i];
          if (id === skip) continue;
          const dx = coords[2 * i] - qx, dy = coords[2 * i + 1] - qy;
          this.#offer(dx * dx + dy * dy, id);
        }
        continue;
      }
      const m = (left + right) >> 1;
      const mx = coords[2 * m], my = coords[2 * m + 1];
      const id = ids[m];
      if (id !== skip) {
        const dx = mx - qx, dy = my - qy;
        this.#offer(dx * dx + dy * dy, id);
      }
      const diff = axis === 0 ? qx - mx : qy - my;
      const plane = diff * diff;
      // Push the far half first so that the near half is searched first.
      const nearLeft = diff <= 0;
      const farL = nearLeft ? m + 1 : left, farR = nearLeft ? right : m - 1;
      const nearL = nearLeft ? left : m + 1, nearR = nearLeft ? m - 1 : right;
      if (farL <= farR) {
        sI[3 * sp] = farL;
        sI[3 * sp + 1] = farR;
        sI[3 * sp + 2] = 1 - axis;
        sB[sp] = plane;
        sp++;
      }
      if (nearL <= nearR) {
        sI[3 * sp] = nearL;
        sI[3 * sp + 1] = nearR;
        sI[3 * sp + 2] = 1 - axis;
        sB[sp] = 0;
        sp++;
      }
    }
  }

  /** Writes the heap's content, nearest first, to `indices`/`distances` at `offset`. */
  write(indices: Int32Array, distances: Float64Array, offset: number): void {
    // Pop the max-heap from the back: the largest goes last.
    for (let j = this.#size - 1; j >= 0; j--) {
      indices[offset + j] = this.#heapI[0];
      distances[offset + j] = Math.sqrt(this.#heapD[0]);
      this.#popMax();
    }
  }

  #worse(d1: number, i1: number, d2: number, i2: number): boolean {
    return d1 > d2 || (d1 === d2 && i1 > i2);
  }

  #offer(d: number, id: number): void {
    const hd = this.#heapD, hi = this.#heapI, k = this.#k;
    if (this.#size < k) {
      let j = this.#size++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (!this.#worse(d, id, hd[parent], hi[parent])) break;
        hd[j] = hd[parent];
        hi[j] = hi[parent];
        j = parent;
      }
      hd[j] = d;
      hi[j] = id;
    } else if (this.#worse(hd[0], hi[0], d, id)) {
      this.#siftDown(d, id, k);
    }
  }

  #popMax(): void {
    const last = --this.#size;
    if (last > 0) this.#siftDown(this.#heapD[last], this.#heapI[last], last);
  }

  /** Places (d, id) at the root of a heap of `size` items and sifts it down. */
  #siftDown(d: number, id: number, size: number): void {
    const hd = this.#heapD, hi = this.#heapI;
    let j = 0;
    for (;;) {
      let c = 2 * j + 1;
      if (c >= size) break;
      if (c + 1 < size && this.#worse(hd[c + 1], hi[c + 1], hd[c], hi[c])) c++;
      if (!this.#worse(hd[c], hi[c], d, id)) break;
      hd[j] = hd[c];
      hi[j] = hi[c];
      j = c;
    }
    hd[j] = d;
    hi[j] = id;
  }
}
