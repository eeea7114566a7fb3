import { assertEquals, assertThrows } from "@std/assert";
import { ImageReadError, inspectImage } from "./mod.ts";

const file = (name: string) =>
  Deno.readFileSync(new URL(`../../testdata/io_formats/${name}`, import.meta.url));

Deno.test("inspectImage reads PNG headers: colour type, depth, alpha, interlace", () => {
  const cases: [string, Partial<ReturnType<typeof inspectImage>>][] = [
    ["gray8.png", { channels: 1, bitDepth: 8, alpha: false, interlaced: false }],
    ["gray1.png", { channels: 1, bitDepth: 1 }],
    ["gray_alpha.png", { channels: 1, alpha: true }],
    ["rgba.png", { channels: 3, alpha: true }],
    ["palette4.png", { channels: 3, bitDepth: 4, alpha: false }],
    ["palette8_trns.png", { channels: 3, alpha: true, width: 11, height: 9 }],
    ["interlaced.png", { interlaced: true, width: 10, height: 9 }],
    ["rgb16.png", { channels: 3, bitDepth: 16 }],
    ["gray.jpg", { format: "jpeg", channels: 1, width: 24, height: 16, interlaced: false }],
    ["progressive.jpg", { format: "jpeg", channels: 3, interlaced: true }],
  ];
  for (const [name, expected] of cases) {
    const info = inspectImage(file(name));
    for (const [k, v] of Object.entries(expected)) {
      assertEquals(info[k as keyof typeof info], v, `${name}.${k}`);
    }
  }
});

Deno.test("inspectImage names bytes and the problem", () => {
  const png = file("gray8.png");
  const badHeader = png.slice();
  badHeader[25] = 5; // colour type 5 does not exist
  // Recompute nothing: the CRC check fires first, naming the IHDR chunk.
  assertThrows(() => inspectImage(badHeader), ImageReadError, 'CRC mismatch in chunk "IHDR"');
  const e = assertThrows(() => inspectImage(new Uint8Array(0), "x.png"), ImageReadError);
  assertEquals([e.source, e.reason], ["x.png", "the file is empty (0 bytes)"]);
  assertThrows(
    () => inspectImage(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)),
    ImageReadError,
    "corrupt JPEG: end-of-image marker before any scan data",
  );
});
