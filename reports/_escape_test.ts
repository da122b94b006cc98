import { assertEquals } from "../core/_assert.ts";
import { esc, markup, raw, slug } from "./_escape.ts";

Deno.test("esc() escapes the five HTML special characters", () => {
  assertEquals(
    esc(`"><img src=x onerror=alert(1)>`),
    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
  );
  assertEquals(
    esc("<script>alert('1')</script> & co"),
    "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; co",
  );
  assertEquals(esc(null), "");
  assertEquals(esc(42), "42");
});

Deno.test("markup() escapes interpolations but keeps nested markup and raw()", () => {
  const name = "<b>x</b>";
  const inner = markup`<i>${name}</i>`;
  assertEquals(
    markup`<p title="${name}">${inner}${[name, raw("<br>")]}${null}${false}${0}</p>`.value,
    `<p title="&lt;b&gt;x&lt;/b&gt;"><i>&lt;b&gt;x&lt;/b&gt;</i>&lt;b&gt;x&lt;/b&gt;<br>0</p>`,
  );
});

Deno.test("slug() keeps only file-name-safe characters", () => {
  assertEquals(slug("reduction operation (std)"), "reduction-operation-std");
  assertEquals(slug("../<script>"), "script");
  assertEquals(slug("амдаль"), "x");
  assertEquals(slug("amdahl-20261122-104158-ac04"), "amdahl-20261122-104158-ac04");
});
