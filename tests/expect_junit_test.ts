import assert from "node:assert/strict";
import { renderJunit } from "../reports/junit.ts";
import { sampleChecks } from "./expect_checks.ts";
import { needCommand, needs } from "./_needs.ts";

const XSD = new URL("./testdata/expect/junit.xsd", import.meta.url).pathname;
const xmllint = await needCommand("xmllint", ["--version"]);

async function lint(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command("xmllint", { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

async function validate(xml: string): Promise<{ code: number; err: string; file: string }> {
  const file = await Deno.makeTempFile({ suffix: ".xml" });
  await Deno.writeTextFile(file, xml);
  const r = await lint(["--noout", "--schema", XSD, file]);
  return { code: r.code, err: r.err, file };
}

async function xpath(file: string, expr: string): Promise<string> {
  const r = await lint(["--xpath", expr, file]);
  assert.equal(r.code, 0, r.err);
  return r.out.trim();
}

Deno.test(needs([xmllint], {
  name: "renderJunit() writes JUnit XML that the JUnit schema accepts (xmllint)",
  async fn() {
    for (const strict of [false, true]) {
      const { code, err, file } = await validate(renderJunit(sampleChecks({ strict })));
      assert.equal(code, 0, err);
      assert.match(err, /validates$/m);
      // one testcase per check (6 points), expectation (5) and compared point (4)
      assert.equal(await xpath(file, "count(//testcase)"), "15");
      assert.equal(await xpath(file, "string(/testsuites/@tests)"), "15");
      const failures = strict ? "5" : "4"; // with --strict the inconclusive one fails too
      assert.equal(await xpath(file, "count(//testcase/failure)"), failures);
      assert.equal(await xpath(file, "string(/testsuites/@failures)"), failures);
      assert.equal(
        await xpath(file, "count(//testcase/skipped)"),
        strict ? "1" : "2",
      );
      // names with XML's special characters survive escaping
      assert.equal(
        await xpath(file, "string(//testsuite[2]/testcase[1]/@name)"),
        "op:a<b> & 'c'|d efficiency>=0.5@2",
      );
      assert.match(
        await xpath(file, "string(//testcase[failure/@type='regression'][1]/failure/@message)"),
        /^sort at 1 core: [\d.]+ s → [\d.]+ s, new\/base 1\.\d+ \[[\d.]+, [\d.]+\] \(96\.83 % CI\), slower; Slower than 1\.1× with 95\.24 % confidence/,
      );
      await Deno.remove(file);
    }
  },
}));

Deno.test(needs([xmllint], {
  name: "the JUnit schema rejects a document that breaks it (the validator is real)",
  async fn() {
    const good = renderJunit(sampleChecks());
    const broken = [
      good.replace(/ tests="6"/, ' tests="six"'),
      good.replace(/<testcase name="[^"]*" classname/, "<testcase classname"),
      good.replace(' type="expectation fail"', ""),
      good.replace("</testsuites>", "<testsuite/></testsuites>"),
    ];
    for (const xml of broken) {
      assert.notEqual(xml, good);
      const { code, err, file } = await validate(xml);
      assert.equal(code, 3, err);
      assert.match(err, /fails to validate/);
      await Deno.remove(file);
    }
  },
}));
