// Reading a V8 .cpuprofile (as `node --cpu-prof` writes it): self time per
// function and per file, the largest first.
import { readFileSync } from 'node:fs';

/** A short name for a script URL: the part after dist/esm/, or the Node/npm module. */
function shortUrl(url) {
  if (!url) return '(native)';
  const dist = url.indexOf('/dist/esm/');
  if (dist >= 0) return url.slice(dist + '/dist/esm/'.length);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url;
}

/** Self time in ms by function (name file:line) and by file, sorted, with the total. */
export function selfTimes(path) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map();
  const files = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
    const file = shortUrl(url);
    const fn = `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us / 1000);
    files.set(file, (files.get(file) ?? 0) + us / 1000);
    total += us / 1000;
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, functions: sorted(fns), files: sorted(files) };
}

/**
 * Who calls the functions named `name`: their total time (self and below)
 * in ms by chain of `depth` callers, the largest first.
 */
export function callers(path, name, depth = 3) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const inclusive = (id) => (self.get(id) ?? 0) + (byId.get(id).children ?? []).reduce((sum, c) => sum + inclusive(c), 0);
  const frame = ({ functionName, url, lineNumber }) => `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
  const chains = new Map();
  for (const n of profile.nodes) {
    if (n.callFrame.functionName !== name) continue;
    const chain = [];
    for (let id = parent.get(n.id), d = 0; id !== undefined && d < depth; id = parent.get(id), d++) chain.push(frame(byId.get(id).callFrame));
    const key = chain.join(' <- ');
    chains.set(key, (chains.get(key) ?? 0) + inclusive(n.id) / 1000);
  }
  return [...chains].sort((a, b) => b[1] - a[1]);
}
