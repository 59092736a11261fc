/**
 * npm run bench → BENCHMARKS.md; npm run bench:quick → every section at toy sizes, printed (and
 * written only with --out FILE). `--only <words>` runs the sections whose title has them, e.g.
 * `--only "requests per second"`; BENCH_CPU_PROF=<dir> writes the service's CPU profiles there.
 * Progress goes to stderr.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { keepOtherSections } from './lib/keep-sections.js';
import { FULL, QUICK } from './profile.js';
import { runBench } from './run-bench.js';
import { SECTIONS } from './sections/index.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1]?.toLowerCase() : undefined;
// A partial run is for investigating (e.g. with BENCH_CPU_PROF=dir): it never overwrites the report.
const out = outIndex >= 0 ? args[outIndex + 1] : quick || only ? undefined : 'BENCHMARKS.md';

const report = await runBench(quick ? QUICK : FULL, {
  command: quick ? 'npm run bench:quick' : 'npm run bench',
  log: (line) => process.stderr.write(`${line}\n`),
  sections: only ? SECTIONS.filter((s) => s.title.toLowerCase().includes(only)) : SECTIONS,
});
if (out) {
  await writeFile(out, keepOtherSections(report.markdown, await readFile(out, 'utf8').catch(() => '')));
  process.stderr.write(`wrote ${out}\n`);
} else {
  process.stdout.write(report.markdown);
}
const failed = report.sections.filter((s) => s.result.pending === 'failed');
if (failed.length > 0) {
  process.stderr.write(`failed sections: ${failed.map((s) => s.title).join(', ')}\n`);
  process.exitCode = 1;
}
