// The parts of <wsp-call> that only a call needs: the videos, the panel that names the other party (the incoming-call screen),
// the in-call switches (mute, camera, full screen, picture-in-picture, screen share) and the call timer, with their
// styles. A lazily imported chunk (the element loads it when a call starts), so that a page pays for it only once a
// call begins. Lit's `html` comes from the element as an argument: importing it here would split Lit into a chunk of
// its own, which costs more bytes than it saves.
import type { ReactiveController, TemplateResult, html as litHtml, nothing as litNothing } from 'lit';
import type { CallClient } from '../call/call-client.js';
import type { SwitchEvent, WspErrorEvent } from '../call/events.js';
import { loadDeviceChoice, useSpeaker } from '../media/devices.js';
import type { Strings } from '../i18n/strings.js';
import { enCall } from '../i18n/en-call.js';
import type { WspCall } from './wsp-call.js';
import { VideoStreams } from './video-streams.js';

/**
 * What the element lends the view: Lit's template tag and `nothing`, its own button template, its event classes
 * (imported here, events.ts would become a chunk of its own), its states and its client.
 */
export interface ViewKit {
  html: typeof litHtml;
  nothing: typeof litNothing;
  button: (name: string, label: unknown, action: () => unknown, pressed?: boolean, disabled?: boolean) => TemplateResult;
  /** The element's custom states, to which the view adds `reconnecting` and `quality-*`. */
  SwitchEvent: typeof SwitchEvent;
  WspErrorEvent: typeof WspErrorEvent;
  states: CustomStateSet;
  /** The element's call client. */
  client: CallClient;
}

/** The pieces, rendered by the element where they belong. */
export interface CallView {
  /** The remote video, filling the widget. */
  remote: unknown;
  /** The self-view, which the element puts in the button bar: so it sits just above the buttons, however many rows they take. */
  self: unknown;
  party: unknown;
  switches: unknown[];
  timer: unknown;
}

/** Styles for the pieces below, adopted by the element's shadow root (a constructable stylesheet: CSP-friendly). */
export const sheet = new CSSStyleSheet();
sheet.replaceSync(`
video { object-fit: cover }
:host(:fullscreen) { border-radius: 0 }
:host(:fullscreen) video { object-fit: contain }
[part=local-video] { inset: auto; inset-inline-end: var(--g); bottom: 100%; width: var(--wsp-self-view-width, 25%); height: auto; aspect-ratio: 4/3; border-radius: var(--g); transform: scaleX(-1) }
[aria-pressed=true] { background: var(--wsp-danger, #c62828); color: #fff }
[part~=party] { flex-direction: column; flex-wrap: nowrap; text-align: center }
/* A peer's name cannot reorder what is around it. */
[part=name], [part=address] { unicode-bidi: isolate }
[part=avatar] { display: grid; place-items: center; width: 64px; height: 64px; border-radius: 50%; background: var(--wsp-accent, #1a7f37); color: #fff; font-size: 28px }
[part=timer] { position: absolute; top: 0; inset-inline-end: 0; padding: var(--g); color: var(--wsp-bar-color, #fff); font-variant-numeric: tabular-nums }
@media (prefers-reduced-motion: no-preference) { [part~=accept-button] { animation: pulse 1s infinite alternate } }
@keyframes pulse { to { transform: scale(1.08) } }
/* A call's seven buttons take three rows in a narrow widget: smaller ones leave room for the self-view. */
:host { container-type: inline-size }
@container (width < 480px) { button { min-height: 32px; padding: 4px 10px } [part=controls] { gap: 4px; padding: 4px } }
[part~=quality] { position: absolute; top: 0; inset-inline-start: 0; margin: calc(var(--g) * 1.5); width: 10px; height: 10px; border-radius: 50% }
[part~=quality-good] { background: #2e7d32 } [part~=quality-fair] { background: #f9a825 } [part~=quality-poor] { background: #c62828 }
`);

/**
 * The in-call view of a widget: renders the pieces of a call (videos, party panel, switches, timer), keeps the
 * videos' streams, the timer's once-a-second re-render, picture-in-picture and the chosen speaker, and adds the
 * `reconnecting` and `quality-*` states. Made by the element once the chunk is loaded.
 *
 * @example
 * const view = new InCallView(el, kit);
 * html`${view.render(strings).remote}`;
 */
export class InCallView implements ReactiveController {
  /** The English strings of a call, which come with this chunk. */
  readonly en = enCall;
  readonly #host: WspCall;
  readonly #kit: ViewKit;
  /** The remote video is in picture-in-picture. */
  #pip = false;
  /** The next re-render, for the timer. */
  #tick?: ReturnType<typeof setTimeout>;
  /** The session whose remote video was given the chosen speaker. */
  #spoken?: unknown;

  constructor(host: WspCall, kit: ViewKit) {
    this.#host = host;
    this.#kit = kit;
    (host.renderRoot as ShadowRoot).adoptedStyleSheets.push(sheet);
    host.addController(this);
    // What the videos play: the other party once connected, this side's camera until the call ends.
    new VideoStreams(host, () => {
      const { state, session } = kit.client;
      return {
        'remote-video': state === 'connected' ? kit.client.media!.remoteView() : null,
        'local-video': (state !== 'ended' && session?.localStream) || null,
      };
    });
  }

  /** True while the connected call lost its path and an ICE restart is under way: the status line says so. */
  get reconnecting(): boolean {
    return !!this.#kit.client.media?.reconnecting;
  }

  hostUpdate(): void {
    const { client, states } = this.#kit;
    const rated = client.state === 'connected' && client.media?.quality;
    if (rated) states.add(`quality-${rated}`);
    if (this.reconnecting) states.add('reconnecting');
  }

  hostUpdated(): void {
    const host = this.#host;
    const { state, session } = this.#kit.client;
    clearTimeout(this.#tick);
    if (state !== 'connected') return;
    this.#tick = setTimeout(() => host.requestUpdate(), 1000);
    // The speaker chosen in the devices panel plays the other party (where the browser can choose; else the default).
    const speaker = loadDeviceChoice().audiooutput;
    const remote = host.renderRoot.querySelector<HTMLMediaElement>('[part=remote-video]');
    if (this.#spoken !== session && speaker && remote) void useSpeaker(remote, speaker);
    this.#spoken = session;
  }

  hostDisconnected(): void {
    clearTimeout(this.#tick);
  }

  /** {@link WspCall.toggleFullscreen} */
  async fullscreen(force = !this.#host.fullscreen): Promise<void> {
    if (force) await this.#host.requestFullscreen();
    else if (this.#host.fullscreen) await document.exitFullscreen();
  }

  /** {@link WspCall.togglePictureInPicture} */
  async pictureInPicture(force = !this.#pip): Promise<void> {
    if (force) await this.#host.renderRoot.querySelector('video')!.requestPictureInPicture();
    else if (this.#pip) await document.exitPictureInPicture();
  }

  /**
   * The call's pieces in its current state.
   *
   * @example
   * const { remote, party, switches, timer } = view.render(strings);
   */
  render(strings: Strings): CallView {
    const el = this.#host;
    const { html, nothing, button, SwitchEvent, WspErrorEvent, client } = this.#kit;
    const { state, session, media } = client;
    const audioOnly = el.audioOnly;
    const rated = state === 'connected' ? media?.quality : undefined;
    // The video's own events do not leave the shadow root: the widget tells the page.
    const pip = ({ type }: Event) => {
      this.#pip = type[0] === 'e';
      el.dispatchEvent(new SwitchEvent('pipchange', this.#pip));
      el.requestUpdate();
    };
    // Full screen and picture-in-picture refuse without a user's gesture, or where unsupported: an error event says so.
    const attempt = (action: () => Promise<unknown>) => () => void action().catch((error: Error) => el.dispatchEvent(new WspErrorEvent(error.message)));
    const remote = session?.remote;
    const who = remote?.name ?? remote?.uri ?? '';
    const inCall = state === 'connecting' || state === 'connected';
    const seconds = state === 'connected' ? Math.floor((performance.now() - session!.connectedAt) / 1000) : 0;
    return {
      // This side's camera is shown once open: the caller's from the call on, the callee's from accept (while it rings
      // only with `preview`). The remote video waits for `connected`: a <video> that plays during setup takes the main thread from the
      // negotiation. In audio-only it stays hidden, and plays the other party's voice.
      remote: html`<video part="remote-video" ?hidden=${audioOnly || state !== 'connected'} autoplay playsinline @enterpictureinpicture=${pip} @leavepictureinpicture=${pip}></video>`,
      self: audioOnly ? nothing : html`<video part="local-video" ?hidden=${el.cameraOff} .muted=${true} autoplay playsinline></video>`,
      party:
        state === 'connected' && !audioOnly
          ? nothing
          : html`<div part=${state === 'incoming' ? 'party incoming' : 'party'}><slot name="avatar"><span part="avatar" aria-hidden="true">${who[0]?.toUpperCase()}</span></slot><strong part="name">${who}</strong>${remote?.name ? html`<span part="address">${remote.uri}</span>` : nothing}</div>`,
      switches: [
        inCall ? button('mute', strings.mute, () => el.toggleMute(), el.muted) : nothing,
        inCall && !audioOnly ? button('camera', strings.camera, () => el.toggleCamera(), el.cameraOff) : nothing,
        state === 'connected'
          ? button(
              'fullscreen',
              strings.fullscreen,
              attempt(() => this.fullscreen()),
              el.fullscreen,
            )
          : nothing,
        state === 'connected' && !audioOnly && document.pictureInPictureEnabled
          ? button(
              'pip',
              strings.pip,
              attempt(() => this.pictureInPicture()),
              this.#pip,
            )
          : nothing,
        // Sharing renegotiates, which only the DataChannel allows (§4.7): the button waits for the handover.
        state === 'connected' && session!.handedOver && 'getDisplayMedia' in navigator.mediaDevices
          ? button(
              'screen',
              strings.screen,
              attempt(() => media!.share()),
              media!.sharing,
            )
          : nothing,
        // Accepting without video turns the camera off first: its track is disabled before the call can send it.
        // Last, so that the element's accept button, first in the bar, becomes the mute button and keeps the focus.
        state === 'incoming' && !audioOnly ? button('accept-audio', strings.acceptAudio, () => ((el.cameraOff = true), el.accept())) : nothing,
      ],
      timer:
        state === 'connected'
          ? html`<span part="timer" role="timer" aria-label=${strings.timer}>${(seconds / 60) | 0}:${`${seconds % 60}`.padStart(2, '0')}</span>${
              rated ? html`<span part="quality quality-${rated}" role="img" aria-label=${strings.quality.split('{0}').join(strings[rated])}></span>` : nothing
            }`
          : nothing,
    };
  }
}
