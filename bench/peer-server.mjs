// PeerJS's own signaling server on a free loopback port, in a process of its own: `peer` keeps timers running that
// nothing can stop, so the benchmark kills this process instead. Sends the port to its parent once it listens.
import { PeerServer } from 'peer';

PeerServer({ port: 0, host: '127.0.0.1', path: '/' }, (http) => process.send({ port: http.address().port }));
