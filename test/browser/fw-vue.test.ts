import type * as VueApp from '../../demo/vue/app.js';
import { callThroughApp, loadApp } from './framework-app.js';

describe('the Vue 3 example (demo/vue)', () => {
  it('places, shows and ends a real call through bindings, @event listeners and a template ref; unmounting cleans up', async () => {
    const { mountPhones } = await loadApp<typeof VueApp>('/__fw/vue.js');
    await callThroughApp((container, phones) => {
      const app = mountPhones(container, phones);
      return () => app.unmount();
    });
  });
});
