import type * as ReactApp from '../../demo/react/app.js';
import { callThroughApp, loadApp } from './framework-app.js';

describe('the React 19 example (demo/react)', () => {
  it('places, shows and ends a real call through props, on* listeners and a ref; unmounting cleans up', async () => {
    const { mountPhones } = await loadApp<typeof ReactApp>('/__fw/react.js');
    await callThroughApp((container, phones) => {
      const root = mountPhones(container, phones);
      return () => root.unmount();
    });
  });
});
