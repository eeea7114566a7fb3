import { assertEquals, assertThrows } from "@std/assert";
import { lineFigure } from "./line.ts";

Deno.test("lineFigure: one scatter trace per series, NaN as gaps", () => {
  const fig = lineFigure({
    title: "PSNR against iterations",
    xTitle: "iteration",
    yTitle: "dB",
    series: [
      { name: "noisy", x: [0, 1, 2], y: [10, NaN, 12] },
      {
        name: "clean",
        x: [0, 1, 2],
        y: [11, 12, 13],
        mode: "lines+markers",
        dash: "dash",
        color: "red",
      },
    ],
  });
  assertEquals(fig.data.length, 2);
  assertEquals(fig.data[0], {
    type: "scatter",
    name: "noisy",
    mode: "lines",
    x: [0, 1, 2],
    y: [10, null, 12],
    line: { dash: "solid" },
  });
  assertEquals(fig.data[1].line, { dash: "dash", color: "red" });
  assertEquals(fig.data[1].mode, "lines+markers");
  assertEquals(fig.layout.title, { text: "PSNR against iterations" });
  assertEquals(fig.layout.xaxis?.title, { text: "iteration" });
  assertEquals(fig.layout.yaxis?.type, "linear");
  // The figure is plain JSON.
  assertEquals(JSON.parse(JSON.stringify(fig)), fig);
});

Deno.test("lineFigure: markers are vertical lines across the plot with labels", () => {
  const fig = lineFigure({
    series: [{ name: "a", x: [0, 10], y: [0, 1] }],
    markers: [{ x: 4, label: "auto stop" }, { x: 7, label: "best", color: "green" }],
  });
  assertEquals(fig.layout.shapes?.length, 2);
  const [stop, best] = fig.layout.shapes!;
  assertEquals([stop.x0, stop.x1, stop.y0, stop.y1, stop.yref], [4, 4, 0, 1, "paper"]);
  assertEquals((best.line as { color: string }).color, "green");
  assertEquals(fig.layout.annotations?.map((a) => a.text), ["auto stop", "best"]);
});

Deno.test("lineFigure: log y axis takes its range in data units", () => {
  const fig = lineFigure({
    series: [{ name: "loss", x: [1, 2], y: [1, 0.01] }],
    logY: true,
    yRange: [1e-3, 10],
  });
  assertEquals(fig.layout.yaxis?.type, "log");
  assertEquals(fig.layout.yaxis?.range, [-3, 1]);
  const lin = lineFigure({ series: [], yRange: [20, 35] });
  assertEquals(lin.layout.yaxis?.range, [20, 35]);
});

Deno.test("lineFigure: bad series and ranges are named", () => {
  assertThrows(
    () => lineFigure({ series: [{ name: "psnr", x: [0, 1, 2], y: [1, 2] }] }),
    RangeError,
    `series[0] ("psnr") must have as many y as x values: expected 3, got 2`,
  );
  assertThrows(
    () => lineFigure({ series: [{ name: "loss", x: [0, 1], y: [1, 0] }], logY: true }),
    RangeError,
    "y <= 0",
  );
  assertThrows(
    () => lineFigure({ series: [], yRange: [5, 1] }),
    RangeError,
    "yRange[1] must be > 5",
  );
  assertThrows(
    () => lineFigure({ series: [], logY: true, yRange: [0, 1] }),
    RangeError,
    "yRange[0] must be > 0",
  );
  assertThrows(
    () => lineFigure({ series: [], markers: [{ x: NaN, label: "?" }] }),
    TypeError,
    "markers[0].x",
  );
});

Deno.test("lineFigure: series on the right-hand axis get a second y axis", () => {
  const fig = lineFigure({
    series: [
      { name: "PSNR", x: [5, 25], y: [34, 20] },
      { name: "SSIM", x: [5, 25], y: [0.95, 0.5], rightAxis: true },
    ],
    yTitle: "PSNR (dB)",
    y2Title: "SSIM",
    y2Range: [0, 1],
  });
  assertEquals(fig.data[0].yaxis, undefined);
  assertEquals(fig.data[1].yaxis, "y2");
  assertEquals(fig.layout.yaxis2, {
    overlaying: "y",
    side: "right",
    showgrid: false,
    title: { text: "SSIM" },
    range: [0, 1],
  });
  assertEquals(lineFigure({ series: [{ name: "a", x: [0], y: [0] }] }).layout.yaxis2, undefined);
});
