import { parseCommand, runCli, UsageError, type Cluster } from '../src';

function usageError(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('command line', () => {
  it('parses each command with its options', () => {
    expect(parseCommand(['status', '-n', 'bullpen-production', '--json'])).toEqual({
      name: 'status',
      namespace: 'bullpen-production',
      json: true,
      release: undefined,
      apiUrl: undefined,
    });
    expect(parseCommand(['scale', 'all', '5', '--pin', '--namespace=ns', '--release', 'bp'])).toMatchObject({
      name: 'scale',
      group: 'all',
      replicas: 5,
      pin: true,
      namespace: 'ns',
      release: 'bp',
    });
    expect(parseCommand(['drain', 'low-prio', '--force', '--api-url', 'http://127.0.0.1:8080'])).toMatchObject({
      name: 'drain',
      group: 'low-prio',
      force: true,
      apiUrl: 'http://127.0.0.1:8080',
    });
    expect(parseCommand([])).toEqual({ name: 'help' });
    expect(parseCommand(['scale', '--help'])).toEqual({ name: 'help' });
  });

  it.each([
    [['restart'], 'unknown command "restart" (commands: status, scale, drain)'],
    [['scale', 'all'], 'bullpen scale: missing REPLICAS'],
    [['scale'], 'bullpen scale: missing GROUP and REPLICAS'],
    [['drain'], 'bullpen drain: missing GROUP'],
    [['scale', 'all', 'three'], 'REPLICAS must be a whole number >= 0, got "three"'],
    [['scale', 'all', '2.5'], 'REPLICAS must be a whole number >= 0, got "2.5"'],
    [['scale', 'all', '99999999999'], 'REPLICAS 99999999999 is too large'],
    [['scale', 'all', '2', '3'], 'bullpen scale: unexpected argument "3"'],
    [['status', 'all'], 'bullpen status: unexpected argument "all"'],
    [['drain', 'all', '--pin'], 'bullpen drain takes no --pin'],
    [['scale', 'all', '2', '--force'], 'bullpen scale takes no --force'],
    [['scale', 'all', '2', '--json'], 'bullpen scale takes no --json'],
    [['status', '--replicas', '3'], "Unknown option '--replicas'"],
    [['status', '-n'], "Option '-n, --namespace <value>' argument missing"],
    [['status', '-n', ' '], '--namespace needs a value'],
    [['scale', 'All_Groups', '1'], '"All_Groups" is not a worker group name'],
    [['status', '--api-url', 'localhost:8080'], '--api-url: expected an http:// or https:// URL, got "localhost:8080"'],
    [['status', '--api-url', 'not a url'], '--api-url: not a URL: "not a url"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageError(argv)).toContain(message);
  });

  it('rejects a negative replica count (it reads as an unknown option)', () => {
    expect(usageError(['scale', 'all', '-1'])).toContain("Unknown option '-1'");
  });
});

describe('runCli', () => {
  function run(argv: string[], env: Record<string, string> = {}, cluster?: Partial<Cluster>) {
    const out: string[] = [];
    const err: string[] = [];
    let connected = false;
    const code = runCli(argv, {
      env,
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      connect: async () => {
        connected = true;
        if (!cluster) throw new Error('no cluster in this test');
        return { namespace: 'bullpen-test', server: 'https://127.0.0.1:6443', ...cluster } as Cluster;
      },
    });
    return code.then((c) => ({ code: c, out: out.join('\n'), err: err.join('\n'), connected }));
  }

  it('exits 2 on a bad command line, before touching the cluster, and points at --help', async () => {
    const result = await run(['scale', 'all']);
    expect(result).toMatchObject({ code: 2, connected: false });
    expect(result.err).toBe('bullpen: bullpen scale: missing REPLICAS\nRun "bullpen --help" for usage.');
  });

  it('prints the usage for --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('bullpen scale GROUP REPLICAS');
  });

  it('names the environment variable that is wrong', async () => {
    expect((await run(['status'], { BULLPEN_API_URL: 'ftp://x' })).err).toContain('BULLPEN_API_URL: expected an http:// or https:// URL');
    expect((await run(['status'], { BULLPEN_TIMEOUT_SECONDS: '0' })).err).toContain('BULLPEN_TIMEOUT_SECONDS: expected whole seconds between 1 and 600');
  });

  it('lists the known groups when GROUP names none, and exits 1', async () => {
    const deployment = (group: string) => ({ name: `bullpen-worker-${group}`, labels: { 'bullpen.dev/worker-group': group }, annotations: {}, replicas: 1 });
    const cluster: Partial<Cluster> = {
      listWorkerDeployments: async () => [deployment('critical'), deployment('rest')],
      listHpas: async () => [],
      listScaledObjects: async () => [],
    };
    const result = await run(['scale', 'al', '2'], {}, cluster);
    expect(result.code).toBe(1);
    expect(result.err).toBe('bullpen: unknown worker group "al" in namespace bullpen-test; known groups: critical, rest');
  });
});
