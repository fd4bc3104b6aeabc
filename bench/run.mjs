// `npm run bench`: every figure the issues ask for, printed as plain lines for a closing note.
import { measureSize, printSize } from './size.mjs';
import { measureSetup, printSetup, summarize } from './setup-time.mjs';

printSize(await measureSize());
console.log();
printSetup(summarize(await measureSetup({ calls: Number(process.env.BENCH_CALLS ?? 30) })));
