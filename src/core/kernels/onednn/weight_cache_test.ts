import { assertEquals } from "@std/assert";
import { WeightCache } from "./weight_cache.ts";

function cacheOf(maxBytes?: number) {
  const freed: string[] = [];
  const cache = new WeightCache<string>({ maxBytes, free: (m) => freed.push(m) });
  let n = 0;
  const make = (bytes = 10) => () => ({ memory: `m${++n}`, bytes });
  return { cache, freed, make };
}

Deno.test("WeightCache keeps one copy per storage id and layout", () => {
  const { cache, freed, make } = cacheOf();
  assertEquals(cache.get(1, 0, make()), "m1");
  assertEquals(cache.get(1, 0, make()), "m1");
  assertEquals(cache.get(1, 1, make()), "m2"); // another layout of the same filter
  assertEquals(cache.get(2, 0, make()), "m3");
  assertEquals([cache.hits, cache.misses, cache.size, cache.bytes], [1, 3, 3, 30]);
  assertEquals(freed, []);
});

Deno.test("WeightCache.forget frees every copy of a freed filter", () => {
  const { cache, freed, make } = cacheOf();
  cache.get(1, 0, make());
  cache.get(1, 1, make());
  cache.get(2, 0, make());
  cache.forget(1);
  assertEquals(freed, ["m1", "m2"]);
  assertEquals(cache.size, 1);
  cache.forget(1); // again: nothing
  assertEquals(cache.get(1, 0, make()), "m4", "a forgotten id is reordered again");
  cache.clear();
  assertEquals(cache.bytes, 0);
});

Deno.test("WeightCache evicts the least recently used copies beyond its byte budget", () => {
  const { cache, freed, make } = cacheOf(25);
  cache.get(1, 0, make());
  cache.get(2, 0, make());
  cache.get(1, 0, make()); // 1 is now the most recent
  cache.get(3, 0, make()); // 30 bytes > 25: evicts 2
  assertEquals(freed, ["m2"]);
  assertEquals(cache.size, 2);
  // a copy larger than the budget is still returned (and kept until the next one)
  assertEquals(cache.get(4, 0, make(100)), "m4");
  assertEquals(freed, ["m2", "m1", "m3"]);
});
