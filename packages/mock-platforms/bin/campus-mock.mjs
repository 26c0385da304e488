#!/usr/bin/env node
import { main } from '../dist/cli.js';

main().catch((err) => {
  console.error(`campus-mock: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
