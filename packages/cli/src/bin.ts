#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // main() reports every error itself; this is a last resort for bugs in Weft.
    console.error(error);
    process.exitCode = 70;
  },
);
