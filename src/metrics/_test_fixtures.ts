/**
 * Test-only helper: loads the scikit-image reference values and images that
 * tools/fixtures/metrics_fixtures.py writes into testdata/ (128x128 crops of
 * data/camera.png and data/astronaut.png, degraded by Gaussian noise σ=25,
 * JPEG quality 10 and Gaussian blur σ=1.5, stored as 8-bit PNGs).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { readImage } from "../io/read.ts";

/** Reference values of one image pair (scikit-image 0.26 / numpy, float64). */
export interface PairValues {
  psnr: number;
  ssim: Record<SsimSetting, number>;
  rmse: number;
  mae: number;
  masked: { psnr: number; rmse: number; mae: number; fraction: number };
}

/** The four SSIM settings of the fixtures. */
export type SsimSetting = "gaussianPopulation" | "gaussianSample" | "box7Sample" | "box7Population";

/** One reference/degraded pair with its mask and reference values. */
export interface Pair {
  name: string;
  ref: tf.Tensor3D;
  test: tf.Tensor3D;
  mask: tf.Tensor3D;
  values: PairValues;
}

const testdata = (name: string) => new URL(`../../testdata/${name}`, import.meta.url);

/**
 * Loads every pair on the current backend (the caller disposes the tensors).
 *
 * @returns The pairs.
 */
export async function loadPairs(): Promise<Pair[]> {
  const fixture = JSON.parse(await Deno.readTextFile(testdata("metrics_values.json")));
  const pairs: Pair[] = [];
  for (const [name, values] of Object.entries(fixture.values as Record<string, PairValues>)) {
    const [image, degradation] = name.split("_");
    pairs.push({
      name,
      ref: await readImage(testdata(`metrics_${image}_ref.png`)),
      test: await readImage(testdata(`metrics_${image}_${degradation}.png`)),
      mask: await readImage(testdata(`metrics_${image}_mask.png`)),
      values,
    });
  }
  return pairs;
}

/**
 * Disposes the tensors of the pairs.
 *
 * @param pairs The pairs.
 */
export function disposePairs(pairs: Pair[]): void {
  for (const p of pairs) for (const t of [p.ref, p.test, p.mask]) t.dispose();
}
