/**
 * Minimal assertions for the project's tests (no jsr:@std/assert here: JSR is not reachable).
 * Messages show both sides; deep equality covers plain objects, arrays, typed arrays, Maps, Sets.
 *
 * @module
 */

/** Thrown by a failed assertion. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

function fmt(v: unknown): string {
  try {
    return Deno.inspect(v, { depth: 6, colors: false, sorted: true, strAbbreviateSize: 500 });
  } catch {
    return String(v);
  }
}

/** Structural equality. */
export function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof Map || a instanceof Set) {
    return equal([...a.entries()].sort(), [...(b as Map<unknown, unknown>).entries()].sort());
  }
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (
      !Object.hasOwn(b, k) ||
      !equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    ) {
      return false;
    }
  }
  return true;
}

/** `actual` deep-equals `expected`. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}values differ\n  actual:   ${fmt(actual)}\n  expected: ${
        fmt(expected)
      }`,
    );
  }
}

/** `actual` does not deep-equal `expected`. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (equal(actual, expected)) {
    throw new AssertionError(`${msg ? msg + ": " : ""}expected a difference from ${fmt(expected)}`);
  }
}

/** `cond` is truthy. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

/** |actual − expected| ≤ tolerance. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  msg?: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}${actual} is not within ${tolerance} of ${expected}`,
    );
  }
}

/** `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, msg?: string): void {
  if (!text.includes(part)) {
    throw new AssertionError(`${msg ? msg + ": " : ""}${fmt(text)} does not include ${fmt(part)}`);
  }
}

/** `text` matches `re`. */
export function assertMatch(text: string, re: RegExp, msg?: string): void {
  if (!re.test(text)) {
    throw new AssertionError(`${msg ? msg + ": " : ""}${fmt(text)} does not match ${re}`);
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

function isInstance(x: unknown, cls: ErrorClass): boolean {
  return x instanceof cls;
}

function checkError(err: unknown, cls?: ErrorClass, includes?: string): Error {
  if (!(err instanceof Error)) throw new AssertionError(`expected an Error, got ${fmt(err)}`);
  const e: Error = err;
  if (cls && !isInstance(e, cls)) {
    throw new AssertionError(`expected ${cls.name}, got ${e.name}: ${e.message}`);
  }
  if (includes && !e.message.includes(includes)) {
    throw new AssertionError(`error message ${fmt(e.message)} does not include ${fmt(includes)}`);
  }
  return e;
}

/** `fn()` throws (an instance of `cls` whose message includes `includes`). */
export function assertThrows(fn: () => unknown, cls?: ErrorClass, includes?: string): Error {
  try {
    fn();
  } catch (err) {
    return checkError(err, cls, includes);
  }
  throw new AssertionError("expected the function to throw");
}

/** `fn()` rejects (with an instance of `cls` whose message includes `includes`). */
export async function assertRejects(
  fn: () => Promise<unknown>,
  cls?: ErrorClass,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return checkError(err, cls, includes);
  }
  throw new AssertionError("expected the promise to reject");
}
