#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm install` through the prepare script).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`chrysopedia: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
