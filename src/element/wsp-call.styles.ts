import { css } from 'lit';

// Terse on purpose (no optional spaces): Lit ships CSS as written, and the widget has a size budget (12 kB min+gzip,
// Lit included).
// Each colour defaults through light-dark(), so `color-scheme` (the user's preference unless the page sets it)
// picks light or dark. Logical insets (inline-end) mirror the layout for right-to-left languages.
// The remote video fills the widget; the status line sits on top, the buttons at the bottom, the self-view
// (mirrored, as a mirror reads) inset above them.
export const styles = css`
:host{display:block;position:relative;overflow:hidden;aspect-ratio:var(--wsp-aspect-ratio, 4/3);color-scheme:light dark;background:var(--wsp-background,light-dark(#e8eaed,#111));color:var(--wsp-color,light-dark(#111,#fff));border-radius:var(--wsp-radius, 8px);font:var(--wsp-font-size, 14px) var(--wsp-font,system-ui);--g:var(--wsp-gap, 8px)}
:host([hidden]){display:none}
:host(:state(rtl)){direction:rtl}
*{box-sizing:border-box;margin:0}
video,div{position:absolute;inset:0;width:100%;height:100%}
p{position:absolute;width:100%;padding:var(--g) 4em;background:var(--wsp-bar-background,#000a);color:var(--wsp-bar-color,#fff);text-align:center}
div{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;align-content:center;gap:var(--g);padding:var(--g)}
[part=controls]{top:auto;height:auto}
button{min-height:40px;padding:8px 16px;border:0;border-radius:var(--wsp-button-radius, 99px);background:var(--wsp-button-background,light-dark(#fff,#3c4043));color:var(--wsp-button-color,light-dark(#111,#fff));font:inherit;cursor:pointer}
button:focus-visible{outline:3px solid var(--wsp-focus,light-dark(#0b57d0,#8ab4f8));outline-offset:2px}
:disabled{opacity:.6}
[part~=call-button],[part~=accept-button]{background:var(--wsp-accent,#1a7f37);color:#fff}
[part~=decline-button],[part~=hangup-button]{background:var(--wsp-danger,#c62828);color:#fff}
`;
