import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CallClient, type CallClientSettings } from '../call/call-client.js';

/**
 * The element's one way to its call: a {@link CallClient} configured by the element's own properties, firing its
 * events on the element, re-rendering it at every change. The client connects while the element is in the page and
 * follows its properties before each render (reconnecting when `server`, `caller` or `token` changed; muting, the
 * camera, the tones).
 *
 * @example
 * readonly #calls = new CallController(this);
 * call(): Promise<void> { return this.#calls.client.call(); }
 *
 * @internal
 */
export class CallController implements ReactiveController {
  readonly client: CallClient;
  readonly #host: ReactiveControllerHost & HTMLElement;

  constructor(host: ReactiveControllerHost & HTMLElement & CallClientSettings) {
    this.#host = host;
    this.client = new CallClient(host, host);
    this.client.onchange = () => host.requestUpdate();
    host.addController(this);
  }

  hostConnected(): void {
    this.client.start();
  }

  hostUpdate(): void {
    // Before rendering, so that the render shows the connection's and the call's new state.
    void this.client.connect();
    this.client.update();
  }

  hostDisconnected(): void {
    // A move within the page disconnects and reconnects at once: only a real removal ends the call.
    queueMicrotask(() => this.#host.isConnected || this.client.stop());
  }
}
