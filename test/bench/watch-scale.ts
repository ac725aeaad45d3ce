// npm run bench -- --watch-scale [--watch-files 1000]: only the large watch case of watch.ts
// (also part of --scale), for measuring watch changes without the minutes the rest takes.
import { watchScaleBench } from './watch.js';

const i = process.argv.indexOf('--watch-files');
const files = i >= 0 ? Number(process.argv[i + 1]) : 1000;
let ok = true;
await watchScaleBench((name, value, target, met) => {
  ok &&= met;
  console.log(`${met ? 'ok  ' : 'MISS'} ${name}: ${value} (target ${target})`);
}, files);
if (!ok) process.exitCode = 1;
