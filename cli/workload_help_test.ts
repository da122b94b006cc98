import assert from "node:assert/strict";
import { defaultCores } from "../core/config.ts";
import { ValidationError } from "../core/errors.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { cli } from "../tests/_cli.ts";
import { firstOperand, workloadHelp } from "./workload_help.ts";

const OPTIONS = [
  { short: "-p", long: "--provider", required: true },
  { long: "--report", optional: true },
  { long: "--dry-run" },
];

Deno.test("firstOperand() skips options and their values", () => {
  assert.equal(firstOperand(["-p", "slurm", "amdahl", "--help"], OPTIONS), "amdahl");
  assert.equal(firstOperand(["--provider=slurm", "--dry-run", "x.ts"], OPTIONS), "x.ts");
  assert.equal(firstOperand(["--report", "--help"], OPTIONS), undefined);
  assert.equal(firstOperand(["--", "-odd.ts"], OPTIONS), "-odd.ts");
});

Deno.test("workloadHelp() of amdahl: parameters with types, ranges and defaults, operation, mode, plan", async () => {
  const text = await workloadHelp("amdahl", { workloads: builtinWorkloads, width: 100 });
  const lines = text.split("\n");
  const at = (head: string) => lines.indexOf(head);
  assert.equal(lines[0].startsWith("Workload amdahl: Synthetic CPU work"), true, lines[0]);
  assert.deepEqual(lines.slice(at("Parameters (--set key=value):") + 1).slice(0, 2), [
    "  name  type             default    meaning",
    "  s     float [0..1]     0.1        Serial fraction of the 1-core time (strong); serial share of",
  ]);
  assert.match(text, /^ {2}work {2}float \[0\.001\.\.\] {2}500 Miter {2}Total work/m);
  assert.match(text, /^ {2}burn {2}rate in Miter\/s {2}/m);
  assert.equal(
    lines.includes("Default mode: strong (-m weak grows the problem by the workload's rule)"),
    true,
  );
  const cores = defaultCores();
  const plan = lines.slice(lines.findIndex((l) => l.startsWith("  cores ")) + 1);
  assert.deepEqual(
    plan.map((l) => l.trim().split(/ {2,}/)),
    cores.map((c) => [`${c} core${c === 1 ? "" : "s"}`, `1×${c}`, "1", "500000000"]),
  );
  assert.match(text, new RegExp(`${cores.length * 5} observations`));
});

Deno.test("workloadHelp() fits 100 columns for every built-in workload", async () => {
  for (const name of builtinWorkloads.names()) {
    const text = await workloadHelp(name, { workloads: builtinWorkloads, width: 100 });
    assert.deepEqual(text.split("\n").filter((l) => l.length > 100), [], name);
  }
});

Deno.test("workloadHelp() names an unknown workload and the known ones", async () => {
  await assert.rejects(
    workloadHelp("nope", { workloads: builtinWorkloads }),
    (e) => e instanceof ValidationError && e.message.startsWith("Unknown workload 'nope' (known: "),
  );
});

Deno.test("scalebench run dirty-image --help and list dirty-image show its parameters with defaults", async () => {
  const help = await cli(["run", "dirty-image", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: scalebench run \[options\] \[workload\]/);
  for (
    const row of [/^ {2}imsize +int \[1\.\.32768\] +500 pixels +Image side$/m, /^ {2}cell +float /m]
  ) {
    assert.match(help.stdout, row);
  }
  assert.match(help.stdout, /^ {2}store +string +synthetic +Visibility store/m);
  const list = await cli(["list", "dirty-image"]);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(help.stdout.endsWith(list.stdout), true);
  const bad = await cli(["run", "nope", "--help"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^Unknown workload 'nope' \(known: /);
});
