// Jest transform: TypeScript to CommonJS with esbuild (type checking is `npm run typecheck`).
const { transformSync } = require('esbuild');
const options = require('./esbuild-options');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { ...options, sourcefile: filename, sourcemap: 'external' });
    return { code, map };
  },
};
