import assert from "node:assert/strict";
import { parseEnv } from "node:util";
import { ValidationError } from "../core/errors.ts";
import { checkDotenvQuotes, checkReportDir } from "./_input_checks.ts";

const check = (text: string) =>
  checkDotenvQuotes(text, parseEnv(text) as Record<string, string>, "a.env");

Deno.test("checkDotenvQuotes() accepts closed quotes and finds the unclosed one's line", () => {
  check("A='1,2'\nB=\"x y\"\nC=plain # comment\nD=it's\n");
  for (const [text, q, line] of [["A=1\nB='1,2\n", "'", 2], ['export X="a\n', '"', 1]] as const) {
    assert.throws(
      () => check(text),
      new ValidationError(
        `Env file 'a.env' line ${line}: the value of ${
          text.includes("X=") ? "X" : "B"
        } opens a quote (${q}) that is never closed`,
      ),
    );
  }
});

Deno.test("checkReportDir() accepts a directory or a new path and refuses a file", async () => {
  const dir = await Deno.makeTempDir();
  await checkReportDir(dir);
  await checkReportDir(`${dir}/new`);
  await Deno.writeTextFile(`${dir}/f`, "");
  await assert.rejects(
    checkReportDir(`${dir}/f`),
    new ValidationError(`Flag --report expects a directory (got '${dir}/f', which is a file)`),
  );
  await Deno.remove(dir, { recursive: true });
});
