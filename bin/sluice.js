#!/usr/bin/env -S node --max-semi-space-size=64
// The published entry point: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import('../dist/src/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('sluice: the build output is missing. Run `npm install` (or `npm run build`) in the sluice folder first.\n');
    process.exit(1);
  }
  throw error;
});
