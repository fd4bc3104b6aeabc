// How this project launches Chromium for tests and benchmarks: Debian's binary (CHROME_PATH overrides), headless,
// with fake camera and microphone. Browser downloads are impossible here, so nothing ever fetches one.
export const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  // Without it Chromium hides host candidates behind mDNS names.
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Without it WebRTC times out on a machine whose only interface is loopback (CI may be one).
  '--allow-loopback-in-peer-connection',
];
