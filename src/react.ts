// JSX typing of <wsp-call> for React 19 (`import type {} from 'wsp-call/react'` once in a React project). React 19
// sets a custom element's props as properties when the element has them, and turns `on<event>` props into
// listeners for `<event>` exactly as spelled: hence `onconnected`, not `onConnected`.
// The names come from custom-elements.json (element-api.ts), the types from the element: nothing is listed twice.
import type { HTMLAttributes, RefAttributes } from 'react';
import type { WspCallEventName, WspCallProperty } from './element-api.js';
import type { WspCall } from './wsp-call.js';

/** Each property of the element, optional, typed as the element types it. */
type Properties = Partial<Pick<WspCall, WspCallProperty>>;

/** A listener per event, `on` + its name as spelled, taking the element's event class. */
type Listeners = { [K in WspCallEventName as `on${K}`]?: (event: HTMLElementEventMap[K]) => void };

/**
 * What JSX may give a `<wsp-call>`: its attributes, its properties and a listener per event. React's own `onError`
 * goes: the element's `error` is `onerror`.
 */
export interface WspCallProps
  extends Omit<HTMLAttributes<WspCall>, 'onError' | keyof Properties | keyof Listeners>,
    Properties,
    Listeners,
    RefAttributes<WspCall> {}

declare module 'react' {
  // React's JSX typing lives in this namespace.
  namespace JSX {
    interface IntrinsicElements {
      'wsp-call': WspCallProps;
    }
  }
}
