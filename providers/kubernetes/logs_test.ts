import { assertEquals } from "../../core/_assert.ts";
import { LineDeduper, timestampKey } from "./logs.ts";

Deno.test("timestampKey() orders RFC3339Nano timestamps whatever their digits", () => {
  const a = timestampKey("2025-01-01T00:00:00.1Z")!;
  const b = timestampKey("2025-01-01T00:00:00.12Z")!;
  const c = timestampKey("2025-01-01T00:00:01Z")!;
  assertEquals([a, b, c], [
    "2025-01-01T00:00:00.100000000",
    "2025-01-01T00:00:00.120000000",
    "2025-01-01T00:00:01.000000000",
  ]);
  assertEquals(a < b && b < c, true);
  assertEquals(timestampKey("yesterday"), null);
});

Deno.test("LineDeduper drops what a reconnected stream sends again", () => {
  const d = new LineDeduper();
  assertEquals(d.reconnect(), undefined);
  const first = [
    "2025-01-01T00:00:01.5Z one",
    "2025-01-01T00:00:02.25Z two",
    "2025-01-01T00:00:02.25Z two again",
  ];
  assertEquals(first.map((l) => d.accept(l)), ["one", "two", "two again"]);
  // the server resends from the start of the second
  assertEquals(d.reconnect(), "2025-01-01T00:00:02Z");
  const again = [
    "2025-01-01T00:00:02.1Z earlier",
    "2025-01-01T00:00:02.25Z two",
    "2025-01-01T00:00:02.25Z two again",
    "2025-01-01T00:00:02.25Z three",
    "2025-01-01T00:00:03Z four",
  ];
  assertEquals(again.map((l) => d.accept(l)), [null, null, null, "three", "four"]);
  assertEquals(d.accept("no timestamp here"), "no timestamp here");
});
