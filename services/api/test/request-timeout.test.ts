import { connect } from 'node:net';
import { CLIENT_TOKEN, startTestApi, type TestApi } from './support/api';

const TIMEOUT_SECONDS = 1;
/** Node looks for expired requests once a second (the API's connectionsCheckingInterval); the rest is scheduling slack. */
const CUT_OFF_WITHIN_MS = TIMEOUT_SECONDS * 1000 + 1000 + 1000;

interface Trickle {
  /** How long the socket stayed open, from the first byte. */
  openMs: number;
  /** Bytes of the request the server took before it cut the socket. */
  sent: number;
  reply: string;
}

/** Writes `head` at once, then `rest` one byte every 50 ms, until the server closes the socket. */
function trickle(url: string, head: string, rest: string): Promise<Trickle> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const startedAt = Date.now();
    let reply = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < rest.length) socket.write(rest[sent++]);
      }, 50);
    });
    // The server may reset the socket it cut; the close event follows either way.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      if (sent >= rest.length) reject(new Error('the whole request was sent before the server cut it'));
      else resolve({ openMs: Date.now() - startedAt, sent, reply });
    });
  });
}

describe('API_REQUEST_TIMEOUT_SECONDS', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi({ env: { API_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) } });
  });
  afterEach(() => t.close());

  const body = JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 1, pad: 'x'.repeat(400) } });

  it('cuts off a body trickled a byte at a time with 408, and enqueues nothing', async () => {
    const head = `POST /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${CLIENT_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const cut = await trickle(t.url, head, body);
    expect(cut.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.openMs).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000 - 50);
    expect(cut.openMs).toBeLessThan(CUT_OFF_WITHIN_MS);
    expect(await t.countJobs()).toBe(0);
  });

  it('cuts off headers trickled a byte at a time (the headers timeout is at most the request timeout)', async () => {
    const headers = `Host: x\r\nAuthorization: Bearer ${CLIENT_TOKEN}\r\nContent-Type: application/json\r\nX-Padding: ${'y'.repeat(400)}\r\n\r\n`;
    const cut = await trickle(t.url, 'POST /api/jobs HTTP/1.1\r\n', headers);
    expect(cut.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.openMs).toBeLessThan(CUT_OFF_WITHIN_MS);
  });

  it('leaves a request that arrives in time alone', async () => {
    const res = await fetch(`${t.url}/api/jobs`, { method: 'POST', headers: { authorization: `Bearer ${CLIENT_TOKEN}`, 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
  });
});
