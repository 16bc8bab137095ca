// Adds up vitest's and Playwright's JSON reports into one closing line: "tests: N passed, N failed".
// A missing report counts as a failure: a runner that crashed before writing it ran nothing we can trust.
// FAILED_CHECKS names the whole-tree checks that failed (type check, lint), comma-separated: one failure each.
import fs from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
/** Names of what failed: CI keeps only the tail of the output, so the summary must say which test it was. */
const failures = [];
/** Tests that failed once and passed on the retry: counted as passed, named so that they get fixed. */
const flaky = [];
for (const check of (process.env.FAILED_CHECKS ?? "").split(",").filter(Boolean)) {
  failures.push(check);
  failed += 1;
}
for (const file of process.argv.slice(2)) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    console.error(`no test report at ${file}`);
    failed += 1;
    continue;
  }
  if ("numPassedTests" in r) {
    // vitest (jest-compatible JSON)
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    for (const suite of r.testResults ?? []) {
      for (const a of suite.assertionResults ?? []) {
        if (a.status === "failed") failures.push(`vitest ${suite.name}: ${a.fullName ?? a.title}`);
      }
      if (suite.status === "failed" && !(suite.assertionResults ?? []).some((a) => a.status === "failed")) {
        failures.push(`vitest ${suite.name}: ${firstLine(suite.message) || "the file failed to run"}`);
      }
    }
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (r.stats) {
    // Playwright
    passed += r.stats.expected + (r.stats.flaky ?? 0);
    failed += r.stats.unexpected;
    skipped += r.stats.skipped;
    if ((r.errors ?? []).length) failed += r.errors.length;
    for (const e of r.errors ?? []) failures.push(`playwright: ${firstLine(e.message)}`);
    for (const spec of playwrightSpecs(r.suites ?? [])) {
      if (spec.tests.some((t) => t.status === "unexpected")) failures.push(`playwright ${spec.file}:${spec.line} ${spec.title}`);
      if (spec.tests.some((t) => t.status === "flaky")) flaky.push(`playwright ${spec.file}:${spec.line} ${spec.title}`);
    }
  }
}
for (const f of flaky) console.log(`FLAKY (passed on retry) ${f}`);
for (const f of failures) console.log(`FAILED ${f}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);

function firstLine(text) {
  return String(text ?? "")
    .trim()
    .split("\n")[0]
    .slice(0, 300);
}

function* playwrightSpecs(suites) {
  for (const suite of suites) {
    yield* suite.specs ?? [];
    yield* playwrightSpecs(suite.suites ?? []);
  }
}
