/**
 * The English strings of the in-call chunk (src/element/in-call.ts), which loads them with it: a page that shows no
 * call never downloads them. Translations list them with the others.
 */
export const enCall = {
  acceptAudio: 'Accept without video',
  mute: 'Mute',
  /** A switch, pressed while the camera is stopped. */
  camera: 'Stop camera',
  fullscreen: 'Full screen',
  pip: 'Picture in picture',
  timer: 'Call duration',
  screen: 'Share screen',
  reconnecting: 'Reconnecting…',
  quality: 'Connection: {0}',
  good: 'good',
  fair: 'fair',
  poor: 'poor',
  /** Opens the menu of the secondary buttons in a narrow widget. */
  more: 'More options',
  /** The self-view's video. */
  selfView: 'Your camera',
  /** The other party's video. */
  remoteVideo: 'Video of {0}',
  /** On the ended screen. */
  duration: 'Call lasted {0}',
  /** The call button after a call with the callee. */
  callAgain: 'Call again',
};
