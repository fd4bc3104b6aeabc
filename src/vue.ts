// Vue 3 typing of <wsp-call>, for templates that vue-tsc (Vue's language tools) checks: `import type {} from
// 'wsp-call/vue'` once in a Vue project. Vue reads a component's props from `$props` and its events from `$emit`; for
// a custom element both are made up here, the way Vue's guide ("Vue and Web Components") shows. The names come from
// custom-elements.json (element-api.ts), the types from the element, as for React (react.ts).
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type { WspCallEventName, WspCallProperty } from './element-api.js';
import type { WspCall } from './wsp-call.js';

/** A listener prop per event, as Vue names what `@ringing` binds: `onRinging`. */
type Listeners = { [K in WspCallEventName as `on${Capitalize<K>}`]?: (event: HTMLElementEventMap[K]) => void };

/** What a template may bind on `<wsp-call>`: its attributes, its properties (`.tokenProvider` too) and its events. */
export type WspCallVueProps = Omit<HTMLAttributes, WspCallProperty | keyof Listeners> & Partial<Pick<WspCall, WspCallProperty>> & Listeners & PublicProps;

/** Each event with the element's event class, in the shape `$emit` takes. */
type Emits = EmitFn<{ [K in WspCallEventName]: (event: HTMLElementEventMap[K]) => void }>;

declare module 'vue' {
  interface GlobalComponents {
    'wsp-call': new () => WspCall & {
      /** @deprecated Template typing only: a ref to the element has no `$props`. */
      $props: WspCallVueProps;
      /** @deprecated Template typing only: the element dispatches DOM events, it has no `$emit`. */
      $emit: Emits;
    };
  }
}
