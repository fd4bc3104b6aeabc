// The parts of <wsp-call> that only a call needs: the videos and the self-view, the in-call buttons (mute, camera,
// the menu of full screen, picture-in-picture, screen share and settings), the timer and quality, the ended screen's
// duration, with their styles. A lazily imported chunk (the element loads it when a call starts), so that a page pays
// for it only once a call begins. Lit's `html` comes from the element as an argument: importing it here would split Lit
// into a chunk of its own, which costs more bytes than it saves.
import type { ReactiveController, TemplateResult, html as litHtml, nothing as litNothing } from 'lit';
import type { CallClient } from '../call/call-client.js';
import type { SwitchEvent, WspErrorEvent } from '../call/events.js';
import { loadDeviceChoice, useSpeaker } from '../media/devices.js';
import type { Strings } from '../i18n/strings.js';
import { enCall } from '../i18n/en-call.js';
import { cameraIcon, cameraOffIcon, fullscreenExitIcon, fullscreenIcon, micIcon, micOffIcon, moreIcon, pipIcon, screenIcon } from './call-icons.js';
import { ControlsFade } from './controls-fade.js';
import { SelfViewDrag } from './self-view.js';
import type { WspCall } from './wsp-call.js';
import { VideoStreams } from './video-streams.js';

/**
 * What the element lends the view: Lit's template tag and `nothing`, its own button template, its event classes
 * (imported here, events.ts would become a chunk of its own), its states and its client.
 */
export interface ViewKit {
  html: typeof litHtml;
  nothing: typeof litNothing;
  button: (name: string, label: unknown, icon: string, action: () => unknown, pressed?: boolean, disabled?: boolean, expanded?: boolean) => TemplateResult;
  SwitchEvent: typeof SwitchEvent;
  WspErrorEvent: typeof WspErrorEvent;
  /** The element's custom states, to which the view adds `reconnecting`, `quality-*` and `controls-hidden`. */
  states: CustomStateSet;
  /** The element's call client (loaded before any call starts). */
  readonly client: CallClient;
}

/** The pieces, rendered by the element where they belong. */
export interface CallView {
  /** The remote video, filling the widget. */
  remote: unknown;
  /** The self-view: behind the party panel until connected, then a tile in a corner. */
  self: unknown;
  /** The switches before the hang-up button: mute, camera. */
  switches: unknown;
  /** After the hang-up button: the secondary buttons, behind a "more" button in a narrow widget. */
  extras: unknown;
  /** The accept-without-video button of an incoming call. */
  acceptAudio: unknown;
  /** The timer and the quality indicator. */
  timer: unknown;
  /** On the ended screen: how long the call lasted. */
  duration: unknown;
  /** The call button's label on the ended screen, when it calls the same party again. */
  again?: string;
}

/** `m:ss`. */
const clock = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  return `${(seconds / 60) | 0}:${`${seconds % 60}`.padStart(2, '0')}`;
};

/** How many of the quality indicator's three bars are lit. */
const BARS = { good: 3, fair: 2, poor: 1 };

/** Styles for the pieces below, adopted by the element's shadow root (a constructable stylesheet: CSP-friendly). */
export const sheet = new CSSStyleSheet();
sheet.replaceSync(/* css */ `
  video {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }

  :host(:fullscreen) {
    border-radius: 0;
  }

  :host(:fullscreen) [part='remote-video'] {
    object-fit: contain;
  }

  [part='remote-video'] {
    background: #000;
  }

  /* Until connected, this side's camera fills the widget behind the other party's name. */
  [part='self-view'] {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    overflow: hidden;
    background: #000;
  }

  [part='self-view']:not([hidden]) ~ [part~='party'] {
    background: #0008;
    color: #fff;
  }

  [part='local-video'] {
    transform: scaleX(-1);
  }

  /* Connected, it is a tile in a corner, which the user can drag to another. */
  :host(:state(connected)) [part='self-view'] {
    z-index: 1;
    inset: auto;
    width: var(--wsp-self-view-width, 25%);
    aspect-ratio: 4/3;
    border: 2px solid #fff;
    border-radius: var(--g);
    box-shadow: 0 2px 8px #0008;
    cursor: grab;
    touch-action: none;
    user-select: none;
  }

  :host(:state(connected)) [data-corner^='top'] {
    top: calc(2.75em + var(--g));
  }

  :host(:state(connected)) [data-corner^='bottom'] {
    bottom: calc(var(--button-size) + 3 * var(--g));
  }

  :host(:state(connected)) [data-corner$='start'] {
    inset-inline-start: var(--g);
  }

  :host(:state(connected)) [data-corner$='end'] {
    inset-inline-end: var(--g);
  }

  [part='self-view'] .avatar {
    --wsp-avatar-size: 40%;
    aspect-ratio: 1;
    height: auto;
  }

  /* A pressed switch (muted, camera stopped, screen shared) shows inverted, never in the hang-up button's red. */
  [aria-pressed='true'] {
    background: var(--wsp-button-color, light-dark(#111, #fff));
    color: var(--wsp-button-background, light-dark(#fff, #3c4043));
  }

  [part='timer'],
  [part~='quality'] {
    position: absolute;
    top: 0;
    z-index: 2;
    padding: var(--g);
    color: var(--wsp-bar-color, #fff);
  }

  [part='timer'] {
    inset-inline-end: 0;
    font-variant-numeric: tabular-nums;
  }

  [part~='quality'] {
    inset-inline-start: 0;
    box-sizing: content-box;
    width: 14px;
    height: 12px;
    fill: currentColor;
  }

  [part~='quality-good'] {
    color: #4caf50;
  }

  [part~='quality-fair'] {
    color: #fbc02d;
  }

  [part~='quality-poor'] {
    color: #ef5350;
  }

  .off {
    opacity: 0.3;
  }

  [part='duration'] {
    opacity: 0.8;
    font-variant-numeric: tabular-nums;
  }

  /* In a narrow widget the secondary buttons are a menu over the bar, each with its name; in a wide one, in the bar. */
  @container (width < 480px) {
    [part='menu'] {
      display: none;
    }

    [part='menu'].open {
      position: absolute;
      bottom: 100%;
      inset-inline-end: var(--g);
      display: flex;
      flex-direction: column;
      padding: 4px;
      border-radius: var(--g);
      background: var(--wsp-button-background, light-dark(#fff, #3c4043));
      box-shadow: 0 2px 8px #0008;
    }

    [part='menu'] > button {
      justify-content: start;
      width: 100%;
      height: 40px;
      padding-inline: 12px 16px;
      border-radius: 4px;
    }

    [part='menu'] > button > .label {
      position: static;
      width: auto;
      height: auto;
      clip-path: none;
      padding: 0;
      background: none;
      color: inherit;
      font-size: inherit;
      translate: none;
    }
  }

  @container (width >= 480px) {
    [part~='more-button'] {
      display: none;
    }

    [part='menu'] {
      display: contents;
    }
  }

  /* Faded out of the way of the video; the status line stays in the page's reach for assistive technology. */
  :host(:state(controls-hidden)) :is([part='controls'], [part='status'], [part='timer'], [part~='quality']) {
    opacity: 0;
    pointer-events: none;
  }

  :host(:state(controls-hidden)) {
    cursor: none;
  }

  @media (prefers-reduced-motion: no-preference) {
    [part='controls'],
    [part='status'],
    [part='timer'],
    [part~='quality'] {
      transition: opacity 0.3s;
    }
  }

  @media (forced-colors: active) {
    [aria-pressed='true'] {
      forced-color-adjust: none;
      background: Highlight;
      color: HighlightText;
    }

    [part='self-view'] {
      border-color: CanvasText;
    }
  }
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
  /** The narrow widget's menu of secondary buttons is open. */
  #menu = false;
  readonly #drag: SelfViewDrag;

  constructor(host: WspCall, kit: ViewKit) {
    this.#host = host;
    this.#kit = kit;
    (host.renderRoot as ShadowRoot).adoptedStyleSheets.push(sheet);
    host.addController(this);
    this.#drag = new SelfViewDrag(host);
    // Over a video only, and never while the status line says the call is reconnecting.
    new ControlsFade(host, kit.states, () => kit.client.state === 'connected' && !host.audioOnly && !this.reconnecting);
    // A press anywhere else closes the menu.
    host.addEventListener('pointerdown', (event) => {
      const inMenu = event.composedPath().some((node) => node instanceof Element && /\b(menu|more-button)\b/.test(node.part.value));
      if (this.#menu && !inMenu) this.#toggleMenu(false);
    });
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
    // The menu belongs to one connected call: the next call starts with it closed.
    if (client.state !== 'connected') this.#menu = false;
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

  /** Opens or closes the narrow widget's menu; closed by the keyboard, the focus goes back to its button. */
  #toggleMenu(open = !this.#menu, refocus = false): void {
    this.#menu = open;
    const host = this.#host;
    host.requestUpdate();
    void host.updateComplete.then(() => {
      const root = host.renderRoot;
      if (open) root.querySelector<HTMLElement>('[part=menu] button')?.focus();
      else if (refocus) root.querySelector<HTMLElement>('[part~=more-button]')?.focus();
    });
  }

  /**
   * The call's pieces in its current state; `settings` is the element's settings button, which joins the menu.
   *
   * @example
   * const { remote, switches, extras, timer } = view.render(strings, settings);
   */
  render(strings: Strings, settings: unknown): CallView {
    const el = this.#host;
    const { html, nothing, button, SwitchEvent, WspErrorEvent, client } = this.#kit;
    const { state, session, media } = client;
    const audioOnly = el.audioOnly;
    const connected = state === 'connected';
    const rated = connected ? media?.quality : undefined;
    const fill = (text: string, value: string) => text.split('{0}').join(value);
    // The video's own events do not leave the shadow root: the widget tells the page.
    const pip = ({ type }: Event) => {
      this.#pip = type[0] === 'e';
      el.dispatchEvent(new SwitchEvent('pipchange', this.#pip));
      el.requestUpdate();
    };
    // Full screen and picture-in-picture refuse without a user's gesture, or where unsupported: an error event says so.
    // A choice from the menu closes it.
    const attempt = (action: () => Promise<unknown>) => () => {
      if (this.#menu) this.#toggleMenu(false);
      void action().catch((error: Error) => el.dispatchEvent(new WspErrorEvent(error.message)));
    };
    const remote = session?.remote;
    const who = remote?.name ?? remote?.uri ?? '';
    const inCall = state === 'connecting' || connected;
    const secondary = [
      // Sharing renegotiates, which only the DataChannel allows (§4.7): the button waits for the handover. An audio-only
      // call has no video to show a screen in.
      connected && !audioOnly && session!.handedOver && 'getDisplayMedia' in navigator.mediaDevices
        ? button(
            'screen',
            strings.screen,
            screenIcon,
            attempt(() => media!.share()),
            media!.sharing,
          )
        : nothing,
      connected
        ? button(
            'fullscreen',
            strings.fullscreen,
            el.fullscreen ? fullscreenExitIcon : fullscreenIcon,
            attempt(() => this.fullscreen()),
            el.fullscreen,
          )
        : nothing,
      connected && !audioOnly && document.pictureInPictureEnabled
        ? button(
            'pip',
            strings.pip,
            pipIcon,
            attempt(() => this.pictureInPicture()),
            this.#pip,
          )
        : nothing,
      settings,
    ];
    const menu = html`<div part="menu" id="menu" class=${this.#menu ? 'open' : ''} @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && this.#toggleMenu(false, true)}>${secondary}</div>`;
    const own = el.callerName || el.caller;
    // This side's camera shows once open: the caller's from the call on, the callee's from accept (while it rings only
    // with `preview`).
    const self =
      audioOnly || state === 'ended' || !session?.localStream
        ? nothing
        : html`<div part="self-view" data-corner=${this.#drag.corner} ?hidden=${!connected && el.cameraOff} @pointerdown=${this.#drag.down}><video part="local-video" aria-label=${strings.selfView} ?hidden=${el.cameraOff} .muted=${true} autoplay playsinline></video>${
            el.cameraOff ? html`<span class="avatar" aria-hidden="true">${own[0]?.toUpperCase()}</span>` : nothing
          }</div>`;
    const bars = BARS[rated || 'good'];
    return {
      // The remote video waits for `connected`: a <video> that plays during setup takes the main thread from the
      // negotiation. In audio-only it stays hidden, and plays the other party's voice.
      remote: html`<video part="remote-video" aria-label=${fill(strings.remoteVideo, who)} ?hidden=${audioOnly || !connected} autoplay playsinline @enterpictureinpicture=${pip} @leavepictureinpicture=${pip}></video>`,
      self,
      switches: inCall
        ? [
            button('mute', strings.mute, el.muted ? micOffIcon : micIcon, () => el.toggleMute(), el.muted),
            audioOnly ? nothing : button('camera', strings.camera, el.cameraOff ? cameraOffIcon : cameraIcon, () => el.toggleCamera(), el.cameraOff),
          ]
        : nothing,
      // Before the call is connected only the settings are there: no menu for one button.
      extras: connected ? [button('more', strings.more, moreIcon, () => this.#toggleMenu(), undefined, false, this.#menu), menu] : settings,
      // Accepting without video turns the camera off first: its track is disabled before the call can send it.
      acceptAudio:
        state === 'incoming' && !audioOnly ? button('accept-audio', strings.acceptAudio, cameraOffIcon, () => ((el.cameraOff = true), el.accept())) : nothing,
      timer: connected
        ? html`<span part="timer" role="timer" aria-label=${strings.timer}>${clock(performance.now() - session!.connectedAt)}</span>${
            rated
              ? html`<svg part="quality quality-${rated}" role="img" aria-label=${fill(strings.quality, strings[rated])} viewBox="0 0 14 12" width="14" height="12"><rect y="8" width="3" height="4"></rect><rect x="5" y="4" width="3" height="8" class=${bars < 2 ? 'off' : ''}></rect><rect x="10" width="3" height="12" class=${bars < 3 ? 'off' : ''}></rect></svg>`
              : nothing
          }`
        : nothing,
      duration: state === 'ended' && session!.duration ? html`<span part="duration">${fill(strings.duration, clock(session!.duration))}</span>` : nothing,
      again: state === 'ended' && remote?.uri === el.callee ? strings.callAgain : undefined,
    };
  }
}
