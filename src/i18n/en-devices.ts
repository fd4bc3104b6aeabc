/**
 * The English strings of the devices panel (src/element/devices-panel.ts), which loads them with it: a page whose
 * users never open the settings never downloads them. Translations list them with the others.
 */
export const enDevices = {
  videoinput: 'Camera',
  audioinput: 'Microphone',
  audiooutput: 'Speaker',
  level: 'Microphone level',
  close: 'Close',
  unavailable: 'Camera or microphone unavailable: {0}',
};
