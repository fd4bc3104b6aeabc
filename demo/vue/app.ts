import { createApp, h, type App } from 'vue';
import { Phone } from './phone.js';

export interface PhoneSettings {
  server: string;
  caller: string;
  callee: string;
  tokenProvider: () => Promise<string>;
}

/** Mounts one Phone per entry into `container`; the browser test mounts the same app the demo shows. */
export function mountPhones(container: Element, phones: PhoneSettings[]): App {
  const app = createApp({ render: () => phones.map((phone) => h(Phone, { key: phone.caller, ...phone })) });
  // Without it Vue would try to resolve <wsp-call> as one of its own components and warn.
  app.config.compilerOptions.isCustomElement = (tag) => tag === 'wsp-call';
  app.mount(container);
  return app;
}
