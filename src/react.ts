// JSX typing of <wsp-call> for React 19 (`import type {} from 'wsp-call/react'` once in a React project). React 19
// sets a custom element's props as properties when the element has them, and turns `on<event>` props into
// listeners for `<event>` exactly as spelled: hence `onconnected`, not `onConnected`.
import type { HTMLAttributes, RefAttributes } from 'react';
import type { WspCall } from './element/wsp-call.js';
import type { ConnectedEvent, EndedEvent, RingingEvent, StateChangeEvent, WspErrorEvent } from './element/events.js';

type Listener<E extends Event> = (event: E) => void;

/** What JSX may give a `<wsp-call>`: its attributes, its properties and a listener per event. */
export interface WspCallProps extends Omit<HTMLAttributes<WspCall>, 'onError'>, RefAttributes<WspCall> {
  server?: string;
  caller?: string;
  callee?: string;
  token?: string;
  ringTimeout?: number;
  tokenProvider?: WspCall['tokenProvider'];
  iceServers?: RTCIceServer[];
  onringing?: Listener<RingingEvent>;
  onconnected?: Listener<ConnectedEvent>;
  onended?: Listener<EndedEvent>;
  onstatechange?: Listener<StateChangeEvent>;
  onerror?: Listener<WspErrorEvent>;
}

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- React's JSX typing lives in this namespace
  namespace JSX {
    interface IntrinsicElements {
      'wsp-call': WspCallProps;
    }
  }
}
