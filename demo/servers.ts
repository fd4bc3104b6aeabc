// Where the demo's users live: `npm start` runs two domains, alpha and beta, each its own server, and /domains.json
// names them (they carry ports). Each widget talks only to its own user's server, through the dev server's proxy
// (/alpha/wsp, /beta/wsp). The demo's servers mint development tokens; a real site mints them in its backend (README).
import { WSP_PATH } from '../src/protocol/paths.js';

export type DomainName = 'alpha' | 'beta';

export interface DemoUser {
  /** The widget's `server`. */
  server: string;
  /** The widget's `caller`: the user's own address. */
  caller: string;
  /** Whom the widget calls. */
  callee: string;
  tokenProvider: () => Promise<string>;
}

let domains: Promise<Record<DomainName, string>> | undefined;

/** The settings of a widget for `user`@`home` that calls `callee`@`calleeHome`. */
export async function demoUser(user: string, home: DomainName, callee: string, calleeHome: DomainName): Promise<DemoUser> {
  const names = await (domains ??= fetch('/domains.json').then((response) => response.json() as Promise<Record<DomainName, string>>));
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return {
    server: `${scheme}://${location.host}/${home}${WSP_PATH}`,
    caller: `${user}@${names[home]}`,
    callee: `${callee}@${names[calleeHome]}`,
    tokenProvider: async () => {
      const response = await fetch(`/${home}/dev/token?user=${encodeURIComponent(user)}`);
      return ((await response.json()) as { token: string }).token;
    },
  };
}

/** alice@alpha calling bob@beta, and bob calling alice: the two phones of every demo page. */
export function demoUsers(): Promise<DemoUser[]> {
  return Promise.all([demoUser('alice', 'alpha', 'bob', 'beta'), demoUser('bob', 'beta', 'alice', 'alpha')]);
}
