// One of the processes serve.js runs (api, worker or beat), started and stopped again as often as
// the job modules change.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const EXIT_WITH_PARENT = join(__dirname, 'exit-with-parent.js');

class ServiceProcess {
  /**
   * @param {object} o
   * @param {string} o.name       api, worker or beat
   * @param {string} o.root       the repository, the process's cwd
   * @param {string} o.entry      its main.ts, relative to root
   * @param {Record<string,string>} o.env  on top of serve.js's environment
   * @param {number} o.stopDeadlineMs  after a SIGTERM, how long before its group is killed
   * @param {(how: string) => void} o.onUnexpectedExit  it exited without being asked to
   */
  constructor(o) {
    this.o = o;
    this.child = undefined;
    this.stopping = undefined;
  }

  get name() {
    return this.o.name;
  }

  get running() {
    return this.child !== undefined;
  }

  start() {
    const { root, entry, env, onUnexpectedExit } = this.o;
    const child = spawn(process.execPath, ['--conditions=development', '--require', EXIT_WITH_PARENT, '--import', 'tsx', join(root, entry)], {
      cwd: root,
      env: { ...process.env, ...env, BULLPEN_SERVE_PID: String(process.pid) },
      // Its own process group: the terminal's Ctrl-C goes to serve.js's group, not to this one,
      // so the process hears of it once, as the SIGTERM serve.js sends (two signals force an exit).
      detached: true,
      // stdin is the pipe exit-with-parent.js watches.
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = undefined;
        if (!this.stopping) onUnexpectedExit(signal ?? `code ${code}`);
        // Killed by the SIGTERM it was sent: it was still loading (each main installs its drain
        // before starting anything), so it had nothing to drain. That is a clean stop too.
        resolve(code === 0 || (this.stopping !== undefined && signal === 'SIGTERM'));
      });
    });
    child.on('error', (err) => console.error(`serve: could not start ${this.name}: ${err.message}`));
  }

  /**
   * One SIGTERM: the process stops taking jobs or requests, finishes the active ones and exits.
   * Resolves true when it exited 0 (or was not running). Idempotent.
   */
  stop() {
    if (!this.child) return Promise.resolve(true);
    this.stopping ??= (async () => {
      this.child.kill('SIGTERM');
      // The process has its own deadline; this one is for a process that hangs past it.
      const timer = setTimeout(() => this.kill(), this.o.stopDeadlineMs);
      const clean = await this.exited;
      clearTimeout(timer);
      this.stopping = undefined;
      return clean;
    })();
    return this.stopping;
  }

  /** SIGKILL to its process group: the process and the job processes it started. */
  kill() {
    if (!this.child) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

module.exports = { ServiceProcess };
