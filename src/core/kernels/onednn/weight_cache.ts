/**
 * Filters reordered into a primitive's preferred layout, kept while the
 * filter tensor's data lives.
 *
 * The key is the wasm backend's storage record of the filter: its `id`,
 * which the backend draws afresh for every allocation (`write`, `move`,
 * `makeOutput`) and never reuses, so the same id always means the same
 * bytes (tfjs never writes into a tensor after creating it; a variable's
 * `assign` moves the variable to new storage with a new id). The heap
 * offset is not a key: freed memory is handed out again at once. Entries
 * are dropped when the storage is freed (the backend's `disposeData`
 * reports it, see {@linkcode WeightCache.forget}) and, as a safety net,
 * least recently used first beyond a byte budget.
 *
 * @module
 */

/** A cached reordered filter. */
export interface CachedWeights<M> {
  /** The storage id of the source tensor. */
  id: number;
  /** Which layout (index into the kernel's layouts). */
  layout: number;
  /** The reordered copy. */
  memory: M;
  /** Its size in bytes. */
  bytes: number;
}

/** Options of {@linkcode WeightCache}. */
export interface WeightCacheOptions<M> {
  /** Most bytes kept. Default 512 MiB. */
  maxBytes?: number;
  /** Frees an evicted copy. */
  free(memory: M): void;
}

/** Reordered filters by (storage id, layout); see the module doc. */
export class WeightCache<M> {
  #entries = new Map<string, CachedWeights<M>>();
  #byId = new Map<number, Set<string>>();
  #bytes = 0;
  #maxBytes: number;
  #free: (memory: M) => void;
  /** Lookups answered from the cache. */
  hits = 0;
  /** Lookups that had to reorder. */
  misses = 0;

  /**
   * @param options Byte budget and how to free a copy.
   */
  constructor(options: WeightCacheOptions<M>) {
    this.#maxBytes = options.maxBytes ?? 512 * 2 ** 20;
    this.#free = options.free;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Copies held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cached copy of a filter in a layout, or a new one.
   *
   * @param id Storage id of the filter tensor.
   * @param layout The layout wanted.
   * @param make Makes (and fills) the copy on a miss.
   * @returns The copy.
   * @example
   * ```ts
   * import { WeightCache } from "./weight_cache.ts";
   * const cache = new WeightCache<string>({ free: () => {} });
   * let made = 0;
   * const make = () => ({ memory: `copy ${++made}`, bytes: 4 });
   * cache.get(7, 0, make);
   * if (cache.get(7, 0, make) !== "copy 1" || made !== 1) throw new Error();
   * ```
   */
  get(id: number, layout: number, make: () => { memory: M; bytes: number }): M {
    const key = `${id}:${layout}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.hits++;
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.memory;
    }
    this.misses++;
    const { memory, bytes } = make();
    this.#entries.set(key, { id, layout, memory, bytes });
    let keys = this.#byId.get(id);
    if (keys === undefined) this.#byId.set(id, keys = new Set());
    keys.add(key);
    this.#bytes += bytes;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes || k === key) break;
      this.#drop(k, e);
    }
    return memory;
  }

  /**
   * Drops every copy of a filter whose storage was freed.
   *
   * @param id The storage id.
   */
  forget(id: number): void {
    const keys = this.#byId.get(id);
    if (keys === undefined) return;
    for (const k of [...keys]) this.#drop(k, this.#entries.get(k)!);
  }

  /** Drops everything. */
  clear(): void {
    for (const [k, e] of [...this.#entries]) this.#drop(k, e);
  }

  #drop(key: string, e: CachedWeights<M>): void {
    this.#entries.delete(key);
    const keys = this.#byId.get(e.id);
    keys?.delete(key);
    if (keys?.size === 0) this.#byId.delete(e.id);
    this.#bytes -= e.bytes;
    this.#free(e.memory);
  }
}
