import { measurePeerjsSetup } from './peerjs-baseline.mjs';
import { measureFederatedSetup } from './federation.mjs';
const which = process.argv[2];
if (which === 'peerjs') await measurePeerjsSetup({ calls: 2 }); else await measureFederatedSetup({ calls: 2 });
console.log('done', which);
setTimeout(() => {
  console.log(process._getActiveHandles().map((h) => h.constructor.name + (h.spawnfile ? ' ' + h.spawnfile : '') + (h.remoteAddress ? ' ' + h.remoteAddress + ':' + h.remotePort : '') + (h.address?.()?.port ? ' listen ' + h.address().port : '')));
  console.log(process._getActiveRequests().length);
}, 3000).unref();
