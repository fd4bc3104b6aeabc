// `npm run bench`: every figure the issues ask for, printed as plain lines for a closing note.
import { measureSize, printSize } from './size.mjs';
import { measureSetup, printSetup, summarize } from './setup-time.mjs';
import { measurePeerjsSetup, peerjsSize } from './peerjs-baseline.mjs';
import { measureFederatedSetup, measureLinkThroughput, printFederatedSetup, printLinkThroughput } from './federation.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 30);
const kb = (n) => `${(n / 1024).toFixed(2)} kB`;
const ms = (n) => `${n.toFixed(1)} ms`;

printSize(await measureSize());
console.log(`PeerJS alone, for comparison:     ${kb((await peerjsSize()).gzipped)} min+gzip`);
console.log();

const ours = summarize(await measureSetup({ calls }));
printSetup(ours);
printFederatedSetup({ single: ours, federated: summarize(await measureFederatedSetup({ calls })) });
const peerjs = summarize(await measurePeerjsSetup({ calls }));
console.log(`PeerJS baseline, same page load (self-views, remote video played): median ${ms(peerjs.median)}, p95 ${ms(peerjs.p95)} (${peerjs.n} calls)`);
console.log(`wsp-call / PeerJS median: ${(ours.median / peerjs.median).toFixed(2)}`);
console.log();
printLinkThroughput(await measureLinkThroughput());
