/**
 * A real Kubernetes control plane for the e2e tests: etcd and kube-apiserver on loopback, on free
 * ports, with certificates made here by openssl, in a temporary directory. No controller-manager,
 * no scheduler, no kubelet: objects, validation, defaulting, RBAC, the scale subresource and CRDs
 * are real, and no Pod ever runs (a Deployment never gets a ReplicaSet).
 *
 * The binaries come from `make test-k8s` (scripts/kube-test-env.sh) through the environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../../test/support/deferred';
import { freePort } from '../../../../test/support/free-port';
import { run, runOk, type RunResult } from '../../../../test/support/run';

export { run, runOk, type RunResult } from '../../../../test/support/run';

export interface KubeTools {
  helm: string;
  kubectl: string;
  etcd: string;
  apiserver: string;
  /** Directory with KEDA's ScaledObject and TriggerAuthentication CRDs. */
  kedaCrds: string;
}

/** The binaries `make test-k8s` found or built; fails naming what to run otherwise. */
export function kubeTools(env: NodeJS.ProcessEnv = process.env): KubeTools {
  const missing = ['HELM', 'KUBECTL', 'ETCD', 'KUBE_APISERVER', 'KEDA_CRDS'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set: run these tests with \`make test-k8s\` (scripts/kube-test-env.sh gets the binaries)`);
  }
  return { helm: env.HELM!, kubectl: env.KUBECTL!, etcd: env.ETCD!, apiserver: env.KUBE_APISERVER!, kedaCrds: env.KEDA_CRDS! };
}

interface Certs {
  ca: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

/** A CA, the API server's serving certificate, an admin client certificate in system:masters, the service-account key pair. */
async function makeCerts(dir: string): Promise<Certs> {
  const p = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => runOk('openssl', args);
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=bullpen-e2e-ca');
  const signed = async (name: string, subject: string, extensions: string) => {
    writeFileSync(p(`${name}.ext`), extensions);
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subject);
    await openssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.crt`), '-days', '2', '-extfile', p(`${name}.ext`));
  };
  await signed('apiserver', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n');
  await signed('admin', '/O=system:masters/CN=bullpen-e2e-admin', 'extendedKeyUsage=clientAuth\n');
  await openssl('genrsa', '-out', p('sa.key'), '2048');
  await openssl('rsa', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub'));
  return {
    ca: p('ca.crt'),
    serverCert: p('apiserver.crt'),
    serverKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
  };
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function startProcess(command: string, args: string[], logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  return child;
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface ControlPlane {
  tools: KubeTools;
  /** https://127.0.0.1:<port> */
  server: string;
  /** A kubeconfig for the admin (system:masters). */
  kubeconfig: string;
  dir: string;
  /** kubectl with the admin kubeconfig. */
  kubectl(args: readonly string[], input?: string): Promise<RunResult>;
  /** helm with the admin kubeconfig. */
  helm(args: readonly string[]): Promise<RunResult>;
  /** A kubeconfig that authenticates with a bearer token (e.g. a service account's), for RBAC tests. */
  tokenKubeconfig(name: string, token: string, namespace: string): string;
  stop(): Promise<void>;
}

/** Starts etcd and kube-apiserver and returns once the API server's /readyz says ok. */
export async function startControlPlane(tools: KubeTools = kubeTools()): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'bullpen-kube-'));
  let etcd: ChildProcess | undefined;
  let apiserver: ChildProcess | undefined;
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const certs = await makeCerts(dir);
    const [etcdClient, etcdPeer, securePort] = await Promise.all([freePort(), freePort(), freePort()]);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcdLog = join(dir, 'etcd.log');
    etcd = startProcess(tools.etcd, [
      '--name', 'e2e', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `e2e=${peerUrl}`,
    ], etcdLog);
    await waitFor('etcd /health', async () => {
      const res = await fetch(`${etcdUrl}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    }, 60_000, { diagnose: () => tail(etcdLog) });

    const apiserverLog = join(dir, 'kube-apiserver.log');
    mkdirSync(join(dir, 'cert-dir'));
    apiserver = startProcess(tools.apiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${securePort}`,
      `--cert-dir=${join(dir, 'cert-dir')}`,
      `--tls-cert-file=${certs.serverCert}`,
      `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.ca}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${certs.saPub}`,
      `--service-account-signing-key-file=${certs.saKey}`,
      '--authorization-mode=RBAC',
      // No token controller runs; tokens come from the TokenRequest API instead.
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ], apiserverLog);
    const server = `https://127.0.0.1:${securePort}`;
    const ca = readFileSync(certs.ca);
    const cert = readFileSync(certs.adminCert);
    const key = readFileSync(certs.adminKey);
    await waitFor('kube-apiserver /readyz', () => new Promise<boolean>((resolve) => {
      const req = httpsRequest(`${server}/readyz`, { ca, cert, key, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    }), 120_000, {
      diagnose: () => `kube-apiserver ${apiserver?.exitCode === null ? 'running' : `exited ${apiserver?.exitCode}`}:\n${tail(apiserverLog)}`,
    });

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(server, certs.ca, 'admin', { 'client-certificate': certs.adminCert, 'client-key': certs.adminKey }, 'default'));
    const env = { ...process.env, KUBECONFIG: kubeconfig, HELM_CACHE_HOME: join(dir, 'helm-cache'), HELM_CONFIG_HOME: join(dir, 'helm-config'), HELM_DATA_HOME: join(dir, 'helm-data') };
    return {
      tools,
      server,
      kubeconfig,
      dir,
      kubectl: (args, input) => run(tools.kubectl, args, { env, input }),
      helm: (args) => run(tools.helm, args, { env }),
      tokenKubeconfig(name, token, namespace) {
        const file = join(dir, `kubeconfig-${name}`);
        writeFileSync(file, kubeconfigYaml(server, certs.ca, name, { token }, namespace));
        return file;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function kubeconfigYaml(server: string, ca: string, user: string, credentials: Record<string, string>, namespace: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority': ca } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user, namespace } }],
    'current-context': 'e2e',
  });
}
