/**
 * The English strings of the in-call chunk (src/element/in-call.ts), which loads them with it: a page that shows no
 * call never downloads them. Translations list them with the others.
 */
export const enCall = {
  acceptAudio: 'Accept without video',
  mute: 'Mute',
  camera: 'Camera off',
  fullscreen: 'Full screen',
  pip: 'Picture in picture',
  timer: 'Call duration',
  screen: 'Share screen',
  reconnecting: 'Reconnecting…',
  quality: 'Connection: {0}',
  good: 'good',
  fair: 'fair',
  poor: 'poor',
};
