// How this project launches Firefox for tests and benchmarks: Debian's Firefox ESR (FIREFOX_PATH overrides), driven by
// puppeteer-core over WebDriver BiDi, headless, with fake camera and microphone. No browser or driver is downloaded.
export const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/lib/firefox-esr/firefox-esr';

export const firefoxPrefs = {
  // Fake camera and microphone, granted without a prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // A machine whose only interface is loopback (CI may be one) has no other candidates to offer.
  'media.peerconnection.ice.loopback': true,
  // Host candidates as addresses rather than mDNS names, which a peer on another browser cannot resolve here.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Media plays, and tones sound, without a user's gesture.
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  'media.autoplay.blocking_policy': 0,
  // A machine without a sound card (CI): Firefox's mock audio backend, so that audio contexts run and fake speakers
  // can be chosen. Without it every AudioContext stays suspended.
  'media.cubeb.force_mock_context': true,
  // enumerateDevices() waits for the page's focus in Firefox, and a test that opened picture-in-picture leaves the
  // test pages of the browser unfocused.
  'media.devices.unfocused.enabled': true,
};

/** puppeteer-core launch options for Firefox; `width`/`height` size the window (setViewport works too on ESR 153). */
export function firefoxLaunchOptions({ width = 800, height = 600 } = {}) {
  return {
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    args: [`--width=${width}`, `--height=${height}`],
    extraPrefsFirefox: firefoxPrefs,
  };
}
