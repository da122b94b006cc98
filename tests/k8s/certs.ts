/**
 * Test PKI for the fake API server, made with `openssl` at test time: a CA, a server certificate
 * for 127.0.0.1, and a client certificate and key (which the kubeconfig carries, so that tests
 * can check the key never leaks), plus a kubeconfig file with CA data and a bearer token.
 *
 * @module
 */

/** Files and secrets of a test PKI. */
export interface TestPki {
  dir: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Make a CA, a server certificate for 127.0.0.1/localhost and a client certificate. */
export async function makePki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-k8s-pki-" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
      "-subj",
      "/CN=fake-kube-ca",
    ],
    dir,
  );
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n" +
      "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.ext`,
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
  );
  for (const [name, subj] of [["server", "/CN=127.0.0.1"], ["client", "/O=tests/CN=scalebench"]]) {
    await openssl(
      ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj],
      dir,
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    ], dir);
  }
  const read = (f: string) => Deno.readTextFile(`${dir}/${f}`);
  return {
    dir,
    caPem: await read("ca.crt"),
    serverCertPem: await read("server.crt"),
    serverKeyPem: await read("server.key"),
    clientCertPem: await read("client.crt"),
    clientKeyPem: await read("client.key"),
  };
}

/**
 * A certificate for `names` (DNS names, server and client use) signed by the test CA, with its
 * key: what a user puts in a `kubernetes.io/tls` Secret for the rendezvous.
 */
export async function makeTlsCert(
  pki: TestPki,
  names: string[],
): Promise<{ cert: string; key: string }> {
  const id = crypto.randomUUID().slice(0, 8);
  await Deno.writeTextFile(
    `${pki.dir}/${id}.ext`,
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nbasicConstraints=CA:FALSE\n` +
      "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(
    ["req", ...ec, "-keyout", `${id}.key`, "-out", `${id}.csr`, "-subj", `/CN=${names[0]}`],
    pki.dir,
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    `${id}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${id}.crt`,
    "-days",
    "2",
    "-extfile",
    `${id}.ext`,
  ], pki.dir);
  return {
    cert: await Deno.readTextFile(`${pki.dir}/${id}.crt`),
    key: await Deno.readTextFile(`${pki.dir}/${id}.key`),
  };
}

function b64(text: string): string {
  return btoa(text);
}

/** A kubeconfig for `server` with CA data, a bearer token and the client certificate. */
export function kubeconfigYaml(
  pki: TestPki,
  options: { server: string; token: string; namespace?: string },
): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fake",
    "  cluster:",
    `    server: ${options.server}`,
    `    certificate-authority-data: ${b64(pki.caPem)}`,
    "users:",
    "- name: tester",
    "  user:",
    `    token: ${options.token}`,
    `    client-certificate-data: ${b64(pki.clientCertPem)}`,
    `    client-key-data: ${b64(pki.clientKeyPem)}`,
    "contexts:",
    "- name: fake",
    "  context:",
    "    cluster: fake",
    "    user: tester",
    `    namespace: ${options.namespace ?? "bench"}`,
    "- name: other",
    "  context:",
    "    cluster: fake",
    "    user: tester",
    "current-context: fake",
    "",
  ].join("\n");
}
