import assert from "node:assert/strict";
import { DirectoryStore } from "./zarr_store.ts";

Deno.test("DirectoryStore.set() makes the directories and rewrites a chunk in place", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new DirectoryStore(dir);
    await store.set("/IMAGE/c/3/0/0/0", new Uint8Array([1, 2, 3, 4, 5]));
    const path = `${dir}/IMAGE/c/3/0/0/0`;
    const ino = (await Deno.stat(path)).ino;
    await store.set("/IMAGE/c/3/0/0/0", new Uint8Array([9, 8, 7, 6, 5]));
    assert.deepEqual(await store.get("/IMAGE/c/3/0/0/0"), new Uint8Array([9, 8, 7, 6, 5]));
    // shorter: the old tail is gone; longer: all of it
    await store.set("/IMAGE/c/3/0/0/0", new Uint8Array([42]));
    assert.deepEqual(await Deno.readFile(path), new Uint8Array([42]));
    const big = new Uint8Array(3 << 20).map((_, i) => i % 253);
    await store.set("/IMAGE/c/3/0/0/0", big);
    assert.deepEqual(await Deno.readFile(path), big);
    assert.equal((await Deno.stat(path)).ino, ino); // the same file, not a new one
    assert.equal(await store.get("/IMAGE/c/4/0/0/0"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
