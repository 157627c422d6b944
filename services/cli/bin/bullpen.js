#!/usr/bin/env node
// The `bullpen` command. In a source checkout (tsx installed) it runs the TypeScript in src/, so
// it is never stale; where only the build is present (`npm run build`, an image), dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'src', 'main.ts');
let tsx = null;
try {
  tsx = require.resolve('tsx/cjs', { paths: [root] });
} catch {
  // no tsx: production install
}
if (tsx && existsSync(source)) {
  require(tsx);
  require(source);
} else {
  require(join(root, 'dist', 'main.js'));
}
