// Watches a directory of job modules and reports which were added, changed or removed, once the
// directory has been quiet for a moment (an editor's save is several events: temp file, rename).
const { createHash } = require('node:crypto');
const { readFileSync, watch } = require('node:fs');
const { join } = require('node:path');
const { jobModules } = require('../workers-index');

const QUIET_MS = 200;

/** Each job module's name and a hash of its content. */
function snapshot(dir) {
  const files = new Map();
  for (const name of jobModules(dir)) {
    try {
      files.set(name, createHash('sha1').update(readFileSync(join(dir, name))).digest('hex'));
    } catch {
      // Removed between the listing and the read: the next event reports it.
    }
  }
  return files;
}

/**
 * Calls `onChange({ added, changed, removed })` (file names) after each burst of changes that
 * touched a job module; returns the fs.FSWatcher (close() it to stop).
 */
function watchJobModules(dir, onChange) {
  let known = snapshot(dir);
  let timer;
  const settle = () => {
    const now = snapshot(dir);
    const added = [...now.keys()].filter((f) => !known.has(f));
    const changed = [...now.keys()].filter((f) => known.has(f) && known.get(f) !== now.get(f));
    const removed = [...known.keys()].filter((f) => !now.has(f));
    known = now;
    if (added.length + changed.length + removed.length > 0) onChange({ added, changed, removed });
  };
  const watcher = watch(dir, () => {
    clearTimeout(timer);
    timer = setTimeout(settle, QUIET_MS);
  });
  watcher.on('close', () => clearTimeout(timer));
  watcher.on('error', (err) => console.error(`serve: stopped watching ${dir}: ${err.message}`));
  return watcher;
}

/** "added a.ts, removed b.ts" */
function describeChange({ added, changed, removed }) {
  return [['added', added], ['changed', changed], ['removed', removed]]
    .filter(([, files]) => files.length > 0)
    .map(([verb, files]) => `${verb} ${files.join(', ')}`)
    .join('; ');
}

module.exports = { watchJobModules, describeChange };
