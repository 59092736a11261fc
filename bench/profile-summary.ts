/**
 * The heaviest functions of V8 CPU profiles (BENCH_CPU_PROF): self time per function, summed over
 * the files given, as a share of the profiled time. `npx tsx bench/profile-summary.ts [--top N]
 * [--inclusive] [--by-place] FILE...`; --by-place sums by package or src/ folder instead. Inclusive time counts a function once per sample however deep it recurs.
 * A sample's time is wall time on the thread: a system call the thread waits in while descheduled
 * (`writev` to a woken PostgreSQL backend on a busy machine) counts as that call's, though it is not
 * CPU; `/proc/<pid>/stat`'s user and system time say what is (bench/findings.md).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 15;
const inclusive = args.includes('--inclusive');
// Self time summed by where the code lives: a package of node_modules, a folder of src/, node's own, native.
const byPlace = args.includes('--by-place');
const files = args.filter((a, i) => !a.startsWith('--') && !(topIndex >= 0 && i === topIndex + 1));

function place(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(src|bench|web)\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]!.replace(/\.ts$/, '')}`;
  if (url.startsWith('node:')) return 'node';
  return url.startsWith('wasm') ? 'wasm' : url;
}

function label(node: ProfileNode): string {
  if (byPlace) return place(node);
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? url.replace(/^file:\/\//, '').split('/node_modules/').pop()!.replace(process.cwd() + '/', '') : '';
  return `${functionName || '(anonymous)'} ${file ? `${path.normalize(file)}:${lineNumber + 1}` : ''}`.trim();
}

const totals = new Map<string, number>();
let all = 0;
for (const file of files) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') return;
    all += dt;
    if (!inclusive) {
      totals.set(label(node), (totals.get(label(node)) ?? 0) + dt);
      return;
    }
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      totals.set(l, (totals.get(l) ?? 0) + dt);
    }
  });
}
const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`| function | ${inclusive ? 'inclusive' : 'self'} ms | share of busy time |\n| --- | ---: | ---: |`);
for (const [name, us] of rows) console.log(`| \`${name}\` | ${(us / 1000).toFixed(0)} | ${((us / all) * 100).toFixed(1)} % |`);
console.log(`\nbusy (not idle) time: ${(all / 1000).toFixed(0)} ms over ${files.length} profile(s)`);
