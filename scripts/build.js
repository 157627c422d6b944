// Compiles each workspace's src/ to dist/ (what the images run); type checking is `npm run typecheck`.
const { execFileSync } = require('node:child_process');
const { existsSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const swc = join(root, 'node_modules', '.bin', 'swc');
for (const pkg of ['core', 'worker', 'beat', 'api', 'cli']) {
  const dir = join(root, 'services', pkg);
  if (!existsSync(join(dir, 'src'))) continue;
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  execFileSync(swc, ['src', '-d', 'dist', '--strip-leading-paths', '--config-file', join(root, '.swcrc'), '--ignore', '**/*.test.ts'], { cwd: dir, stdio: 'inherit' });
}
