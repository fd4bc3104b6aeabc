import { useRef, useState } from 'react';
import type {} from '../../src/react.js';
import type { WspCall } from '../../src/wsp-call.js';

export interface PhoneProps {
  server: string;
  caller: string;
  callee: string;
  tokenProvider: () => Promise<string>;
}

/**
 * One person's phone in a React app: the widget, plus what an app adds around it — its own status line fed by
 * the widget's events, and its own call button driving the widget's method through a ref.
 * `<wsp-call>` must be defined before React renders it, so that React sets `tokenProvider` as a property.
 */
export function Phone({ server, caller, callee, tokenProvider }: PhoneProps) {
  const widget = useRef<WspCall>(null);
  const [status, setStatus] = useState('idle');
  return (
    <section className="phone">
      <h2>{caller}</h2>
      <wsp-call
        ref={widget}
        server={server}
        caller={caller}
        callee={callee}
        tokenProvider={tokenProvider}
        onringing={(event) => setStatus(event.incoming ? `incoming call from ${event.caller.uri}` : 'ringing')}
        onconnected={() => setStatus('connected')}
        onended={(event) => setStatus(`ended: ${event.reason} (${event.code})`)}
      />
      <p className="app-status" role="status">
        {status}
      </p>
      <button type="button" onClick={() => void widget.current?.call()}>
        Call {callee} from the app
      </button>
    </section>
  );
}
