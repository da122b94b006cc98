// The Kubernetes client wrapper, the pod tracker and the log follower, driven through the real
// @kubernetes/client-node against the fake API server over TLS.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../core/_assert.ts";
import { ValidationError } from "../core/errors.ts";
import {
  CLIENT_SPECIFIER,
  connectKube,
  KubeApiError,
  type KubeClient,
} from "../providers/kubernetes/client.ts";
import { followLog } from "../providers/kubernetes/logs.ts";
import { Tracker } from "../providers/kubernetes/watch.ts";
import { type FakeCluster, startFakeCluster } from "./k8s/cluster.ts";
import { PodLog } from "./k8s/fake_apiserver.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function withCluster(
  fn: (c: FakeCluster, client: KubeClient) => Promise<void>,
  options: Parameters<typeof startFakeCluster>[0] = {},
): Promise<void> {
  const c = await startFakeCluster(options);
  const client = await connectKube({ kubeconfig: c.kubeconfig, context: null });
  try {
    await fn(c, client);
  } finally {
    await client.close();
    await c.close();
  }
}

const meta = (name: string, labels: Record<string, string> = { app: "t" }) => ({ name, labels });
const secret = (name: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: meta(name),
  stringData: { token: "s3cret" },
});
// pods that no fake node takes: they stay as the test makes them
const pod = (name: string, labels?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: meta(name, labels),
  spec: { containers: [{ name: "rank", image: "x" }], nodeSelector: { nowhere: "true" } },
  status: { phase: "Pending" },
});

Deno.test("CLIENT_SPECIFIER is the version deno.json maps", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assertEquals(CLIENT_SPECIFIER, config.imports["@kubernetes/client-node"]);
});

Deno.test({
  name: "connectKube() reads the kubeconfig: namespace of the context, TLS with the CA data",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      assertEquals([client.server, client.namespace], [c.api.url, "bench"]);
      const other = await connectKube({ kubeconfig: c.kubeconfig, context: "other" });
      assertEquals(other.namespace, "default");
      await other.close();
    }),
});

Deno.test("connectKube() rejects a missing file, a bad file and an unknown context", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(
    () => connectKube({ kubeconfig: `${dir}/nope`, context: null }),
    ValidationError,
    `Kubeconfig '${dir}/nope' (--kubeconfig, KUBECONFIG) does not exist`,
  );
  await Deno.writeTextFile(`${dir}/bad`, "users:\n- user: {token: TOPSECRET\n  :: [");
  const err = await assertRejects(
    () => connectKube({ kubeconfig: `${dir}/bad`, context: null }),
    ValidationError,
    "is not a readable kubeconfig file",
  );
  assert(!err.message.includes("TOPSECRET"), err.message);
  await Deno.writeTextFile(
    `${dir}/one`,
    "apiVersion: v1\nclusters: [{name: a, cluster: {server: 'https://127.0.0.1:1'}}]\n" +
      "users: [{name: u, user: {token: t}}]\ncontexts: [{name: c1, context: {cluster: a, user: u}}]\n" +
      "current-context: c1\n",
  );
  await assertRejects(
    () => connectKube({ kubeconfig: `${dir}/one`, context: "c9" }),
    ValidationError,
    "Unknown kubeconfig context 'c9' (--k8s-context; known: c1)",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "KubeClient creates, reads and deletes jobs, services, secrets and pods",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      await client.create("secrets", "bench", secret("s1"));
      await client.create("services", "bench", {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta("svc1"),
        spec: { clusterIP: "None", selector: { app: "t" } },
      });
      await client.create("pods", "bench", pod("p1"));
      const job = await client.create("jobs", "bench", {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: meta("j1"),
        spec: {
          completions: 1,
          backoffLimit: 0,
          template: {
            metadata: { labels: { app: "t" } },
            spec: {
              restartPolicy: "Never",
              containers: [{ name: "rank", image: "x", command: ["true"] }],
            },
          },
        },
      });
      assertEquals((job.metadata as { namespace: string }).namespace, "bench");
      const s = await client.get("secrets", "bench", "s1");
      assertEquals(s?.data, { token: btoa("s3cret") });
      assertEquals(await client.get("jobs", "bench", "nope"), null);
      for (const r of ["secrets", "services", "pods", "jobs"] as const) {
        const name = { secrets: "s1", services: "svc1", pods: "p1", jobs: "j1" }[r];
        assertEquals(await client.remove(r, "bench", name), true);
        assertEquals(await client.remove(r, "bench", name), false);
      }
      // the job's pod goes with it (propagation Background)
      const tracker = new Tracker({
        client,
        resource: "pods",
        namespace: "bench",
        selector: { labels: "job-name=j1" },
        onChange() {},
      });
      await tracker.start();
      assertEquals(await tracker.until(() => tracker.objects.size === 0, 5000), true);
      await tracker.stop();
      c.assertNothingLeft();
    }),
});

Deno.test({
  name: "KubeClient turns Status bodies into one-line errors: 409, 422, 403, 401",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      await client.create("secrets", "bench", secret("s1"));
      let e = await assertRejects(
        () => client.create("secrets", "bench", secret("s1")),
        KubeApiError,
      );
      assertEquals([e.message, (e as KubeApiError).code, (e as KubeApiError).reason], [
        `Cannot create Secret 's1' in namespace 'bench': secrets "s1" already exists (HTTP 409 AlreadyExists)`,
        409,
        "AlreadyExists",
      ]);
      e = await assertRejects(
        () => client.create("secrets", "bench", secret("Bad_Name")),
        KubeApiError,
      );
      assertStringIncludes(e.message, `Secret "Bad_Name" is invalid: metadata.name: Invalid value`);
      assertEquals((e as KubeApiError).code, 422);
      e = await assertRejects(() => client.list("pods", "locked", {}), KubeApiError);
      assertEquals(
        e.message,
        `Cannot list pods in namespace 'locked': pods is forbidden: User "scalebench-tester" cannot list resource "pods" in API group "" in the namespace "locked" (HTTP 403 Forbidden)`,
      );
      await client.remove("secrets", "bench", "s1");
      const wrong = `${c.kubeconfig}.wrong`;
      await Deno.writeTextFile(
        wrong,
        (await Deno.readTextFile(c.kubeconfig)).replace(c.token, "nope"),
      );
      const bad = await connectKube({ kubeconfig: wrong, context: null });
      e = await assertRejects(() => bad.list("pods", "bench", {}), KubeApiError);
      assertEquals(
        e.message,
        "Cannot list pods in namespace 'bench': Unauthorized: the credentials were refused (HTTP 401)",
      );
      await bad.close();
      for (const text of [c.token, c.pki.clientKeyPem.split("\n")[1]]) {
        assert(!e.message.includes(text), "no credential in errors");
      }
    }, { forbidden: (_verb, _r, ns) => ns === "locked" }),
});

Deno.test({
  name: "Tracker lists, watches, resumes a dropped watch and lists again after 410 Gone",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      c.store.create("pods", "bench", pod("a"));
      c.store.create("pods", "bench", pod("other", { app: "u" }));
      const tracker = new Tracker({
        client,
        resource: "pods",
        namespace: "bench",
        selector: { labels: "app=t" },
        onChange() {},
      });
      await tracker.start();
      assertEquals([...tracker.objects.keys()], ["a"]);
      c.store.create("pods", "bench", pod("b"));
      await tracker.until(() => tracker.objects.size === 2, 5000);
      assertEquals([...tracker.objects.keys()].sort(), ["a", "b"]);
      // a dropped watch resumes from the last resourceVersion: nothing missed, no re-list
      assertEquals(c.api.dropWatches(), 1);
      c.store.update("pods", "bench", "a", (p) => (p.status.phase = "Running"));
      c.store.remove("pods", "bench", "b");
      await tracker.until(() =>
        tracker.objects.size === 1 && tracker.objects.get("a")?.status !== undefined &&
        (tracker.objects.get("a")!.status as { phase: string }).phase === "Running", 5000);
      assertEquals([tracker.lists, tracker.objects.size], [1, 1]);
      // the server expires the watch (410 Gone): the tracker lists again and watches anew
      assertEquals(c.api.expireWatches(), 1);
      c.store.create("pods", "bench", pod("c"));
      await tracker.until(() =>
        tracker.objects.has("c"), 5000);
      assertEquals([...tracker.objects.keys()].sort(), ["a", "c"]);
      assertEquals([tracker.lists, tracker.watches], [2, 3]);
      await tracker.stop();
      // a watch from a compacted resourceVersion gets a 410 ERROR event
      const events: unknown[] = [];
      let ended = (_: unknown) => {};
      const end = new Promise((r) => (ended = r));
      await client.watch("pods", "bench", {
        selector: {},
        resourceVersion: "1",
        timeoutSeconds: 30,
        onEvent: (type, obj) =>
          events.push([type, obj.code]),
        onDone: ended,
      });
      assertEquals(await end, null);
      assertEquals(events, [["ERROR", 410]]);
    }),
});

Deno.test({
  name: "followLog() follows a pod log through a dropped stream without repeating a line",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      c.store.create("pods", "bench", pod("p"));
      const log = new PodLog();
      c.kubelet.logs.set("bench/p", log);
      const dir = await Deno.makeTempDir();
      const seen: string[] = [];
      let terminated = false;
      let wake = () => {};
      const done = followLog({
        client,
        namespace: "bench",
        pod: "p",
        container: "rank",
        file: `${dir}/p.log`,
        onLine: (l) => seen.push(l),
        status: () => ({ terminated, gone: false }),
        changed: () => new Promise((r) => (wake = r)),
      });
      for (let i = 0; i < 50; i++) log.append(`line ${i}`);
      while (seen.length < 50) await new Promise((r) => setTimeout(r, 10));
      assertEquals(c.api.dropLogStreams(), 1);
      for (let i = 50; i < 100; i++) log.append(`line ${i}`);
      log.close();
      terminated = true;
      wake();
      await done;
      const expected = Array.from({ length: 100 }, (_, i) => `line ${i}`);
      assertEquals(seen, expected);
      assertEquals(await Deno.readTextFile(`${dir}/p.log`), expected.join("\n") + "\n");
      assert(c.api.stats.logs >= 2, "the log was read again");
      c.store.remove("pods", "bench", "p");
      await Deno.remove(dir, { recursive: true });
    }),
});

Deno.test({
  name: "watch() gives up a connection quiet for idleSeconds: a timeout, not 'HTTP 23', and ends",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      let done = (_: unknown) => {};
      const ended = new Promise((r) => (done = r));
      await client.watch("pods", "bench", {
        selector: { labels: "app=t" },
        resourceVersion: String(c.store.rv),
        timeoutSeconds: 60,
        idleSeconds: 1,
        onEvent() {},
        onDone: done,
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const err = await Promise.race([
        ended,
        new Promise((r) => (timer = setTimeout(() => r("never ended"), 10_000))),
      ]);
      clearTimeout(timer);
      assert(err instanceof KubeApiError, String(err));
      assertEquals([err.message, err.code, err.reason], [
        "Cannot watch pods: nothing came for 1 s (the connection is gone)",
        0,
        "Timeout",
      ]);
      assertEquals(c.api.stats.watchTimeouts, 0);
    }, { honorWatchTimeout: false, bookmarkSeconds: 3600 }),
});

Deno.test({
  name: "watch() asks the server to end it after timeoutSeconds, and a Tracker resumes it",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      const tracker = new Tracker({
        client,
        resource: "pods",
        namespace: "bench",
        selector: { labels: "app=t" },
        onChange() {},
        timeoutSeconds: 1,
      });
      await tracker.start();
      await new Promise((r) => setTimeout(r, 2500));
      c.store.create("pods", "bench", pod("late"));
      assertEquals(await tracker.until(() => tracker.objects.has("late"), 5000), true);
      await tracker.stop();
      assert(c.api.stats.watchTimeouts >= 2, `server-ended watches: ${c.api.stats.watchTimeouts}`);
      assertEquals([tracker.lists, tracker.idle], [1, 0]);
    }),
});

Deno.test({
  name: "list() and watch() take field selectors: a Job's Events",
  ...opts,
  fn: () =>
    withCluster(async (c, client) => {
      const event = (name: string, uid: string) => ({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name },
        involvedObject: { kind: "Job", name: "j", uid },
        type: "Warning",
        reason: "FailedCreate",
        message: "Error creating: nope",
      });
      c.store.create("events", "bench", event("e1", "u1"));
      c.store.create("events", "bench", event("e2", "u2"));
      const { items } = await client.list("events", "bench", { fields: "involvedObject.uid=u1" });
      assertEquals(items.map((e) => (e.metadata as { name: string }).name), ["e1"]);
      const tracker = new Tracker({
        client,
        resource: "events",
        namespace: "bench",
        selector: { fields: "involvedObject.uid=u2" },
        onChange() {},
      });
      await tracker.start();
      c.store.create("events", "bench", event("e3", "u2"));
      c.store.create("events", "bench", event("e4", "u1"));
      await tracker.until(() => tracker.objects.size === 2, 5000);
      await tracker.stop();
      assertEquals([...tracker.objects.keys()].sort(), ["e2", "e3"]);
    }),
});
