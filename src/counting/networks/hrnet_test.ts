import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { hrnet, HRNET_W48 } from "./hrnet.ts";
import { type CountingNetwork, trainableParams } from "./network.ts";
import { batch, checkGradients, checkRoundTrip, sameWeights } from "./_test_utils.ts";

await useBackend("wasm");

function headParams(net: CountingNetwork): number {
  let n = 0;
  for (const l of net.model.layers) {
    if (/\/(head\/|density$)/.test(l.name)) {
      for (const w of l.trainableWeights) n += (w.shape as number[]).reduce((a, b) => a * b, 1);
    }
  }
  return n;
}

Deno.test("hrnet: HRNetV2-W48's backbone matches the paper's 65.9 M with its segmentation head", () => {
  // Wang et al. (TPAMI 2020), Cityscapes table: HRNetV2-W48 has 65.9 M parameters, backbone plus
  // the head 1×1 conv 720→720 (bias) + BN + 1×1 conv 720→19 (bias).
  const net = hrnet({ ...HRNET_W48 });
  const backbone = trainableParams(net.model) - headParams(net);
  assertEquals(backbone, 65_325_120);
  const segmentationHead = 720 * 720 + 720 + 2 * 720 + 720 * 19 + 19;
  assertEquals(((backbone + segmentationHead) / 1e6).toFixed(1), "65.9");
  assertEquals(net.featureChannels, 48 + 96 + 192 + 384);
  net.dispose();
});

Deno.test("hrnet: output at 1/4; sides must be multiples of 4·2^(branches−1)", () => {
  const net = hrnet();
  assertEquals([net.outputStride, net.inputMultiple, net.featureChannels], [4, 32, 120]);
  for (const [h, w] of [[32, 32], [64, 96]]) {
    const x = batch(1, h, w, 3);
    const y = net.forward(x);
    assertEquals(y.shape, [1, h / 4, w / 4, 1]);
    tf.dispose([x, y]);
  }
  assertThrows(() => net.outputSize(100, 75), RangeError, "multiples of 32, got 100 × 75");
  net.dispose();
  const two = hrnet({ branches: 2 });
  assertEquals([two.inputMultiple, two.featureChannels], [8, 24]);
  const x = batch(1, 24, 40, 3);
  const y = two.forward(x);
  assertEquals(y.shape, [1, 6, 10, 1]);
  tf.dispose([x, y]);
  two.dispose();
});

Deno.test("hrnet: exchange units sum every branch into every branch", () => {
  const net = hrnet({ branches: 3 });
  const sum = net.model.getLayer("hrnet/stage3/module1/exchange/sum0");
  assertEquals(
    (sum.inboundNodes[0].inboundLayers as tf.layers.Layer[]).map((l) => l.name),
    [
      "hrnet/stage3/module1/branch0/block1/relu",
      "hrnet/stage3/module1/exchange/to0_from1/up",
      "hrnet/stage3/module1/exchange/to0_from2/up",
    ],
  );
  assertEquals(
    net.model.getLayer("hrnet/stage3/module1/exchange/to2_from0/down2/conv").getConfig().strides,
    [2, 2],
  );
  assertThrows(() => hrnet({ branches: 5 }), RangeError, "branches");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => hrnet({ modules: [1, 1] as any }), RangeError, "modules");
  net.dispose();
});

Deno.test("hrnet: seeded; narrow default trains on wasm without leaks; round trip", async () => {
  const a = hrnet({ seed: 2 }), b = hrnet({ seed: 2 });
  assert(sameWeights(a.model, b.model));
  b.dispose();
  const x = batch(2, 32, 32, 3);
  checkGradients(a, x);
  await checkRoundTrip(a, x);
  x.dispose();
  a.dispose();
});
