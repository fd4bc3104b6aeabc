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
import type { ReactiveController } from 'lit';
import type { ViewKit } from './in-call.js';
import { VideoStreams } from './video-streams.js';
import type { WspCall } from './wsp-call.js';

/** What the kit of the element lends the panel (see in-call.ts). */
export type PanelKit = Pick<ViewKit, 'html' | 'nothing' | 'button' | 'WspErrorEvent' | 'client'>;

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

/** Styles of the panel: it covers the widget, over the call, which goes on behind it. */
export const sheet = new CSSStyleSheet();
sheet.replaceSync(/* css */ `
  [part='devices'] {
    position: absolute;
    inset: 0;
    z-index: 4;
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: var(--g);
    padding: var(--g);
    overflow: auto;
    background: var(--wsp-background, light-dark(#e8eaed, #202124));
  }

  /* The title and the close button stay at the top, in reach however small the widget. */
  [part='devices'] header {
    position: sticky;
    top: 0;
    display: flex;
    align-items: center;
    justify-content: space-between;
    width: 100%;
  }

  [part='devices'] video {
    position: static;
    flex: none;
    width: auto;
    height: auto;
    max-width: 100%;
    max-height: 40%;
    aspect-ratio: 4/3;
    border-radius: var(--g);
    transform: scaleX(-1);
  }

  [part='devices'] label {
    display: flex;
    flex-direction: column;
    width: min(100%, 320px);
  }

  [part='level'] {
    width: min(100%, 320px);
  }
`);

/** The panel's close button's icon: a cross (Material Icons, Apache License 2.0). */
const closeIcon = 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z';

/**
 * The devices panel of a widget, a ReactiveController: opens and closes (giving the focus to its first picker, and
 * back to the settings button), shows a preview and the microphone level, and switches the devices picked. Made by
 * the element when the settings are first opened; it closes when the element leaves the page.
 *
 * @example
 * const panel = new DevicesPanel(el, kit);
 * await panel.toggle();
 * html`${panel.render(strings)}`;
 */
export class DevicesPanel implements ReactiveController {
  readonly #host: WspCall;
  readonly #kit: PanelKit;
  #open?: Panel;

  constructor(host: WspCall, kit: PanelKit) {
    this.#host = host;
    this.#kit = kit;
    (host.renderRoot as ShadowRoot).adoptedStyleSheets.push(sheet);
    host.addController(this);
    new VideoStreams(host, () => ({ preview: this.#open?.stream ?? null }));
  }

  hostUpdated(): void {
    // A modal dialog: what is behind it is out of reach (of the keyboard and of assistive technology) while it is open.
    const panel = this.#host.renderRoot.querySelector('[part=devices]');
    for (const child of (this.#host.renderRoot as ShadowRoot).children) if (child !== panel) child.toggleAttribute('inert', !!panel);
  }

  /** True while the panel is open. */
  get isOpen(): boolean {
    return !!this.#open;
  }

  hostDisconnected(): void {
    // A move within the page disconnects and reconnects at once: only a real removal closes the panel.
    queueMicrotask(() => this.#host.isConnected || this.#close());
  }

  /**
   * Opens the panel, or closes it (`force` picks which). Opening asks for camera and microphone when no call holds
   * them, to show the preview and the devices' names; refused, the panel says so and the element fires `error`.
   */
  async toggle(force = !this.#open): Promise<void> {
    if (!force) return this.#close();
    if (this.#open) return;
    const panel: Panel = {};
    this.#open = panel;
    this.#host.requestUpdate();
    await this.#preview(panel);
  }

  /** The live call's local stream, while there is one. */
  #callStream(): MediaStream | undefined {
    const { state, session } = this.#kit.client;
    return state !== 'ended' ? session?.localStream : undefined;
  }

  #close(): void {
    const host = this.#host;
    const panel = this.#open;
    this.#open = undefined;
    if (panel) release(panel);
    host.requestUpdate();
    // The focus goes back where it came from (or to the menu that held it), unless it is elsewhere in the page already;
    // once the panel is gone, and what is behind it no longer inert.
    if (!panel || !(host.renderRoot as ShadowRoot).activeElement) return;
    void host.updateComplete.then(() => {
      const back = ['settings', 'more'].map((name) => host.renderRoot.querySelector<HTMLElement>(`[part~=${name}-button]`));
      back.find((button) => button?.checkVisibility())?.focus();
    });
  }

  /** (Re)opens what the panel shows, with the devices chosen, then lists the devices (named once permission is given). */
  async #preview(panel: Panel): Promise<void> {
    const host = this.#host;
    release(panel);
    let stream = this.#callStream();
    panel.own = !stream;
    try {
      stream ??= await navigator.mediaDevices.getUserMedia(chosenConstraints(loadDeviceChoice(), { video: !host.audioOnly }, await listDevices()));
      panel.message = undefined;
    } catch (error) {
      // Denied, or no device: the call can still go on voice only or receive only (the session copes); say why.
      panel.message = `${(error as Error).message || error}`;
      host.dispatchEvent(new this.#kit.WspErrorEvent(panel.message));
    }
    if (this.#open !== panel) return stream && panel.own ? stream.getTracks().forEach((track) => track.stop()) : undefined;
    panel.stream = stream;
    if (stream?.getAudioTracks().length) {
      panel.stopLevel = watchLevel(stream, (level) => {
        const meter = host.renderRoot.querySelector<HTMLMeterElement>('[part=level]');
        if (meter) meter.value = level;
      });
    }
    const first = !panel.devices;
    panel.devices = await listDevices().catch(() => undefined);
    host.requestUpdate();
    // A dialog takes the focus when it opens, so that a keyboard user lands on its first picker.
    if (first) await host.updateComplete, host.renderRoot.querySelector<HTMLElement>('[part~=picker]')?.focus();
  }

  /** Uses the device picked in the select of `kind`: remembered for the next calls, switched into a live call. */
  async #pick(kind: DeviceKind, deviceId: string): Promise<void> {
    const host = this.#host;
    saveDeviceChoice({ ...loadDeviceChoice(), [kind]: deviceId });
    const panel = this.#open;
    const live = this.#callStream();
    try {
      if (kind === 'audiooutput') {
        const remote = host.renderRoot.querySelector<HTMLVideoElement>('[part=remote-video]');
        if (remote && !(await useSpeaker(remote, deviceId))) throw new Error(`speaker ${deviceId} refused`);
      } else if (live) await switchDevice(this.#kit.client.session!.pc, live, kind, deviceId);
      else if (panel) await this.#preview(panel);
    } catch (error) {
      host.dispatchEvent(new this.#kit.WspErrorEvent(`${(error as Error).message || error}`));
    }
    host.requestUpdate();
  }

  /** Keeps Tab and Shift+Tab within the panel, cycling; Escape closes it. */
  readonly #keydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') return this.#close();
    if (event.key !== 'Tab') return;
    const panel = event.currentTarget as HTMLElement;
    const controls = [...panel.querySelectorAll<HTMLElement>('button, select')];
    const edge = event.shiftKey ? controls[0] : controls.at(-1);
    if ((this.#host.renderRoot as ShadowRoot).activeElement !== edge) return;
    event.preventDefault();
    (event.shiftKey ? controls.at(-1) : controls[0])?.focus();
  };

  /** The panel, when open. */
  render(strings: Strings): unknown {
    const { html, nothing, button } = this.#kit;
    const open = this.#open;
    if (!open) return nothing;
    const s = { ...enDevices, ...strings };
    const chosen = loadDeviceChoice();
    const live = open.stream?.getTracks() ?? [];
    const select = (kind: DeviceKind) => {
      // What is in use shows as selected: the live track's device, else the remembered choice.
      const using = live.find((track) => track.kind === (kind === 'audioinput' ? 'audio' : 'video'))?.getSettings().deviceId ?? chosen[kind];
      return html`<label>${s[kind]}<select part="picker ${kind}" @change=${(event: Event) => this.#pick(kind, (event.target as HTMLSelectElement).value)}>
${(open.devices?.[kind] ?? []).map((device, index) => html`<option value=${device.deviceId} ?selected=${device.deviceId === using}>${device.label || `${s[kind]} ${index + 1}`}</option>`)}
</select></label>`;
    };
    return html`<div part="devices" role="dialog" aria-modal="true" aria-labelledby="devices-title" @keydown=${this.#keydown}>
      <header><strong id="devices-title">${strings.settings}</strong>${button('close', s.close, closeIcon, () => this.#close())}</header>
      ${open.stream?.getVideoTracks().length ? html`<video part="preview" aria-label=${s.videoinput} .muted=${true} autoplay playsinline></video>` : nothing}
      ${open.message ? html`<p role="alert">${s.unavailable.split('{0}').join(open.message)}</p>` : nothing}
      <meter part="level" aria-label=${s.level} min="0" max="1" value="0"></meter>
      ${this.#host.audioOnly ? nothing : select('videoinput')}${select('audioinput')}${canChooseSpeaker() ? select('audiooutput') : nothing}
    </div>`;
  }
}

function release(panel: Panel): void {
  panel.stopLevel?.();
  if (panel.own) for (const track of panel.stream?.getTracks() ?? []) track.stop();
  panel.stream = undefined;
}
