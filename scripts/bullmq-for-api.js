// Writes the part of BullMQ the API process runs as one file, for Dockerfile.api to put in place of
// node_modules/bullmq: the API (through @bullpen/core) and Bull Board's adapter use only `Queue`
// and `FlowProducer`, so BullMQ's Worker, its sandboxes and child processes, and the Postgres and
// Valkey backends stay out of the API image. Built from BullMQ's ES modules, which esbuild can
// tree-shake; the packages BullMQ requires stay outside, resolved as before (its pinned
// cron-parser from node_modules/bullmq/node_modules, ioredis shared with core).
//   node scripts/bullmq-for-api.js OUT_FILE
const { build } = require('esbuild');
const { loader, ...options } = require('./esbuild-options');

/** What the API image's `require('bullmq')` offers: every value the API process imports from it. */
const API_BULLMQ_EXPORTS = ['FlowProducer', 'Queue'];

// Only BullMQ's own files are bundled, each marked free of side effects: its package.json does not
// say `sideEffects: false`, so without that esbuild keeps every module its index re-exports,
// Worker included.
const bullmqAlone = {
  name: 'bullmq-alone',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) => (args.path === 'bullmq' ? undefined : { path: args.path, external: true }));
    esbuild.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData || args.kind === 'entry-point') return undefined;
      const resolved = await esbuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: true });
      if (resolved.errors.length > 0 || !/[\\/]node_modules[\\/]bullmq[\\/]/.test(resolved.path)) return undefined;
      return { ...resolved, sideEffects: false };
    });
  },
};

/** Bundles into `outfile`; resolves to the bytes written. */
async function bundle(outfile) {
  const result = await build({
    ...options,
    stdin: { contents: `export { ${API_BULLMQ_EXPORTS.join(', ')} } from 'bullmq';`, resolveDir: __dirname, loader: 'js' },
    bundle: true,
    mainFields: ['module', 'main'],
    plugins: [bullmqAlone],
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes;
}

module.exports = { API_BULLMQ_EXPORTS, bundle };

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node scripts/bullmq-for-api.js OUT_FILE');
    process.exit(2);
  }
  bundle(out).then((bytes) => console.log(`wrote ${out}: ${bytes} bytes of BullMQ (${API_BULLMQ_EXPORTS.join(', ')})`));
}
