/**
 * A single-channel map (density, segmentation, foreground) as a plain
 * row-major `Float32Array`: what the data pipeline passes around without
 * tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, describe, formatShape } from "../core/checks.ts";

/** A single-channel map as a plain row-major array. */
export interface DensityPlane {
  /** `height × width` values, row-major. */
  data: Float32Array;
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
}

/**
 * Checks a {@linkcode DensityPlane}: a Float32Array of `height × width` values.
 *
 * @param plane The value to check.
 * @param name Its name for messages.
 */
export function checkPlane(plane: unknown, name: string): asserts plane is DensityPlane {
  const p = plane as DensityPlane;
  if (p === null || typeof p !== "object" || !(p.data instanceof Float32Array)) {
    throw new TypeError(
      `${name} must be {data: Float32Array, height, width}, got ${describe(plane)}`,
    );
  }
  assertNumber(p.height, `${name}.height`, { min: 1, integer: true });
  assertNumber(p.width, `${name}.width`, { min: 1, integer: true });
  if (p.data.length !== p.height * p.width) {
    throw new RangeError(
      `${name}.data must hold height x width = ${p.height} x ${p.width} = ${
        p.height * p.width
      } values, got ${p.data.length}`,
    );
  }
}

/**
 * A map given as a plane or as a `[H, W]` / `[H, W, 1]` tensor, as a plane
 * (a tensor is read back synchronously; the plane is not copied).
 *
 * @param map The map.
 * @param name Its name for messages.
 * @returns The map as a {@linkcode DensityPlane}.
 */
export function toPlane(map: DensityPlane | tf.Tensor, name: string): DensityPlane {
  if (map instanceof tf.Tensor) {
    const ok = (map.rank === 2 || (map.rank === 3 && map.shape[2] === 1)) &&
      map.shape[0]! > 0 && map.shape[1]! > 0;
    if (!ok) {
      throw new RangeError(
        `${name} must be a [H, W] or [H, W, 1] tensor, got shape ${formatShape(map.shape)}`,
      );
    }
    const data = map.dtype === "float32"
      ? map.dataSync() as Float32Array
      : Float32Array.from(map.dataSync());
    return { data, height: map.shape[0]!, width: map.shape[1]! };
  }
  checkPlane(map, name);
  return map;
}
