/**
 * What a call needs beyond the page's first load, in one lazily imported chunk: the call session (peer connection,
 * negotiation, handover), its media (tones, quality, screen share) and the remembered device choice. Most pages with a widget never place a call; those that
 * do load this while the call rings, where it costs no setup time.
 *
 * @internal
 */
import { chosenConstraints, listDevices, loadDeviceChoice, type DeviceChoice, type DeviceList } from '../media/devices.js';
import type { CallClientSettings } from './call-client.js';
import { CallMedia } from './call-media.js';
import { CallSession } from './call-session.js';
import { type IssuedIceServers, mergeIceServers } from './ice-servers.js';
import type { Transport } from './signaling.js';
export { QualityChangeEvent } from './call-media.js';
export { invitation } from './invitation.js';

/** The devices present, kept current: a remembered device is asked for exactly only while it is there. */
let present: DeviceList | undefined;
const survey = (): Promise<void> =>
  listDevices().then(
    (list) => void (present = list),
    () => {},
  );
navigator.mediaDevices?.addEventListener('devicechange', () => void survey());
// Listing devices the first time can take a second (Chromium): the first call's invite goes out meanwhile, and only
// opening the devices waits for the list, so that it opens the devices chosen.
const surveyed = survey();

/**
 * A call's getUserMedia constraints: the remembered choice, as far as its devices are present (see chosenConstraints);
 * a promise of them until the first survey is done.
 */
export const mediaConstraints = (choice: DeviceChoice, options: { video: boolean }): MediaStreamConstraints | Promise<MediaStreamConstraints> =>
  present ? chosenConstraints(choice, options, present) : surveyed.then(() => chosenConstraints(choice, options, present));

/**
 * A new call for a client: its session, configured by the client's `settings` (devices remembered, ICE servers,
 * relay only, audio only, preview, connect timeout), with its media around it; `id` is an incoming call's. Its frames
 * leave through `signaling`; what changes is told through `notify`. The TURN servers `issued` by the WSP server join
 * the page's ICE servers, renewed before an ICE restart.
 */
export function newCall(
  settings: CallClientSettings,
  signaling: Transport,
  notify: (event?: Event) => void,
  issued?: IssuedIceServers,
  id?: string,
): CallMedia {
  const { audioOnly, relayOnly, preview, connectTimeout } = settings;
  const media = mediaConstraints(loadDeviceChoice(), { video: !audioOnly });
  const iceServers = mergeIceServers(settings.iceServers, issued?.servers);
  const renewIceServers = async () => issued && mergeIceServers(settings.iceServers, await issued.renew());
  const rtc: RTCConfiguration = { iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' };
  return new CallMedia(new CallSession(signaling, { id, media, rtc, preview, renewIceServers, connectTimeoutMs: connectTimeout }), notify);
}
