// Reference values: numpy MAE, RMSE and NMAE (images with a true count of 0 left out) of
// tools/fixtures/counting_fixtures.py, testdata/counting/counting_reference.json.
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { loadReference } from "./_reference_data.ts";
import { countingMetrics } from "./metrics.ts";

const ref = await loadReference();

Deno.test("countingMetrics matches numpy, NMAE skipping the zero-count image", () => {
  const r = ref.metrics;
  const m = countingMetrics(r.predicted, r.truth);
  assertAlmostEquals(m.mae, r.mae, 1e-12);
  assertAlmostEquals(m.rmse, r.rmse, 1e-12);
  assertAlmostEquals(m.nmae, r.nmae, 1e-12);
  assertEquals(m.nmaeImages, r.nmaeImages);
  assertEquals(m.zeroCountImages, r.truth.length - r.nmaeImages);
  assertEquals(m.images, r.truth.length);
  assertEquals(Array.from(m.errors), r.predicted.map((p, i) => p - r.truth[i]));
});

Deno.test("countingMetrics: all-zero truth gives NaN NMAE; bad input is named", () => {
  const m = countingMetrics(Float32Array.of(1, 0), [0, 0]);
  assertEquals(m.nmae, NaN);
  assertEquals(m.zeroCountImages, 2);
  assertEquals(m.mae, 0.5);
  assertThrows(() => countingMetrics([1, 2], [1]), RangeError, "expected 1, got 2");
  assertThrows(() => countingMetrics([], []), RangeError, "at least one image");
  assertThrows(
    () => countingMetrics([NaN], [1]),
    RangeError,
    "predicted[0] must be a finite number",
  );
  assertThrows(
    () => countingMetrics([1], [-1]),
    RangeError,
    "truth[0] must be a count >= 0, got -1",
  );
  assertThrows(
    () => countingMetrics(3 as never, [1]),
    TypeError,
    "predicted must be an array of counts",
  );
});
