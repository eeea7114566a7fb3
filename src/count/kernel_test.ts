import { assertAlmostEquals, assertEquals } from "@std/assert";
import { autoSigma, densityOptions, describeKernel } from "./kernel.ts";

function grid(step: number, n: number) {
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) x.push(5 + j * step), y.push(5 + i * step);
  }
  return {
    points: { x: Float32Array.from(x), y: Float32Array.from(y) },
    shape: [n * step + 10, n * step + 10] as const,
  };
}

Deno.test("auto sigma: the adaptive rule's median, clamped to 1-8 px, ignoring lone objects", () => {
  // 3 nearest at 10 px for inner points: sigma = 0.3 * 10
  assertAlmostEquals(autoSigma([grid(10, 8)]).sigma, 3, 1e-5);
  assertEquals(autoSigma([grid(100, 4)]).sigma, 8); // sparse: clamped
  assertEquals(autoSigma([grid(2, 6)]).sigma, 1); // dense: clamped
  const lone = { points: { x: Float32Array.of(3), y: Float32Array.of(3) }, shape: [9, 9] as const };
  assertEquals(autoSigma([lone]), { sigma: 4, objects: 0 });
  assertEquals(densityOptions("fixed", 3.14159), { kernel: "fixed", sigma: 3.14 });
  assertEquals(densityOptions("adaptive", 3), { kernel: "adaptive" });
  assertEquals(describeKernel({ kernel: "fixed", sigma: 2 }), "fixed Gaussian, σ = 2 px");
});
