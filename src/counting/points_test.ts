import { assertEquals, assertThrows } from "@std/assert";
import { pointCount, pointsInside, selectPoints, toPoints } from "./points.ts";

Deno.test("toPoints converts [x, y] pairs and keeps Points as they are", () => {
  const p = toPoints([[1, 2], [3.5, 4.25]]);
  assertEquals(Array.from(p.x), [1, 3.5]);
  assertEquals(Array.from(p.y), [2, 4.25]);
  assertEquals(toPoints(p), p);
  assertEquals(toPoints([]).x.length, 0);
  assertEquals(pointCount([[0, 0]]), 1);
});

Deno.test("toPoints names the bad value", () => {
  assertThrows(() => toPoints([[1, NaN]]), RangeError, "points[0] has a non-finite coordinate");
  assertThrows(() => toPoints([[1, 2], [3]] as never), TypeError, "points[1] must be an [x, y]");
  assertThrows(
    () => toPoints({ x: new Float32Array(2), y: new Float32Array(1) }),
    RangeError,
    "x has 2",
  );
  assertThrows(() => toPoints("a" as never), TypeError, "got");
  assertThrows(
    () => toPoints({ x: new Float32Array(1), y: new Float32Array(1), boxes: new Float32Array(3) }),
    RangeError,
    "need 4 box values",
  );
  assertThrows(
    () => toPoints([[10, 2]], { inside: [5, 10] }),
    RangeError,
    "points[0] = (x=10, y=2) lies outside the 5x10 image",
  );
  toPoints([[9.49, -0.5]], { inside: [5, 10] });
});

Deno.test("pointsInside keeps sizes and boxes in order", () => {
  const p = {
    x: Float32Array.of(1, 20, 3),
    y: Float32Array.of(1, 1, 3),
    sizes: Float32Array.of(5, 6, 7),
    boxes: Float32Array.of(0, 0, 2, 2, 19, 0, 21, 2, 2, 2, 4, 4),
  };
  const q = pointsInside(p, [10, 10]);
  assertEquals(Array.from(q.x), [1, 3]);
  assertEquals(Array.from(q.sizes!), [5, 7]);
  assertEquals(Array.from(q.boxes!), [0, 0, 2, 2, 2, 2, 4, 4]);
  assertEquals(Array.from(selectPoints(p, [2, 0]).sizes!), [7, 5]);
});
