#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import { main } from '../dist/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
