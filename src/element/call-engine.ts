/**
 * What a call needs beyond the page's first load, in one lazily imported chunk: the call session (peer connection,
 * negotiation, handover) and the remembered device choice. Most pages with a widget never place a call; those that
 * do load this while the call rings, where it costs no setup time.
 *
 * @internal
 */
import { chosenConstraints, listDevices, type DeviceChoice, type DeviceList } from '../media/devices.js';
export { CallSession } from '../call/call-session.js';
export { loadDeviceChoice } from '../media/devices.js';

/** The devices present, kept current: a remembered device is asked for exactly only while it is there. */
let present: DeviceList | undefined;
const survey = (): Promise<void> => listDevices().then((list) => void (present = list), () => {});
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
