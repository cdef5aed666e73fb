// Validates AsyncAPI documents with the AsyncAPI initiative's own parser, which applies the
// specification's JSON schema and its rule set (what `asyncapi validate` runs). Any
// diagnostic of severity error fails; warnings are printed. Usage: node validate.mjs FILE...
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const parser = new Parser();
let failed = false;
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(await readFile(path, "utf8"), { source: path });
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  for (const d of diagnostics) {
    const level = d.severity === DiagnosticSeverity.Error ? "error" : "warning";
    console.log(`     ${level} ${d.path.join("/") || "(top)"}: ${d.message}`);
  }
  failed ||= errors.length > 0 || document === undefined;
  console.log(`${errors.length ? "FAIL" : "ok  "} ${path} (AsyncAPI parser, ${errors.length} errors)`);
}
process.exit(failed ? 1 : 0);
