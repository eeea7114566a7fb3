import { assert, assertEquals } from "@std/assert";
import { densityColor, densityPixels, npyBytes, overlayPixels, thumbnail } from "./render.ts";

Deno.test("the .npy file is NumPy format 1.0 with a 64-byte aligned header and the values", () => {
  const data = Float32Array.of(0.5, 0.25, 0, 1.5, 2, 3);
  const bytes = npyBytes({ data, height: 2, width: 3 });
  assertEquals([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const len = new DataView(bytes.buffer).getUint16(8, true);
  assertEquals((10 + len) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + len));
  assertEquals(header.trim(), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  assertEquals(new Float32Array(bytes.slice(10 + len).buffer), data);
});

Deno.test("density colours run from black to pale yellow; overlays keep the image size", () => {
  assertEquals(densityColor(0), [0, 0, 4]);
  assertEquals(densityColor(1), [252, 255, 164]);
  assertEquals(densityColor(NaN), [0, 0, 4]);
  const map = { data: Float32Array.of(0, 1, 0, 0), height: 2, width: 2 };
  const px = densityPixels(map);
  assertEquals([...px.data.subarray(3, 6)], [252, 255, 164]);
  // a stride-2 map over a 4 x 4 gray image: each value covers a 2 x 2 block
  const image = { data: new Float32Array(16).fill(1), shape: [4, 4, 1] as const };
  const o = overlayPixels(image, map);
  assertEquals([o.height, o.width, o.channels], [4, 4, 3]);
  assertEquals([...o.data.subarray(0, 3)], [191, 191, 191]); // no density: the image, dimmed
  assert(o.data[3 * 2 + 2] < 191); // top right block: blended with the colour
  const t = thumbnail(
    { height: 300, width: 100, channels: 1, data: new Uint8Array(30000).fill(9) },
    160,
  );
  assertEquals([t.height, t.width, t.data[0]], [150, 50, 9]);
});
