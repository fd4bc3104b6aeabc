// PeerJS alone, the most embedded WebRTC library, as the size bench (bench/size.mjs) bundles it for comparison.
import { Peer } from 'peerjs';

window.Peer = Peer;
