/**
 * Whether this browser can place and take calls: it has WebRTC (`RTCPeerConnection`) and gives the page camera and
 * microphone (`navigator.mediaDevices.getUserMedia`, which browsers offer to secure pages only: https, localhost).
 * Asked at each use rather than once, so that a test can take the APIs away. A module of its own: the element asks
 * before the call client is loaded, and without these APIs the call engine is never loaded.
 *
 * @example
 * if (!callsPossible()) showPhoneNumberInstead();
 */
export const callsPossible = (): boolean => !!(self.RTCPeerConnection && navigator.mediaDevices?.getUserMedia);
