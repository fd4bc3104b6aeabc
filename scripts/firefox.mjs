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
