import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';
import { pollUntil, redisCall, RedisServer } from './redis-server';

export interface HostPort {
  host: string;
  port: number;
}

export interface SentinelSetOptions {
  /** Replicas of the master (redis-server --replicaof), at least 1. Default 1. */
  replicas?: number;
  /** Sentinel processes; the quorum is a majority of them. Default 3. */
  sentinels?: number;
  /** The name the sentinels monitor the master under (ioredis `name`). Default 'bullpen'. */
  masterName?: string;
  /** How long start(), failover() and killMaster() wait for the sentinels to agree, in ms. Default 60000. */
  timeoutMs?: number;
}

/** Which data node was the master before a failover and which one is now. */
export interface MasterChange {
  from: number;
  to: number;
}

const DEFAULTS: Required<SentinelSetOptions> = { replicas: 1, sentinels: 3, masterName: 'bullpen', timeoutMs: 60_000 };

const HOST = '127.0.0.1';
const DATA_ARGS = ['--appendonly', 'no', '--save', '', '--repl-diskless-sync-delay', '0'];
/** A master that stops answering is subjectively down after this many ms. */
const DOWN_AFTER_MS = 1_000;
/** Bounds a promotion, and is the pause before a failed election is retried (twice this). */
const FAILOVER_TIMEOUT_MS = 3_000;
/**
 * SENTINEL DEBUG periods (Redis 7), for tests only: INFO to every node each second instead of
 * every 10 s, hello messages every 500 ms instead of 2 s. Sentinels then find each other and the
 * replicas within a second or two, and demote a former master (4 hello periods after it is seen
 * still claiming to be master) in ~2 s instead of ~20 s.
 */
const SENTINEL_DEBUG = ['info-period', 1_000, 'publish-period', 500];

/**
 * One master, its replicas and a quorum of Sentinels, all redis-server processes on free
 * loopback ports, for tests of clients that follow a failover. `destroy()` kills every process
 * it started (by PID) and removes their directories.
 */
export class SentinelSet {
  readonly sentinels: HostPort[] = [];
  private readonly lost = new Set<number>();
  private destroyed = false;

  private constructor(
    readonly masterName: string,
    /** The data nodes, the first started as master (which one is now: `masterPort()`); a node restarted by hand after killMaster() is not counted back in. */
    readonly servers: RedisServer[],
    private readonly sentinelProcesses: SentinelProcess[],
    private readonly timeoutMs: number,
  ) {}

  static async start(options: SentinelSetOptions = {}): Promise<SentinelSet> {
    const { replicas, sentinels, masterName, timeoutMs } = { ...DEFAULTS, ...options };
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`SentinelSet: replicas must be an integer >= 1, got ${replicas}`);
    if (!Number.isInteger(sentinels) || sentinels < 1) throw new Error(`SentinelSet: sentinels must be an integer >= 1, got ${sentinels}`);
    if (!/^[\w.-]+$/.test(masterName)) throw new Error(`SentinelSet: masterName must be letters, digits, '.', '_' or '-', got '${masterName}'`);
    const set = new SentinelSet(masterName, [], [], timeoutMs);
    try {
      const master = await RedisServer.start(DATA_ARGS);
      set.servers.push(master);
      await startAll(replicas, () => RedisServer.start([...DATA_ARGS, '--replicaof', HOST, String(master.port)]), set.servers);
      await set.until(`${replicas} replica(s) in sync with the master`, () => replicasOnline(master.port, replicas));
      const quorum = Math.floor(sentinels / 2) + 1;
      await startAll(sentinels, () => SentinelProcess.start(masterName, master.port, quorum), set.sentinelProcesses);
      set.sentinels.push(...set.sentinelProcesses.map((s) => ({ host: HOST, port: s.port })));
      await Promise.all(set.sentinelProcesses.map((s) => redisCall(s.port, 'SENTINEL', 'DEBUG', ...SENTINEL_DEBUG)));
      await set.until('every sentinel to see the master, its replicas and the other sentinels', () => set.settled(master.port, replicas));
      return set;
    } catch (err) {
      await set.destroy();
      throw err;
    }
  }

  /** The master's port, as the first sentinel that answers reports it. */
  async masterPort(): Promise<number> {
    let lastError: unknown;
    for (const { port } of this.sentinels) {
      try {
        const [, masterPort] = (await redisCall(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName)) as [string, string];
        return Number(masterPort);
      } catch (err) {
        lastError = err;
      }
    }
    throw new Error(`SentinelSet: no sentinel answered: ${String(lastError)}`);
  }

  /**
   * SENTINEL FAILOVER, resolving once every sentinel reports the new master, it answers ROLE as
   * master, and the old master and every other replica replicate from it.
   */
  async failover(): Promise<MasterChange> {
    const from = await this.masterPort();
    await this.until('a sentinel to accept SENTINEL FAILOVER', async () => {
      try {
        await redisCall(this.sentinels[0].port, 'SENTINEL', 'FAILOVER', this.masterName);
        return true;
      } catch (err) {
        return String(err); // NOGOODSLAVE while a replica's state is not fresh yet
      }
    });
    const to = await this.newMaster(from);
    await this.until(`the old master ${from} to replicate from ${to}`, async () => {
      const role = (await redisCall(from, 'ROLE')) as unknown[];
      return (role[0] === 'slave' && Number(role[2]) === to && role[3] === 'connected') || `ROLE ${JSON.stringify(role)}`;
    });
    await this.until(`every sentinel to settle on master ${to}`, () => this.settled(to, this.aliveReplicas()));
    return { from, to };
  }

  /** SIGKILLs the master (a node loss) and resolves once the sentinels have promoted a replica. */
  killMaster(): Promise<MasterChange> {
    return this.loseMaster((server) => server.kill());
  }

  /** SHUTDOWN on the master (a clean stop) and resolves once the sentinels have promoted a replica. */
  stopMaster(): Promise<MasterChange> {
    return this.loseMaster((server) => server.shutdown());
  }

  /** Kills every sentinel, then every data node, by PID; removes their directories. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const results = [
      ...(await Promise.allSettled(this.sentinelProcesses.map((s) => s.destroy()))),
      ...(await Promise.allSettled(this.servers.map((s) => s.destroy()))),
    ];
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async loseMaster(stop: (server: RedisServer) => Promise<void>): Promise<MasterChange> {
    const from = await this.masterPort();
    const server = this.servers.find((s) => s.port === from);
    if (!server) throw new Error(`SentinelSet: the sentinels report master ${from}, which is not one of this set's nodes`);
    if (this.aliveReplicas() < 1) throw new Error('SentinelSet: no replica left to promote');
    await stop(server);
    this.lost.add(from);
    const to = await this.newMaster(from);
    await this.until(`every sentinel to settle on master ${to}`, () => this.settled(to, this.aliveReplicas()));
    return { from, to };
  }

  /** Waits until every sentinel names the same master other than `from`, and it answers ROLE as master. */
  private async newMaster(from: number): Promise<number> {
    let to = 0;
    await this.until(`the sentinels to agree on a master other than ${from}`, async () => {
      const ports = await Promise.all(this.sentinels.map(async ({ port }) => ((await redisCall(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName)) as string[])[1]));
      if (new Set(ports).size !== 1 || Number(ports[0]) === from) return `sentinels report masters ${ports.join(', ')}`;
      to = Number(ports[0]);
      const role = (await redisCall(to, 'ROLE')) as unknown[];
      return role[0] === 'master' || `${to} answers ROLE ${JSON.stringify(role)}`;
    });
    return to;
  }

  private aliveReplicas(): number {
    return this.servers.length - this.lost.size - 1;
  }

  /** True once every sentinel sees `masterPort` as a healthy master with `replicas` healthy replicas and every other sentinel; else what is missing. */
  private async settled(masterPort: number, replicas: number): Promise<true | string> {
    for (const { port } of this.sentinels) {
      const master = fields(await redisCall(port, 'SENTINEL', 'MASTER', this.masterName));
      if (Number(master.port) !== masterPort || !isHealthy(master.flags, 'master')) return `sentinel ${port} sees master ${master.port} with flags ${master.flags}`;
      const seen = ((await redisCall(port, 'SENTINEL', 'REPLICAS', this.masterName)) as unknown[]).map(fields);
      const healthy = seen.filter((r) => isHealthy(r.flags, 'slave') && r['role-reported'] === 'slave' && r['master-link-status'] === 'ok' && Number(r['master-port']) === masterPort);
      if (healthy.length !== replicas) return `sentinel ${port} sees ${healthy.length} of ${replicas} replicas healthy: ${seen.map((r) => `${r.port} (${r.flags}, link ${r['master-link-status']})`).join(', ')}`;
      const seenSentinels = ((await redisCall(port, 'SENTINEL', 'SENTINELS', this.masterName)) as unknown[]).map(fields);
      const others = seenSentinels.filter((s) => isHealthy(s.flags, 'sentinel'));
      if (others.length !== this.sentinels.length - 1) return `sentinel ${port} sees ${others.length} of ${this.sentinels.length - 1} other sentinels healthy: ${seenSentinels.map((s) => `${s.port} (${s.flags})`).join(', ')}`;
    }
    return true;
  }

  private until(what: string, check: () => Promise<true | string>): Promise<void> {
    return pollUntil(`SentinelSet: ${what}`, check, this.timeoutMs, () => this.outputs());
  }

  private outputs(): string {
    const tail = (text: string) => text.slice(-1_500);
    return [
      ...this.servers.map((s) => `--- redis-server ${s.port} ---\n${tail(s.output)}`),
      ...this.sentinelProcesses.map((s) => `--- sentinel ${s.port} ---\n${tail(s.output)}`),
    ].join('\n');
  }
}

/** One redis-server in sentinel mode with its own (rewritable) config file in a temp dir. */
class SentinelProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'bullpen-sentinel-'));
  private child?: ChildProcess;
  private outputTail = '';

  private constructor(readonly port: number) {}

  static async start(masterName: string, masterPort: number, quorum: number): Promise<SentinelProcess> {
    for (let attempt = 1; ; attempt++) {
      const sentinel = new SentinelProcess(await freePort());
      try {
        await sentinel.start(masterName, masterPort, quorum);
        return sentinel;
      } catch (err) {
        await sentinel.destroy();
        if (attempt >= 3 || !sentinel.output.includes('Address already in use')) throw err;
      }
    }
  }

  get output(): string {
    return this.outputTail;
  }

  async destroy(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async start(masterName: string, masterPort: number, quorum: number, timeoutMs = 30_000): Promise<void> {
    const config = join(this.dir, 'sentinel.conf');
    writeFileSync(
      config,
      [
        `port ${this.port}`,
        `bind ${HOST}`,
        `dir "${this.dir}"`,
        `sentinel monitor ${masterName} ${HOST} ${masterPort} ${quorum}`,
        `sentinel down-after-milliseconds ${masterName} ${DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${masterName} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    // The redis-sentinel binary is redis-server under another name; this needs no extra package.
    const child = spawn('redis-server', [config, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (chunk: Buffer) => {
      this.outputTail = (this.outputTail + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const deadline = Date.now() + timeoutMs;
    // The monitor line comes after the listening socket is open.
    while (!this.outputTail.includes('+monitor master')) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-sentinel on port ${this.port} exited with ${child.exitCode ?? child.signalCode}:\n${this.outputTail}`);
      if (Date.now() > deadline) throw new Error(`redis-sentinel on port ${this.port} was not ready after ${timeoutMs} ms:\n${this.outputTail}`);
      await sleep(20);
    }
  }
}

/** Starts `n` things at once; every one that started lands in `into` (so it is destroyed) even if another failed. */
async function startAll<T>(n: number, start: () => Promise<T>, into: T[]): Promise<void> {
  const results = await Promise.allSettled(Array.from({ length: n }, start));
  for (const r of results) if (r.status === 'fulfilled') into.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** True once the master reports `n` replicas online; else what it reports. */
async function replicasOnline(masterPort: number, n: number): Promise<true | string> {
  const info = String(await redisCall(masterPort, 'INFO', 'replication'));
  const online = info.split('\r\n').filter((line) => /^slave\d+:.*state=online/.test(line)).length;
  return online === n || `master reports ${online} of ${n} replicas online`;
}

/** `flags` (as SENTINEL MASTER/REPLICAS/SENTINELS report them) name `role` and nothing wrong; `master_down` is only another sentinel's vote. */
function isHealthy(flags: string, role: string): boolean {
  const set = new Set(flags.split(','));
  return set.has(role) && !['s_down', 'o_down', 'disconnected', 'failover_in_progress', 'promoted'].some((flag) => set.has(flag));
}

/** A SENTINEL reply's flat [key, value, ...] list as an object. */
function fields(reply: unknown): Record<string, string> {
  const list = reply as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
}
