// The devices panel of <wsp-call>: self-preview, microphone level, pickers for camera, microphone and speaker.
// A lazily imported chunk, loaded when the user first opens the settings: most calls never need it.
import { enDevices } from '../i18n/en-devices.js';
import type { Strings } from '../i18n/strings.js';
import { watchLevel } from '../media/level.js';
import {
  canChooseSpeaker,
  listDevices,
  loadDeviceChoice,
  chosenConstraints,
  saveDeviceChoice,
  switchDevice,
  useSpeaker,
  type DeviceKind,
  type DeviceList,
} from '../media/devices.js';
import type { ViewKit } from './in-call.js';
import { VideoStreams } from './video-streams.js';
import type { WspCall } from './wsp-call.js';

/** What the kit of the element lends the panel (see in-call.ts). */
export type PanelKit = Pick<ViewKit, 'html' | 'nothing' | 'button' | 'WspErrorEvent'>;

/** An open panel. */
interface Panel {
  /** What the panel shows and listens to: the call's own camera and microphone, or a preview of its own. */
  stream?: MediaStream;
  /** True when `stream` is the panel's own preview, to stop on close. */
  own?: boolean;
  devices?: DeviceList;
  message?: string;
  stopLevel?: () => void;
}

const panels = new WeakMap<WspCall, Panel>();
/** The widgets whose panel was opened once: its styles adopted, its preview given its stream by a controller. */
const styled = new WeakSet<WspCall>();

/** Styles of the panel: it covers the widget, over the call, which goes on behind it. */
export const sheet = new CSSStyleSheet();
sheet.replaceSync(`
[part=devices] { z-index: 1; flex-direction: column; flex-wrap: nowrap; overflow: auto; background: var(--wsp-background, light-dark(#e8eaed, #111)) }
[part=devices] video { position: static; width: auto; height: auto; max-height: 40%; aspect-ratio: 4/3; border-radius: var(--g); transform: scaleX(-1) }
[part=devices] label { display: flex; flex-direction: column; width: min(100%, 320px) }
[part=level] { width: min(100%, 320px) }
`);

/** The live call's local stream, while `el` has one. */
const callStream = (el: WspCall): MediaStream | undefined => (el.state !== 'ended' ? el.session?.localStream : undefined);

/** True while the panel of `el` is open. */
export const isOpen = (el: WspCall): boolean => panels.has(el);

/**
 * Opens the panel of `el`, or closes it (`force` picks which). Opening asks for camera and microphone when no call
 * holds them, to show the preview and the devices' names; refused, the panel says so and `el` fires `error`.
 */
export async function toggle(el: WspCall, kit: PanelKit, force = !isOpen(el)): Promise<void> {
  if (!styled.has(el)) {
    (el.renderRoot as ShadowRoot).adoptedStyleSheets.push(sheet);
    new VideoStreams(el, () => ({ preview: panels.get(el)?.stream ?? null }));
    styled.add(el);
  }
  if (!force) return close(el);
  if (isOpen(el)) return;
  const panel: Panel = {};
  panels.set(el, panel);
  el.requestUpdate();
  await preview(el, panel, kit);
}

function close(el: WspCall): void {
  const panel = panels.get(el);
  panels.delete(el);
  if (panel) release(panel);
  el.requestUpdate();
  // The focus goes back where it came from, unless it is elsewhere in the page already.
  if (panel && (el.renderRoot as ShadowRoot).activeElement) el.renderRoot.querySelector<HTMLElement>('[part~=settings-button]')?.focus();
}

function release(panel: Panel): void {
  panel.stopLevel?.();
  if (panel.own) for (const track of panel.stream?.getTracks() ?? []) track.stop();
  panel.stream = undefined;
}

/** (Re)opens what the panel shows, with the devices chosen, then lists the devices (named once permission is given). */
async function preview(el: WspCall, panel: Panel, { WspErrorEvent }: PanelKit): Promise<void> {
  release(panel);
  let stream = callStream(el);
  panel.own = !stream;
  try {
    stream ??= await navigator.mediaDevices.getUserMedia(chosenConstraints(loadDeviceChoice(), { video: !el.audioOnly }, await listDevices()));
    panel.message = undefined;
  } catch (error) {
    // Denied, or no device: the call can still go on voice only or receive only (the session copes); say why.
    panel.message = `${(error as Error).message || error}`;
    el.dispatchEvent(new WspErrorEvent(panel.message));
  }
  if (panels.get(el) !== panel) return stream && panel.own ? stream.getTracks().forEach((track) => track.stop()) : undefined;
  panel.stream = stream;
  if (stream?.getAudioTracks().length) {
    panel.stopLevel = watchLevel(stream, (level) => {
      const meter = el.renderRoot.querySelector<HTMLMeterElement>('[part=level]');
      if (meter) meter.value = level;
    });
  }
  const first = !panel.devices;
  panel.devices = await listDevices().catch(() => undefined);
  el.requestUpdate();
  // A dialog takes the focus when it opens, so that a keyboard user lands on its first picker.
  if (first) await el.updateComplete, el.renderRoot.querySelector<HTMLElement>('[part~=picker]')?.focus();
}

/** Uses the device picked in the select of `kind`: remembered for the next calls, switched into a live call. */
async function pick(el: WspCall, kit: PanelKit, kind: DeviceKind, deviceId: string): Promise<void> {
  saveDeviceChoice({ ...loadDeviceChoice(), [kind]: deviceId });
  const panel = panels.get(el);
  const live = callStream(el);
  try {
    if (kind === 'audiooutput') {
      const remote = el.renderRoot.querySelector<HTMLVideoElement>('[part=remote-video]');
      if (remote && !(await useSpeaker(remote, deviceId))) throw new Error(`speaker ${deviceId} refused`);
    } else if (live) await switchDevice(el.session!.pc, live, kind, deviceId);
    else if (panel) await preview(el, panel, kit);
  } catch (error) {
    el.dispatchEvent(new kit.WspErrorEvent(`${(error as Error).message || error}`));
  }
  el.requestUpdate();
}

/** The panel of `el`, when open; closes it when `el` left the page. */
export function panel(el: WspCall, strings: Strings, kit: PanelKit): unknown {
  const { html, nothing, button } = kit;
  const open = panels.get(el);
  if (open && !el.isConnected) close(el);
  if (!open || !el.isConnected) return nothing;
  const s = { ...enDevices, ...strings };
  const chosen = loadDeviceChoice();
  const live = open.stream?.getTracks() ?? [];
  const select = (kind: DeviceKind) => {
    // What is in use shows as selected: the live track's device, else the remembered choice.
    const using = live.find((track) => track.kind === (kind === 'audioinput' ? 'audio' : 'video'))?.getSettings().deviceId ?? chosen[kind];
    return html`<label>${s[kind]}<select part="picker ${kind}" @change=${(event: Event) => pick(el, kit, kind, (event.target as HTMLSelectElement).value)}>
${(open.devices?.[kind] ?? []).map((device, index) => html`<option value=${device.deviceId} ?selected=${device.deviceId === using}>${device.label || `${s[kind]} ${index + 1}`}</option>`)}
</select></label>`;
  };
  return html`<div part="devices" role="dialog" aria-label=${strings.settings} @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && close(el)}>
${open.stream?.getVideoTracks().length ? html`<video part="preview" .muted=${true} autoplay playsinline></video>` : nothing}
${open.message ? html`<p role="alert">${s.unavailable.split('{0}').join(open.message)}</p>` : nothing}
<meter part="level" aria-label=${s.level} min="0" max="1" value="0"></meter>
${el.audioOnly ? nothing : select('videoinput')}${select('audioinput')}${canChooseSpeaker() ? select('audiooutput') : nothing}
${button('close', s.close, () => close(el))}
</div>`;
}
