import { assertLessOrEqual } from "@std/assert";
import { depthwiseConv2dGradFilter, depthwiseConv2dGradInput } from "./depthwise_grad.ts";
import {
  type ConvCase,
  forward,
  on,
  random,
  reference,
  relativeError,
  tensor,
} from "./_reference.ts";

// Reference: tfjs's cpu kernels DepthwiseConv2dNativeBackpropInput / -Filter
// (with a zero-stuffed filter for dilations, see _reference.ts).
const TOLERANCE = 1e-5;

const CASES: ConvCase[] = [
  { x: [1, 7, 9, 3], filter: [3, 3, 3, 1], strides: 1, dilations: 1, pad: "same" },
  { x: [2, 7, 9, 2], filter: [3, 3, 2, 3], strides: 1, dilations: 1, pad: "valid" },
  { x: [1, 9, 8, 2], filter: [3, 3, 2, 2], strides: 2, dilations: 1, pad: "same" },
  { x: [1, 10, 9, 3], filter: [5, 4, 3, 1], strides: [2, 3], dilations: 1, pad: "valid" },
  { x: [1, 13, 11, 2], filter: [3, 3, 2, 2], strides: 1, dilations: 2, pad: "same" },
  { x: [1, 17, 17, 1], filter: [3, 3, 1, 1], strides: 1, dilations: [4, 3], pad: "same" },
];

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`depthwise gradients on ${backend} match the cpu kernels`, async () => {
    for (const [i, c] of CASES.entries()) {
      const { outShape } = forward(c, true);
      const x = random(c.x, 7 * i), w = random(c.filter, 7 * i + 1);
      const dy = random(outShape, 7 * i + 2);
      const [dxRef, dwRef] = await reference(c, x, w, dy, true);
      const geometry = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const dx = await on(
        backend,
        () => depthwiseConv2dGradInput(tensor(dy), tensor(w), { ...geometry, inputShape: c.x }),
      );
      const dw = await on(
        backend,
        () =>
          depthwiseConv2dGradFilter(tensor(x), tensor(dy), { ...geometry, filterShape: c.filter }),
      );
      const name = `x ${c.x} w ${c.filter} s ${c.strides} d ${c.dilations} ${c.pad}`;
      assertLessOrEqual(relativeError(dx, dxRef), TOLERANCE, `dx, ${name}`);
      assertLessOrEqual(relativeError(dw, dwRef), TOLERANCE, `dw, ${name}`);
    }
  });
}
