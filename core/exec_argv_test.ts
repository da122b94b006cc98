import assert from "node:assert/strict";
import { commandName, joinCommand, paramVariable, splitCommand } from "./exec_argv.ts";
import { ValidationError } from "./errors.ts";

Deno.test("splitCommand() splits words like a shell, honouring quotes and backslashes", () => {
  assert.deepEqual(splitCommand("python3 bench.py --size 100"), [
    "python3",
    "bench.py",
    "--size",
    "100",
  ]);
  assert.deepEqual(splitCommand(`  prog 'a b' "c \\"d\\" $e" f\\ g ''  `), [
    "prog",
    "a b",
    'c "d" $e',
    "f g",
    "",
  ]);
  assert.deepEqual(splitCommand(`x'y'"z"`), ["xyz"]);
  // nothing a shell would interpret: the words stay as they are
  assert.deepEqual(splitCommand("echo $HOME *.ts | wc > out"), [
    "echo",
    "$HOME",
    "*.ts",
    "|",
    "wc",
    ">",
    "out",
  ]);
});

Deno.test("splitCommand() rejects an empty command and unterminated quotes, naming the flag", () => {
  assert.throws(
    () => splitCommand("   "),
    new ValidationError("--exec is empty: give the command to run"),
  );
  assert.throws(
    () => splitCommand("sleep 'x", { flag: "--mpirun" }),
    new ValidationError(`--mpirun has an unterminated ' quote: 'sleep 'x'`),
  );
  assert.throws(() => splitCommand('a "b'), /unterminated " quote/);
  assert.throws(() => splitCommand("a \\"), /ends with a lone backslash/);
});

Deno.test("joinCommand() quotes only the words that need it, so splitCommand() gives them back", () => {
  const argv = ["python3", "my bench.py", "--name=it's", "plain/path.txt"];
  const line = joinCommand(argv);
  assert.equal(line, `python3 'my bench.py' '--name=it'\\''s' plain/path.txt`);
  assert.deepEqual(splitCommand(line), argv);
});

Deno.test("commandName() names a run after the program, or its script under an interpreter", () => {
  assert.equal(commandName(["sleep", "0.3"]), "sleep");
  assert.equal(commandName(["/usr/bin/python3", "-u", "tools/bench.py", "--x"]), "bench.py");
  assert.equal(commandName(["sh", "./records.sh"]), "records.sh");
  assert.equal(commandName(["python3"]), "python3");
  assert.equal(commandName(["python3", "-u", "-m", "pkg.bench", "x"]), "pkg.bench");
  assert.equal(commandName(["sh", "-c", "sleep 1 & sleep 2"]), "sh");
  assert.equal(commandName(["./my prog!"]), "my_prog_");
});

Deno.test("paramVariable() makes SCALEBENCH_PARAM_<KEY> with the key upper-cased", () => {
  assert.equal(paramVariable("size"), "SCALEBENCH_PARAM_SIZE");
  assert.equal(paramVariable("n-iter.x"), "SCALEBENCH_PARAM_N_ITER_X");
});
