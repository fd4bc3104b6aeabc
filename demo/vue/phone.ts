import { defineComponent, ref, type PropType } from 'vue';
import type { EndedEvent, RingingEvent } from '../../src/call/events.js';
import type { WspCall } from '../../src/wsp-call.js';

/**
 * One person's phone in a Vue 3 app: the widget, plus what an app adds around it — its own status line fed by the
 * widget's events (`@ringing`, `@connected`, `@ended`) and its own call button driving `call()` through a template
 * ref. `.tokenProvider` binds a DOM property. The app must tell Vue that `wsp-call` is a custom element (see
 * `createPhones`).
 */
export const Phone = defineComponent({
  props: {
    server: { type: String, required: true },
    caller: { type: String, required: true },
    callee: { type: String, required: true },
    tokenProvider: { type: Function as PropType<() => Promise<string>>, required: true },
  },
  setup() {
    const widget = ref<WspCall>();
    const status = ref('idle');
    return {
      widget,
      status,
      ringing: (event: RingingEvent) => (status.value = event.incoming ? `incoming call from ${event.caller.uri}` : 'ringing'),
      ended: (event: EndedEvent) => (status.value = `ended: ${event.reason} (${event.code})`),
      call: () => void widget.value?.call(),
    };
  },
  template: `
    <section class="phone">
      <h2>{{ caller }}</h2>
      <wsp-call ref="widget" :server="server" :caller="caller" :callee="callee" .tokenProvider="tokenProvider"
        @ringing="ringing" @connected="status = 'connected'" @ended="ended"></wsp-call>
      <p class="app-status" role="status">{{ status }}</p>
      <button type="button" @click="call">Call {{ callee }} from the app</button>
    </section>`,
});
