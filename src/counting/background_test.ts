import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { backgroundSplitErrors, meanSplitErrors } from "./background.ts";

await useBackend("cpu");

Deno.test("backgroundSplitErrors: hand-computed split", () => {
  // truth: 2 objects on the foreground; prediction: 0.4 on background, 2.5 on the foreground
  const truth = Float32Array.of(0, 1, 1, 0, 0, 0);
  const fg = Float32Array.of(0, 1, 1, 0, 0, 0);
  const pred = Float32Array.of(0.1, 1.5, 1, 0.3, 0, 0);
  const e = backgroundSplitErrors(pred, truth, fg);
  assertAlmostEquals(e.background, 0.4, 1e-6);
  assertAlmostEquals(e.foreground, 0.5, 1e-6);
  assertAlmostEquals(e.overall, 0.9, 1e-6);
  const t = tf.tensor2d(pred, [2, 3]);
  assertEquals(backgroundSplitErrors(t, truth, fg), e);
  t.dispose();
  const m = meanSplitErrors([e, { background: 0, foreground: 0, overall: 0 }]);
  assertAlmostEquals(m.overall, 0.45, 1e-6);
  assertEquals(meanSplitErrors([]).overall, 0);
});

Deno.test("backgroundSplitErrors names mismatched sizes and bad types", () => {
  assertThrows(
    () => backgroundSplitErrors(new Float32Array(3), new Float32Array(4), new Float32Array(4)),
    RangeError,
    "got 3, 4, 4",
  );
  assertThrows(
    () => backgroundSplitErrors([1] as never, new Float32Array(1), new Float32Array(1)),
    TypeError,
    "predicted must be",
  );
});
