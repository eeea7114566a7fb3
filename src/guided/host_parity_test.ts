/**
 * The two ways the filters compute — float64 loops over the tensors' memory
 * (`_host.ts`, wasm and cpu outside a gradient tape) and tfjs ops (WebGPU,
 * gradients) — on the reference fixtures, on the cpu and wasm backends:
 * both match the float64 references of tools/fixtures/guided_fixtures.py
 * (the loops to the float32 rounding), and they agree with each other.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { boxFilter } from "./box_filter.ts";
import { fastGuidedFilter } from "./fast_guided_filter.ts";
import { guidedFilter } from "./guided_filter.ts";
import type { LowPass } from "./low_pass.ts";
import { lowPassFilter } from "./low_pass.ts";
import { unsharpMaskGuidedFilterParts } from "./unsharp_mask_guided_filter.ts";
import { edgeAwareWeighting, weightedGuidedFilter } from "./weighted_guided_filter.ts";
import { hostKernelsActive, setHostKernels } from "./_host.ts";
import { decodeArray, loadReference, maxAbsDiff, type StoredArray } from "./_testing.ts";

interface Case {
  name: string;
  guide: string;
  src: string;
  radius: number;
  eps: number;
  subsample?: number;
  amount?: "guided" | "weighted";
  lowPass?: LowPass;
  expected: StoredArray;
  expectedAmount?: StoredArray;
}

interface Reference {
  images: Record<string, StoredArray>;
  box: { radius: number; expected: StoredArray }[];
  guided: Case[];
  fast: Case[];
  weighted: Case[];
  unsharp: Case[];
}

/** Runs `f` with the host loops on and off; returns both results. */
function bothWays(f: () => tf.Tensor): { host: tf.Tensor; ops: tf.Tensor } {
  const was = setHostKernels(true);
  try {
    if (!hostKernelsActive()) throw new Error(`host loops inactive on ${tf.getBackend()}`);
    const host = f();
    setHostKernels(false);
    const ops = f();
    return { host, ops };
  } finally {
    setHostKernels(was);
  }
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`host loops and tfjs ops agree with the references and each other [${backend}]`, async () => {
    await useBackend(backend);
    const ref = await loadReference() as unknown as Reference;
    const image = (name: string) => decodeArray(ref.images[name]!) as tf.Tensor3D;
    const check = (
      label: string,
      f: () => tf.Tensor,
      expected: StoredArray,
      opsTolerance: number,
    ) => {
      const want = decodeArray(expected);
      const { host, ops } = bothWays(f);
      const hostError = maxAbsDiff(host, want), opsError = maxAbsDiff(ops, want);
      // the loops: float32 rounding of the output (the references are float64)
      assertLess(hostError, 1e-6, `${label}: host loops ${hostError}`);
      // tfjs ops: the tolerances of the filters' own tests
      assertLess(opsError, opsTolerance, `${label}: tfjs ops ${opsError}`);
      assertLess(maxAbsDiff(host, ops), opsTolerance, `${label}: host vs ops`);
      tf.dispose([want, host, ops]);
    };
    const random = image("random");
    for (const c of ref.box) {
      check(`box r=${c.radius}`, () => boxFilter(random, c.radius), c.expected, 1e-6);
    }
    random.dispose();
    for (const c of ref.guided) {
      const g = image(c.guide), p = image(c.src);
      const tol = g.shape[2] === 3 && c.eps < 1e-3 ? 5e-4 : 2e-5;
      check(c.name, () => guidedFilter(g, p, c), c.expected, tol);
      tf.dispose([g, p]);
    }
    for (const c of ref.fast) {
      const g = image(c.guide), p = image(c.src);
      check(`fast: ${c.name}`, () => fastGuidedFilter(g, p, c), c.expected, 2e-5);
      tf.dispose([g, p]);
    }
    for (const c of ref.weighted) {
      const g = image(c.guide), p = image(c.src);
      const tol = g.shape[2] === 3 ? 2e-4 : 2e-5;
      check(`weighted: ${c.name}`, () => weightedGuidedFilter(g, p, c), c.expected, tol);
      tf.dispose([g, p]);
    }
    for (const c of ref.unsharp) {
      const g = image(c.guide), p = image(c.src);
      const tol = g.shape[2] === 3 ? 2e-4 : 2e-5;
      const parts = (pick: "output" | "amount") => () =>
        tf.tidy(() => {
          const all = unsharpMaskGuidedFilterParts(g, p, c);
          return all[pick];
        });
      check(`unsharp: ${c.name}`, parts("output"), c.expected, tol);
      check(`unsharp amount: ${c.name}`, parts("amount"), c.expectedAmount!, 20 * tol);
      tf.dispose([g, p]);
    }
  });

  Deno.test(`host loops and tfjs ops agree off the fixtures: batches, Γ, low-passes [${backend}]`, async () => {
    await useBackend(backend);
    const g = tf.randomUniform([2, 19, 23, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const p = tf.randomUniform([2, 19, 23, 2], 0, 1, "float32", 2) as tf.Tensor4D;
    const gray = tf.tidy(() => g.mean(3, true)) as tf.Tensor4D;
    const cases: [string, () => tf.Tensor, number][] = [
      ["guided gray", () => guidedFilter(gray, p, { radius: 3, eps: 0.01 }), 1e-5],
      ["guided colour", () => guidedFilter(g, p, { radius: 5, eps: 0.01 }), 1e-5],
      ["weighted colour", () => weightedGuidedFilter(g, p, { radius: 2, eps: 0.01 }), 1e-5],
      ["fast colour", () => fastGuidedFilter(g, p, { radius: 6, subsample: 3 }), 1e-5],
      ["edge-aware Γ", () => edgeAwareWeighting(g, { edgeRadius: 2 }), 1e-4],
      ["box low-pass ×3", () => lowPassFilter(p, { kind: "box", radius: 4, times: 3 }), 1e-6],
      [
        "unsharp weighted, colour",
        () => tf.tidy(() => unsharpMaskGuidedFilterParts(g, g, { amount: "weighted" }).output),
        1e-4,
      ],
    ];
    for (const [label, f, tol] of cases) {
      const { host, ops } = bothWays(f);
      assertEquals(host.shape, ops.shape, label);
      const err = maxAbsDiff(host, ops);
      assertLess(err, tol, `${label}: ${err}`);
      tf.dispose([host, ops]);
    }
    tf.dispose([g, p, gray]);
  });
}

Deno.test("host loops: off while a gradient is recorded, and no tensors leak", async () => {
  await useBackend("wasm");
  const g = tf.randomUniform([8, 8, 3], 0, 1, "float32", 3) as tf.Tensor3D;
  let inside: boolean | undefined;
  const dg = tf.grad((x: tf.Tensor) => {
    inside = hostKernelsActive();
    return tf.sum(guidedFilter(x as tf.Tensor3D, g, { radius: 1 }));
  })(g);
  assertEquals(inside, false);
  assertEquals(hostKernelsActive(), true);
  guidedFilter(g, g).dispose();
  const before = tf.memory().numTensors;
  tf.dispose([
    guidedFilter(g, g, { radius: 2 }),
    weightedGuidedFilter(g, g, { radius: 2 }),
    fastGuidedFilter(g, g, { radius: 2, subsample: 2 }),
    boxFilter(g, 2),
    ...Object.values(unsharpMaskGuidedFilterParts(g, g, { radius: 2 })),
  ]);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([g, dg]);
});
