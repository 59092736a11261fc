/**
 * npm run bench → BENCHMARKS.md; npm run bench:quick → every section at toy sizes, printed (and
 * written only with --out FILE). Progress goes to stderr.
 */
import { writeFile } from 'node:fs/promises';
import { FULL, QUICK } from './profile.js';
import { runBench } from './run-bench.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : quick ? undefined : 'BENCHMARKS.md';

const report = await runBench(quick ? QUICK : FULL, {
  command: quick ? 'npm run bench:quick' : 'npm run bench',
  log: (line) => process.stderr.write(`${line}\n`),
});
if (out) {
  await writeFile(out, report.markdown);
  process.stderr.write(`wrote ${out}\n`);
} else {
  process.stdout.write(report.markdown);
}
const failed = report.sections.filter((s) => s.result.pending === 'failed');
if (failed.length > 0) {
  process.stderr.write(`failed sections: ${failed.map((s) => s.title).join(', ')}\n`);
  process.exitCode = 1;
}
