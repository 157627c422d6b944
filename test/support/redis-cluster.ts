import { execFile } from 'node:child_process';
import { freePort } from './free-port';
import { pollUntil, redisCall, RedisServer } from './redis-server';

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisClusterOptions {
  /** Masters, sharing the 16384 slots evenly; at least 3 (what redis-cli --cluster create accepts). Default 3. */
  masters?: number;
  /** Replicas of each master. Default 0. */
  replicasPerMaster?: number;
  /** How long each step of start() may take (redis-cli --cluster create; then cluster_state:ok on every node), in ms. Default 60000. */
  timeoutMs?: number;
}

const DEFAULTS: Required<RedisClusterOptions> = { masters: 3, replicasPerMaster: 0, timeoutMs: 60_000 };

const HOST = '127.0.0.1';
const SLOTS = 16_384;
/** A node that stops answering is marked failing after this many ms (and a replica then takes over). */
const NODE_TIMEOUT_MS = 2_000;

/**
 * A Redis Cluster of redis-server processes on free loopback ports (each with its own bus port,
 * so no port + 10000 arithmetic can collide or overflow), for tests of clients that follow
 * slots. `destroy()` kills every node by PID and removes their directories.
 */
export class RedisCluster {
  readonly nodes: HostPort[] = [];
  private destroyed = false;

  private constructor(
    /** Every node, masters and replicas, in the order given to redis-cli --cluster create. */
    readonly servers: RedisServer[],
    private readonly timeoutMs: number,
  ) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const { masters, replicasPerMaster, timeoutMs } = { ...DEFAULTS, ...options };
    if (!Number.isInteger(masters) || masters < 3) throw new Error(`RedisCluster: masters must be an integer >= 3, got ${masters}`);
    if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) throw new Error(`RedisCluster: replicasPerMaster must be an integer >= 0, got ${replicasPerMaster}`);
    const total = masters * (1 + replicasPerMaster);
    const cluster = new RedisCluster([], timeoutMs);
    try {
      const results = await Promise.allSettled(Array.from({ length: total }, startNode));
      for (const r of results) if (r.status === 'fulfilled') cluster.servers.push(r.value);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      cluster.nodes.push(...cluster.servers.map((s) => ({ host: HOST, port: s.port })));
      const addresses = cluster.nodes.map((n) => `${n.host}:${n.port}`);
      await redisCli(['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], timeoutMs);
      await cluster.until('every node to report cluster_state:ok with all slots and nodes', () => cluster.formed(masters, total));
      return cluster;
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
  }

  /** The master that owns `key`'s slot (CLUSTER KEYSLOT + CLUSTER SLOTS, asked of the first node that answers). */
  async nodeOwning(key: string): Promise<HostPort> {
    let lastError: unknown;
    for (const { port } of this.nodes) {
      try {
        const slot = Number(await redisCall(port, 'CLUSTER', 'KEYSLOT', key));
        const ranges = (await redisCall(port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, ...unknown[]], ...unknown[]][];
        const range = ranges.find(([first, last]) => slot >= first && slot <= last);
        if (!range) throw new Error(`node ${port} reports no owner for slot ${slot}`);
        return { host: range[2][0], port: Number(range[2][1]) };
      } catch (err) {
        lastError = err;
      }
    }
    throw new Error(`RedisCluster: no node answered for '${key}': ${String(lastError)}`);
  }

  /** Kills every node by PID and removes their directories. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const results = await Promise.allSettled(this.servers.map((s) => s.destroy()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** True once every node sees the whole cluster healthy (and every replica is linked); else what is missing. */
  private async formed(masters: number, total: number): Promise<true | string> {
    for (const { port } of this.nodes) {
      const info = parseInfo(String(await redisCall(port, 'CLUSTER', 'INFO')));
      const healthy = info.cluster_state === 'ok' && Number(info.cluster_slots_ok) === SLOTS && Number(info.cluster_known_nodes) === total && Number(info.cluster_size) === masters;
      if (!healthy) return `node ${port}: state ${info.cluster_state}, slots ok ${info.cluster_slots_ok}, known nodes ${info.cluster_known_nodes}/${total}, size ${info.cluster_size}/${masters}`;
      const role = (await redisCall(port, 'ROLE')) as unknown[];
      if (role[0] === 'slave' && role[3] !== 'connected') return `replica ${port}: link to ${role[2]} is ${role[3]}`;
    }
    return true;
  }

  private until(what: string, check: () => Promise<true | string>): Promise<void> {
    const outputs = () => this.servers.map((s) => `--- redis-server ${s.port} ---\n${s.output.slice(-1_500)}`).join('\n');
    return pollUntil(`RedisCluster: ${what}`, check, this.timeoutMs, outputs);
  }
}

/** One cluster-enabled node with its own bus port; a port taken between choosing and binding it means another try. */
async function startNode(): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const busPort = await freePort();
    // nodes.conf is relative to --dir, the node's own temp dir.
    const server = await RedisServer.create(['--appendonly', 'no', '--save', '', '--repl-diskless-sync-delay', '0', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--cluster-port', String(busPort)]);
    try {
      if (server.port === busPort) throw new Error(`port ${busPort} chosen twice`);
      await server.start();
      return server;
    } catch (err) {
      await server.destroy();
      const retry = server.port === busPort || server.output.includes('Address already in use');
      if (attempt >= 3 || !retry) throw err;
    }
  }
}

function redisCli(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const how = err?.killed ? `killed after ${timeoutMs} ms` : `exited ${err?.code}`;
      if (err) reject(new Error(`redis-cli ${args.join(' ')} ${how}:\n${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}
