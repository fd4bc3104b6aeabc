/** The kinds of device a call uses: microphone, camera, speaker. */
export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/** The device chosen for each kind, by `deviceId`; a kind left out means the browser's default. */
export type DeviceChoice = Partial<Record<DeviceKind, string>>;

/** The devices present, per kind, in the browser's order. */
export type DeviceList = Record<DeviceKind, MediaDeviceInfo[]>;

const STORAGE_KEY = 'wsp-call.devices';
const kinds: readonly DeviceKind[] = ['audioinput', 'videoinput', 'audiooutput'];

/** What the site stores: per origin, shared by every widget of the site, so that the choice holds on the next visit. */
type Store = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStore(): Store | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    // Sandboxed iframes and some privacy modes throw on mere access: then nothing is remembered.
    return undefined;
  }
}

/**
 * The devices chosen on an earlier visit; `{}` when none were, or what was stored is unreadable.
 *
 * @example
 * const constraints = mediaConstraints(loadDeviceChoice(), { video: true });
 */
export function loadDeviceChoice(store: Store | undefined = defaultStore()): DeviceChoice {
  try {
    const stored: unknown = JSON.parse(store?.getItem(STORAGE_KEY) ?? '{}');
    const choice: DeviceChoice = {};
    for (const kind of kinds) {
      const id = (stored as Record<string, unknown> | null)?.[kind];
      if (typeof id === 'string' && id) choice[kind] = id;
    }
    return choice;
  } catch {
    return {};
  }
}

/** Remembers `choice` for the next visit; a store that refuses (full, private mode) just forgets. */
export function saveDeviceChoice(choice: DeviceChoice, store: Store | undefined = defaultStore()): void {
  try {
    store?.setItem(STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // Remembering is a convenience: the call works without it.
  }
}

/**
 * The getUserMedia constraints for `choice`. Device ids are `ideal`, not `exact`: a camera unplugged since the last
 * visit falls back to another instead of failing the call. `exact` asks for the chosen devices only (see
 * {@link chosenConstraints}, which needs it).
 *
 * @example
 * mediaConstraints({ videoinput: 'cam-2' }, { video: true }); // { audio: true, video: { deviceId: { ideal: 'cam-2' } } }
 */
export function mediaConstraints(choice: DeviceChoice, { video }: { video: boolean }, exact = false): MediaStreamConstraints {
  const pick = (id?: string): MediaTrackConstraints | true => (id ? { deviceId: exact ? { exact: id } : { ideal: id } } : true);
  return { audio: pick(choice.audioinput), video: video && pick(choice.videoinput) };
}

/**
 * The getUserMedia constraints for `choice` among the devices `present`: a chosen device that is present is asked
 * `exact`, since Chromium opens the default microphone whatever an `ideal` deviceId says (seen with its fake devices,
 * Chromium 156); one gone since is left to the browser. Without `present`, or while the browser hides the devices' ids
 * (no permission yet), the choice stays `ideal`. Pure.
 *
 * @example
 * chosenConstraints({ audioinput: 'mic-2' }, { video: true }, await listDevices()); // { audio: { deviceId: { exact: 'mic-2' } }, video: true }
 */
export function chosenConstraints(choice: DeviceChoice, options: { video: boolean }, present?: DeviceList): MediaStreamConstraints {
  const ids = new Set(Object.values(present ?? {}).flatMap((devices) => devices.map((device) => device.deviceId)));
  ids.delete('');
  if (!ids.size) return mediaConstraints(choice, options);
  const kept: DeviceChoice = {};
  for (const kind of kinds) if (ids.has(choice[kind]!)) kept[kind] = choice[kind];
  return mediaConstraints(kept, options, true);
}

/**
 * The microphones, cameras and speakers present. Labels are empty until the page was granted media once: ask after
 * getUserMedia succeeded.
 */
export async function listDevices(): Promise<DeviceList> {
  const list: DeviceList = { audioinput: [], videoinput: [], audiooutput: [] };
  for (const device of await navigator.mediaDevices.enumerateDevices()) list[device.kind].push(device);
  return list;
}

/** True where the page can pick the speaker (`HTMLMediaElement.setSinkId`): Chromium, Firefox; not Safari. */
export function canChooseSpeaker(): boolean {
  return 'setSinkId' in HTMLMediaElement.prototype;
}

/** Plays `media` on the speaker `deviceId`; false where the browser cannot choose, or refused that one. */
export async function useSpeaker(media: HTMLMediaElement, deviceId: string): Promise<boolean> {
  if (!canChooseSpeaker()) return false;
  try {
    await media.setSinkId(deviceId);
    return true;
  } catch {
    return false;
  }
}

/**
 * Switches the microphone or camera of a live call to `deviceId` without renegotiating: opens the new device,
 * swaps it into the sender with `replaceTrack` and into `stream` (the self-view), then stops the old one. Keeps the
 * old track's `enabled` (a muted microphone stays muted). Resolves with the new track.
 *
 * @example
 * await switchDevice(pc, localStream, 'videoinput', picked.deviceId);
 */
export async function switchDevice(pc: RTCPeerConnection, stream: MediaStream, kind: 'audioinput' | 'videoinput', deviceId: string): Promise<MediaStreamTrack> {
  const trackKind = kind === 'audioinput' ? 'audio' : 'video';
  const constraints = { deviceId: { exact: deviceId } };
  const fresh = await navigator.mediaDevices.getUserMedia(trackKind === 'audio' ? { audio: constraints } : { video: constraints });
  const track = fresh.getTracks()[0]!;
  const old = stream.getTracks().find((candidate) => candidate.kind === trackKind);
  if (old) track.enabled = old.enabled;
  const sender = pc.getSenders().find((candidate) => candidate.track?.kind === trackKind || (old && candidate.track === old));
  try {
    await sender?.replaceTrack(track);
  } catch (error) {
    track.stop();
    throw error;
  }
  if (old) {
    stream.removeTrack(old);
    old.stop();
  }
  stream.addTrack(track);
  return track;
}
