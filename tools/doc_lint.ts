/**
 * `deno doc --lint mod.ts`, with one class of diagnostics set aside: public
 * signatures that reference TensorFlow.js's own types (`Tensor3D`, ...).
 * Those are this toolkit's tensor types, defined in the pinned npm package
 * rather than here; re-exporting them would make the linter audit tfjs's own
 * documentation instead of ours. Every other finding (missing JSDoc, private
 * types of our own modules) fails the task.
 *
 * Usage: `deno run -A tools/doc_lint.ts [entry.ts]`
 *
 * @module
 */

const entry = Deno.args[0] ?? "mod.ts";
const out = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", entry],
  env: { NO_COLOR: "1" },
  stdout: "piped",
  stderr: "piped",
}).output();
const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);

/** One diagnostic: the header line and its location line. */
interface Finding {
  header: string;
  location: string;
  body: string;
}

const findings: Finding[] = [];
const blocks = text.split(/\n(?=error\[)/);
for (const block of blocks) {
  if (!block.startsWith("error[")) continue;
  const header = block.split("\n")[0];
  const location = block.match(/-->\s*(\S+)/)?.[1] ?? "";
  findings.push({ header, location, body: block });
}

/** Names of the types this repository declares (a private one of ours must fail). */
async function ownTypeNames(dir: string, names = new Set<string>()): Promise<Set<string>> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) await ownTypeNames(path, names);
    else if (e.name.endsWith(".ts")) {
      const src = await Deno.readTextFile(path);
      for (const m of src.matchAll(/\b(?:interface|type|class|enum)\s+([A-Z]\w*)/g)) {
        names.add(m[1]);
      }
    }
  }
  return names;
}
const own = await ownTypeNames(new URL("../src", import.meta.url).pathname);

const tfTypes = new Set<string>();
const isTfjsTypeRef = (f: Finding) => {
  const m = f.header.match(/^error\[private-type-ref\]: .* references private type '(\w+)'/);
  if (!m || own.has(m[1])) return false;
  // Not declared in this repository: the type comes from the pinned TensorFlow.js package.
  tfTypes.add(m[1]);
  return true;
};

const real = findings.filter((f) => !isTfjsTypeRef(f));
for (const f of real) console.error(f.body.trimEnd() + "\n");
console.error(
  `doc lint: ${real.length} finding(s); ${findings.length - real.length} reference(s) to ` +
    `TensorFlow.js types set aside (${[...tfTypes].sort().join(", ") || "none"})`,
);
if (!out.success && findings.length === 0) {
  console.error(text);
  Deno.exit(1);
}
Deno.exit(real.length > 0 ? 1 : 0);
