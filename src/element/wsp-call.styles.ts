import { css } from 'lit';

// What the widget shows before any call: the status line on top, the party panel in the middle (whom you will call,
// or who calls), the bar of round buttons at the bottom. The in-call chunk adds the videos, the self-view and the
// in-call bar (in-call.ts). Readable here; the build minifies it (scripts/minify-templates.mjs).
// Each colour defaults through light-dark(), so `color-scheme` (the user's preference unless the page sets it) picks
// light or dark. Logical insets (inline-end) mirror the layout for right-to-left languages.
export const styles = css`
  :host {
    --g: var(--wsp-gap, 8px);
    --button-size: 48px;
    display: block;
    position: relative;
    overflow: hidden;
    aspect-ratio: var(--wsp-aspect-ratio, 4/3);
    container-type: inline-size;
    color-scheme: light dark;
    background: var(--wsp-background, light-dark(#e8eaed, #202124));
    color: var(--wsp-color, light-dark(#111, #fff));
    border-radius: var(--wsp-radius, 12px);
    font: var(--wsp-font-size, 14px) var(--wsp-font, system-ui);
  }

  :host([hidden]) {
    display: none;
  }

  :host(:state(rtl)) {
    direction: rtl;
  }

  * {
    box-sizing: border-box;
    margin: 0;
  }

  /* A narrow widget keeps every button on one row. */
  @container (width < 400px) {
    * {
      --button-size: 40px;
    }
  }

  [part='status'] {
    position: absolute;
    top: 0;
    z-index: 2;
    width: 100%;
    padding: var(--g) 4em;
    background: var(--wsp-bar-background, #000a);
    color: var(--wsp-bar-color, #fff);
    text-align: center;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }

  /* An error is said in full, over as many lines as it takes. */
  :host(:state(error)) [part='status'] {
    white-space: normal;
  }

  [part~='party'] {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: calc(var(--g) / 2);
    padding: 3em var(--g) calc(var(--button-size) + 3 * var(--g));
    text-align: center;
    overflow: hidden;
  }

  /* Whatever the page puts in the avatar slot is clipped to this circle, whatever its size. */
  .avatar {
    flex: none;
    display: grid;
    place-items: center;
    width: var(--wsp-avatar-size, 64px);
    height: var(--wsp-avatar-size, 64px);
    border-radius: 50%;
    overflow: hidden;
    background: var(--wsp-accent, #1a7f37);
    color: #fff;
    font-size: 28px;
  }

  ::slotted([slot='avatar']) {
    width: 100%;
    height: 100%;
    object-fit: cover;
  }

  /* A peer's name cannot reorder what is around it. */
  [part='name'],
  [part='address'] {
    max-width: 100%;
    unicode-bidi: isolate;
    overflow-wrap: anywhere;
  }

  [part='name'] {
    font-size: 1.15em;
  }

  [part='address'] {
    opacity: 0.8;
  }

  [part='controls'] {
    position: absolute;
    bottom: 0;
    z-index: 3;
    width: 100%;
    display: flex;
    justify-content: center;
    align-items: center;
    gap: var(--g);
    padding: var(--g);
  }

  button {
    position: relative;
    flex: none;
    display: inline-grid;
    grid-auto-flow: column;
    place-items: center;
    gap: var(--g);
    width: var(--button-size);
    height: var(--button-size);
    padding: 0;
    border: 0;
    border-radius: var(--wsp-button-radius, 99px);
    background: var(--wsp-button-background, light-dark(#fff, #3c4043));
    color: var(--wsp-button-color, light-dark(#111, #fff));
    font: inherit;
    cursor: pointer;
  }

  svg {
    width: 24px;
    height: 24px;
    fill: currentColor;
  }

  button:focus-visible {
    outline: 3px solid var(--wsp-focus, light-dark(#0b57d0, #8ab4f8));
    outline-offset: 2px;
  }

  :disabled {
    opacity: 0.6;
    cursor: default;
  }

  /* A round button's label is its accessible name, shown as a tooltip on hover and keyboard focus. */
  .label {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  button:is(:hover, :focus-visible) > .label {
    bottom: calc(100% + 6px);
    left: 50%;
    translate: -50%;
    width: auto;
    height: auto;
    padding: 2px 8px;
    clip-path: none;
    border-radius: 4px;
    background: #202124;
    color: #fff;
    font-size: 12px;
    pointer-events: none;
  }

  /* The call button says what it does in full. */
  [part~='call-button'] {
    width: auto;
    max-width: 100%;
    padding-inline: 16px 20px;
  }

  [part~='call-button'] > .label {
    position: static;
    width: auto;
    height: auto;
    clip-path: none;
    overflow: hidden;
    text-overflow: ellipsis;
    padding: 0;
    background: none;
    color: inherit;
    font-size: inherit;
    translate: none;
  }

  [part~='call-button'],
  [part~='accept-button'],
  [part~='accept-audio-button'] {
    background: var(--wsp-accent, #1a7f37);
    color: #fff;
  }

  [part~='decline-button'],
  [part~='hangup-button'] {
    width: calc(var(--button-size) * 1.4);
    background: var(--wsp-danger, #c62828);
    color: #fff;
  }

  /* The accept button calls attention with a ring that pulses around it; the button itself holds still. */
  [part~='accept-button']::before {
    content: '';
    position: absolute;
    inset: 0;
    border: 3px solid var(--wsp-accent, #1a7f37);
    border-radius: inherit;
    opacity: 0;
    pointer-events: none;
  }

  @media (prefers-reduced-motion: no-preference) {
    [part~='accept-button']::before {
      animation: ring 1.5s ease-out infinite;
    }
  }

  @keyframes ring {
    from {
      opacity: 1;
    }
    to {
      opacity: 0;
      transform: scale(1.5);
    }
  }

  /* Windows high contrast and other forced colours: the widget and its buttons keep visible edges. */
  @media (forced-colors: active) {
    :host {
      border: 1px solid CanvasText;
    }

    button {
      border: 1px solid ButtonText;
    }
  }
`;
