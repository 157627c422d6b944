import { runCli } from './cli';
import { connectKube } from './kube-cluster';

void runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  connect: connectKube,
}).then((code) => {
  process.exitCode = code;
  // A request abandoned at its deadline may hold a socket open: do not wait for it.
  setTimeout(() => process.exit(code), 100).unref();
});
