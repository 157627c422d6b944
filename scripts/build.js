// Compiles each workspace's src/ to dist/ (what the images run); type checking is `npm run typecheck`.
const { buildSync } = require('esbuild');
const { existsSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { loader, ...options } = require('./esbuild-options');

const root = join(__dirname, '..');
const sources = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name) ? [path] : [];
  });

for (const pkg of ['core', 'jobs', 'worker', 'beat', 'api', 'cli']) {
  const dir = join(root, 'services', pkg);
  if (!existsSync(join(dir, 'src'))) continue;
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const entryPoints = sources(join(dir, 'src'));
  buildSync({ ...options, entryPoints, outdir: join(dir, 'dist'), outbase: join(dir, 'src'), sourcemap: true, logLevel: 'warning' });
  console.log(`built services/${pkg}: ${entryPoints.length} files`);
}
