// The icons of the buttons a widget shows before any call, as SVG path data on a 24×24 grid (drawn by the element's
// button template). From Google's Material Icons (Apache License 2.0).

/** A phone handset: place or accept a call. */
export const phoneIcon =
  'M20 15.4c-1.2 0-2.4-.2-3.5-.6a1 1 0 0 0-1 .3l-1.6 2c-2.8-1.4-5.5-3.9-6.9-6.9l2-1.6c.3-.3.3-.7.2-1-.4-1.1-.5-2.3-.5-3.5 0-.6-.5-1-1-1H4.2C3.6 3 3 3.2 3 4c0 9.3 7.7 17 17 17 .7 0 1-.6 1-1.2v-3.4c0-.6-.5-1-1-1z';

/** Sliders: the devices panel. */
export const settingsIcon = 'M3 17v2h6v-2H3zM3 5v2h10V5H3zm10 16v-2h8v-2h-8v-2h-2v6h2zM7 9v2H3v2h4v2h2V9H7zm14 4v-2H11v2h10zm-6-4h2V7h4V5h-4V3h-2v6z';

/** A handset laid down: decline, cancel or hang up. */
export const hangupIcon =
  'M12 9c-1.6 0-3.2.3-4.6.7v3.1c0 .4-.2.7-.6.9-1 .5-1.9 1.1-2.7 1.9-.2.2-.4.3-.7.3s-.5-.1-.7-.3L.3 13.1a1 1 0 0 1 0-1.4C3.3 8.8 7.5 7 12 7s8.7 1.8 11.7 4.7a1 1 0 0 1 0 1.4l-2.5 2.5c-.2.2-.4.3-.7.3s-.5-.1-.7-.3c-.8-.8-1.7-1.4-2.7-1.9a1 1 0 0 1-.6-.9V9.7C15.2 9.3 13.6 9 12 9z';
