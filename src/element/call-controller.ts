import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallClient, CallClientSettings } from '../call/call-client.js';

/**
 * The element's one way to its call: a {@link CallClient} configured by the element's own properties, firing its
 * events on the element, re-rendering it at every change. The client connects while the element is in the page and
 * follows its properties before each render (reconnecting when `server`, `caller` or `token` changed; muting, the
 * camera, the tones).
 *
 * The client is a lazy chunk, asked for as the element is made: the widget's first paint needs none of it, and the
 * page's first load stays small. Until it is there the widget is idle and offline.
 *
 * @example
 * readonly #calls = new CallController(this, onError);
 * async call(): Promise<void> { (await this.#calls.ready).call(); }
 *
 * @internal
 */
export class CallController implements ReactiveController {
  /** The client, once its chunk is loaded. */
  client?: CallClient;
  /** Resolves with the client once loaded. */
  readonly ready: Promise<CallClient>;
  readonly #host: ReactiveControllerHost & HTMLElement;

  constructor(host: ReactiveControllerHost & HTMLElement & CallClientSettings, failed: (error: Error) => void) {
    this.#host = host;
    host.addController(this);
    this.ready = import('../call/call-client.js').then((chunk) => {
      const client = (this.client = new chunk.CallClient(host, host));
      client.onchange = () => host.requestUpdate();
      if (host.isConnected) client.start();
      host.requestUpdate();
      return client;
    });
    this.ready.catch(failed);
  }

  hostConnected(): void {
    this.client?.start();
  }

  hostUpdate(): void {
    // Before rendering, so that the render shows the connection's and the call's new state.
    void this.client?.connect();
    this.client?.update();
  }

  hostDisconnected(): void {
    // A move within the page disconnects and reconnects at once: only a real removal ends the call.
    queueMicrotask(() => this.#host.isConnected || this.client?.stop());
  }
}
