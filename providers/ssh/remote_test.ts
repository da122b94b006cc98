import assert from "node:assert/strict";
import {
  killScript,
  normaliseOptions,
  optionProblem,
  packFiles,
  parseMarker,
  rankScript,
  removeScript,
  shCommand,
  shq,
  sshArgs,
  waitFileScript,
  writeFilesScript,
} from "./remote.ts";

/** Run `command` the way sshd does: the login shell (bash here) with -c. */
async function viaLoginShell(command: string, input = "") {
  const child = new Deno.Command("bash", {
    args: ["-c", command],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(input));
  await w.close();
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const WORDS = ["plain", "two words", "it's", `"double"`, "$HOME", "`id`", "a\\b", "*", "", "ü"];

Deno.test("shq() quotes any word so that sh gives it back unchanged", async () => {
  assert.equal(shq("/a/b-c_d.ts"), "/a/b-c_d.ts");
  assert.equal(shq("it's"), `'it'\\''s'`);
  const script = `printf '%s\\n' ${WORDS.map(shq).join(" ")}`;
  const r = await viaLoginShell(shCommand(script));
  assert.deepEqual(r.stdout.split("\n").slice(0, -1), WORDS);
});

Deno.test("rankScript() reads the token from stdin, reports pid and group, execs with the environment", async () => {
  const script = rankScript(
    { SCALEBENCH_RANK: "1", ODD: "it's a $test" },
    ["sh", "-c", `printf '%s|%s|%s|%s' "$SCALEBENCH_TOKEN" "$SCALEBENCH_RANK" "$ODD" "$$"`],
  );
  assert.ok(!script.includes("secret-token"));
  const r = await viaLoginShell(shCommand(script), "secret-token\nrest of stdin");
  assert.equal(r.code, 0, r.stderr);
  const [token, rank, odd, pid] = r.stdout.split("|");
  assert.deepEqual([token, rank, odd], ["secret-token", "1", "it's a $test"]);
  const marker = parseMarker(r.stderr.trim());
  assert.equal(marker?.pid, Number(pid), "the marker's pid is the rank's (exec)");
  assert.ok(marker?.pgid && marker.pgid > 0, r.stderr);
});

Deno.test("rankScript() exits 97 without a token line", async () => {
  const r = await viaLoginShell(shCommand(rankScript({}, ["true"])), "");
  assert.equal(r.code, 97);
});

Deno.test("parseMarker() reads the wrapper's line and nothing else", () => {
  assert.deepEqual(parseMarker("@@scalebench-ssh pid=12 pgid=  7"), { pid: 12, pgid: 7 });
  assert.deepEqual(parseMarker("@@scalebench-ssh pid=12 pgid="), { pid: 12, pgid: null });
  assert.equal(parseMarker("@@scalebench-ssh pid=x"), null);
  assert.equal(parseMarker("hello"), null);
});

Deno.test("killScript() signals groups, falls back to the pid, and never fails", () => {
  assert.equal(
    killScript("TERM", [{ pid: 5, pgid: 4 }, { pid: 9, pgid: null }]),
    "kill -TERM -- -4 2>/dev/null || kill -TERM 5 2>/dev/null; kill -TERM 9 2>/dev/null; exit 0",
  );
});

Deno.test("sshArgs() puts -F and the user's options first, then BatchMode=yes, no tty, host, command", () => {
  assert.deepEqual(sshArgs({ config: "/c", options: ["Port=2"] }, "h", "true"), [
    "-F",
    "/c",
    "-o",
    "Port=2",
    "-o",
    "BatchMode=yes",
    "-T",
    "h",
    "true",
  ]);
});

Deno.test("writeFilesScript() unpacks packFiles() into 0600 files in 0700 directories", async () => {
  const tmp = await Deno.makeTempDir();
  const dir = `${tmp}/run dir's`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/old.rdv`, "stale");
  const files = { "a.json": '{\n  "x": 1\n}\n', "tls/tls.key": "KEY\nLINE", "empty": "" };
  const script = writeFilesScript(dir, { subdirs: ["tls"], remove: [`${dir}/old.rdv`] });
  const r = await viaLoginShell(shCommand(script), packFiles(files));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await Deno.readTextFile(`${dir}/a.json`), files["a.json"]);
  assert.equal(await Deno.readTextFile(`${dir}/tls/tls.key`), "KEY\nLINE\n");
  assert.equal(await Deno.readTextFile(`${dir}/empty`), "");
  await assert.rejects(Deno.stat(`${dir}/old.rdv`), Deno.errors.NotFound);
  const mode = async (p: string) => ((await Deno.stat(p)).mode! & 0o777).toString(8);
  assert.deepEqual(await Promise.all([`${dir}/tls`, `${dir}/tls/tls.key`].map(mode)), [
    "700",
    "600",
  ]);
  assert.equal((await viaLoginShell(shCommand(removeScript(dir)))).code, 0);
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("waitFileScript() prints the file once it is there, and gives up after its time", async () => {
  const tmp = await Deno.makeTempDir();
  await Deno.writeTextFile(`${tmp}/a.rdv`, "node1:4242\n");
  assert.deepEqual(await viaLoginShell(shCommand(waitFileScript(`${tmp}/a.rdv`, 1))), {
    code: 0,
    stdout: "node1:4242\n",
    stderr: "",
  });
  assert.equal((await viaLoginShell(shCommand(waitFileScript(`${tmp}/none`, 0.2)))).code, 3);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("normaliseOptions() rejoins values split at commas; optionProblem() wants Key=Value", () => {
  assert.deepEqual(normaliseOptions(["Ciphers=aes128-ctr", "aes256-ctr", "Port 22"]), [
    "Ciphers=aes128-ctr,aes256-ctr",
    "Port 22",
  ]);
  assert.equal(optionProblem(["ConnectTimeout=10", "ProxyJump=gw"]), undefined);
  assert.equal(
    optionProblem(["-oPort=1"]),
    "expects ssh options as Key=Value, e.g. ConnectTimeout=10 (got '-oPort=1')",
  );
  assert.equal(
    optionProblem(["Port="]),
    "expects ssh options as Key=Value, e.g. ConnectTimeout=10 (got 'Port=')",
  );
});
