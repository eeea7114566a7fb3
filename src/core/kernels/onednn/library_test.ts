import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { ONEDNN_LIBRARY_NAMES, openOneDnn, statusName } from "./library.ts";

Deno.test("openOneDnn reports a library that is not there in one line", () => {
  const found = openOneDnn({ candidates: ["libdnnl-not-here.so.9"] });
  assert(!found.ok);
  assertStringIncludes(found.reason, "oneDNN not found (tried libdnnl-not-here.so.9)");
  assertEquals(found.reason.split("\n").length, 1);
});

Deno.test("the library names cover Linux, macOS and Windows, newest first", () => {
  assertEquals(ONEDNN_LIBRARY_NAMES.linux!.slice(0, 2), ["libdnnl.so.3", "libdnnl.so.2"]);
  assertEquals(ONEDNN_LIBRARY_NAMES.darwin!.slice(0, 2), ["libdnnl.3.dylib", "libdnnl.2.dylib"]);
  assertEquals(ONEDNN_LIBRARY_NAMES.windows, ["dnnl.dll"]);
  assertEquals(statusName(2), "invalid_arguments");
  assertEquals(statusName(42), "status 42");
});

const installed = openOneDnn();
Deno.test({
  name: "the installed oneDNN is found and bound (2.x)",
  ignore: !installed.ok,
  fn: () => {
    if (!installed.ok) return;
    const { version, symbols } = installed.library;
    assertEquals(version.major, 2);
    assert(["omp", "tbb", "seq", "threadpool"].includes(version.cpuRuntime));
    assertEquals(typeof symbols.dnnl_dilated_convolution_backward_weights_desc_init, "function");
  },
});
if (!installed.ok) {
  console.log(`library_test: skipping the installed-library test: ${installed.reason}`);
}

const temporary: string[] = [];

/** Builds a stand-in library with `dnnl_version` (and nothing else) reporting `major.4.1`. */
async function fakeLibrary(major: number): Promise<string | null> {
  const dir = await Deno.makeTempDir();
  temporary.push(dir);
  const c = `${dir}/fake.c`, so = `${dir}/libfake_dnnl.so`;
  await Deno.writeTextFile(
    c,
    `typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } v_t;
static const v_t v = { ${major}, 4, 1, "fake", 2, 0 };
const v_t *dnnl_version(void) { return &v; }\n`,
  );
  try {
    const out = await new Deno.Command("cc", { args: ["-shared", "-fPIC", "-o", so, c] }).output();
    return out.success ? so : null;
  } catch {
    return null;
  }
}

const canCompile = Deno.build.os === "linux" && (await fakeLibrary(3)) !== null;
if (!canCompile) console.log("library_test: skipping the version tests: no C compiler (cc)");

Deno.test({
  name: "a oneDNN 3.x is refused with one clear line; a 2.x without its API too",
  ignore: !canCompile,
  fn: async () => {
    const v3 = openOneDnn({ candidates: [(await fakeLibrary(3))!] });
    assert(!v3.ok);
    assertStringIncludes(v3.reason, "oneDNN 3.4.1");
    assertStringIncludes(v3.reason, "it binds 2.x): using the wasm kernels");
    assertEquals(v3.reason.split("\n").length, 1);
    const v2 = openOneDnn({ candidates: [(await fakeLibrary(2))!] });
    assert(!v2.ok);
    assertStringIncludes(v2.reason, "oneDNN 2.4.1");
    assertStringIncludes(v2.reason, "lacks a 2.x symbol");
  },
});

Deno.test("library_test cleans up its stand-in libraries", async () => {
  for (const dir of temporary) await Deno.remove(dir, { recursive: true });
});
