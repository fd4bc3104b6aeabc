// The baseline's page: PeerJS, the most embedded WebRTC library, exposed to the benchmark's page script.
import { Peer } from 'peerjs';

window.Peer = Peer;
