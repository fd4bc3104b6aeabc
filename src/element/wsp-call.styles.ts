import { css } from 'lit';

// Terse on purpose: Lit ships CSS as written, and the widget has a size budget (12 kB min+gzip, Lit included).
// The remote video fills the widget; the self-view (mirrored, as a mirror reads) sits above the buttons.
export const styles = css`
:host { display: block; position: relative; overflow: hidden; aspect-ratio: 4/3; background: var(--wsp-background, #111); color: #fff; border-radius: var(--wsp-radius, 8px); font: 14px system-ui }
:host([hidden]) { display: none }
video { position: absolute; width: 100%; height: 100%; object-fit: cover }
[part=local-video] { width: 25%; height: auto; right: 8px; bottom: 56px; transform: scaleX(-1) }
p, div { position: absolute; width: 100%; margin: 0; display: flex; justify-content: center; gap: 8px; padding: 8px; box-sizing: border-box }
p { background: #0008 }
div { bottom: 0 }
button { padding: 8px 16px; border: 0; border-radius: 99px; background: var(--wsp-accent, #1a7f37); color: #fff; font: inherit }
[part~=decline-button], [part~=hangup-button] { background: var(--wsp-danger, #c62828) }
`;
