import assert from "node:assert/strict";
import { sampleChecks } from "../tests/expect_checks.ts";
import { checksSection } from "./expect_html.ts";

Deno.test("checksSection() shows every expectation, its interval and the baseline, escaped", () => {
  const c = sampleChecks({ strict: true });
  const html = String(checksSection(c));
  assert.match(
    html,
    /^<h2 id="checks">Expectations and regressions <span class="badge b-bad">failed<\/span><\/h2>/,
  );
  assert.ok(html.includes("9 passed, 5 failed, 0 inconclusive, 1 skipped (--strict"));
  assert.equal(html.match(/<tr><td><span class="badge/g)!.length, 5 + 4);
  assert.ok(html.includes("<code>op:a&lt;b&gt; &amp; &#39;c&#39;|d efficiency&gt;=0.5@2</code>"));
  assert.ok(!html.includes("<b>"));
  assert.ok(html.includes('<span class="badge b-bad">inconclusive (strict)</span>'));
  assert.match(html, /96\.83 %, mann-whitney/);
  assert.ok(html.includes("<h3>Against baseline <code>base-1</code></h3>"));
  assert.equal(html.match(/badge b-bad">regression</g)!.length, 2);
  assert.ok(html.includes("<li>host: <code>node-a</code> → <code>node-b</code></li>"));
  assert.equal(checksSection(null), null);
  assert.equal(checksSection({ ...c, expectations: [], baseline: null }), null);
});
