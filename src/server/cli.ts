#!/usr/bin/env node
/**
 * `wsp-server`: runs a WSP server, or mints a token for it. Flags win over environment variables.
 * Exit codes: 0 done, 1 failure at run time (e.g. the port is taken), 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { asciiLowerCase, MAX_RETRY_AFTER_MS, normalizeAddress, parseAddress, WELL_KNOWN_PATH, WSP_PATH } from '../protocol/index.js';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS, mintToken } from './auth.js';
import {
  DEFAULT_CLUSTER_HEARTBEAT_MS,
  DEFAULT_DRAIN_JITTER_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_RING_TIMEOUT_MS,
  LIVENESS_HEARTBEATS,
} from './defaults.js';
import { defaultLimits, limitNames, parseLimit, type ServerLimits } from './limits.js';
import { createLogger } from './log.js';
import { NetworkPolicy } from './federation/network-policy.js';
import { DEFAULT_TURN_TTL_SECONDS, TURN_TTL_RANGE, type TurnOptions } from './turn-credentials.js';
import { createWspServer, type WspServerOptions } from './server.js';

const SERVE_HELP = `Usage: wsp-server [serve] [options]

Runs a WSP 1.0 signaling server. Clients connect to ws://HOST:PORT${WSP_PATH} with a token.

Options (environment variable in brackets):
  --domain D         the domain served, e.g. example.org or localhost:8080  [WSP_DOMAIN] (required)
  --host H           interface to listen on, default ${DEFAULT_HOST}              [WSP_HOST]
  --port P           port, default ${DEFAULT_PORT}; 0 picks a free one                  [WSP_PORT]
  --secret-file F    token secret shared with your backend, one line of F    [WSP_SECRET_FILE]
                     or the variable WSP_SECRET (without one a random secret is used:
                     only --dev-tokens lets anyone in)
  --secret S         the same on the command line, where other users of the machine
                     can read it (ps, /proc): logs a warning; prefer the two above
  --users a,b        user directory: only these users exist                  [WSP_USERS]
  --max-token-ttl S  longest a token may be valid, in seconds, default       [WSP_MAX_TOKEN_TTL]
                     ${DEFAULT_MAX_TOKEN_TTL_SECONDS} (24 h); longer ones, and ones issued in the future, are refused (4401)
  --ring-timeout MS  longest a call rings, default ${DEFAULT_RING_TIMEOUT_MS}                     [WSP_RING_TIMEOUT]
  --heartbeat MS     ping interval; a client silent for two is dropped,      [WSP_HEARTBEAT]
                     default ${DEFAULT_HEARTBEAT_MS}
  --origins a,b      web origins whose pages may connect, e.g.               [WSP_ORIGINS]
                     https://shop.example; others are refused (4403) (default: any)
  --limit N=V        set a limit, 0 = unlimited; repeatable (list below)     [WSP_LIMITS=N=V,N=V]
  --trust-proxy      take the client address from X-Forwarded-For            [WSP_TRUST_PROXY=1]
                     (only behind a reverse proxy on this machine)
  --dev-tokens       serve GET /dev/token?user=NAME (never in production)    [WSP_DEV_TOKENS=1]
  --debug            log every frame, not only connections and calls        [WSP_DEBUG=1]
  -h, --help         this text

TURN: short-lived credentials for a TURN server (coturn with use-auth-secret) at POST /wsp/turn (the token as body)
  --turn-urls a,b    ICE server URLs, e.g. turn:turn.example.org:3478?transport=udp,  [WSP_TURN_URLS]
                     turn:turn.example.org:3478?transport=tcp,turns:turn.example.org:443?transport=tcp
  --turn-secret-file F  coturn's static-auth-secret, one line of F             [WSP_TURN_SECRET_FILE]
                     or the variable WSP_TURN_SECRET (--turn-secret S: seen by ps, warns)
  --turn-ttl S       how long credentials are valid, default ${DEFAULT_TURN_TTL_SECONDS}, ${TURN_TTL_RANGE.min}–${TURN_TTL_RANGE.max}        [WSP_TURN_TTL]
Operation: /healthz (alive) and /readyz (ready: 503 while draining) on the port above.
  --metrics-port P   serve /metrics (Prometheus), /healthz and /readyz on     [WSP_METRICS_PORT]
                     this port too; without it there is no /metrics
  --metrics-host H   the metrics port's interface, default ${DEFAULT_HOST}       [WSP_METRICS_HOST]
  --drain-timeout MS on SIGTERM the server drains: /readyz says 503, clients  [WSP_DRAIN_TIMEOUT]
                     are closed with 1012 once their calls ringing or not yet
                     handed over are done, at most this long, default ${DEFAULT_DRAIN_TIMEOUT_MS};
                     then it exits. A second SIGTERM or SIGINT exits at once
  --drain-jitter MS  clients are told to reconnect after 0 to MS ms,         [WSP_DRAIN_JITTER]
                     default ${DEFAULT_DRAIN_JITTER_MS}

Federation: calls to other domains' users go over signed server-to-server links.
  --key-file F       the server's Ed25519 key (PEM), made on first start     [WSP_KEY_FILE]
                     default .wsp/<domain>.key.pem
  --public-url U     where others reach this server, e.g. https://example.org [WSP_PUBLIC_URL]
                     (announced in ${WELL_KNOWN_PATH}; default http://HOST:PORT)
  --peer D=URL       reach domain D at URL, not https://D; repeatable        [WSP_PEERS=D=URL,D=URL]
                     e.g. --peer beta.localhost:8002=http://127.0.0.1:8002
  --no-discovery     reach only the --peer domains                           [WSP_DISCOVERY=0]
  --allow-network N  let discovery and links reach network N (CIDR) although  [WSP_ALLOW_NETWORKS=N,N]
                     it is not public, e.g. 10.0.0.0/8 for a LAN federation; repeatable.
                     Otherwise only public addresses and the --peer hosts are reached

Several processes for one domain (docs/deploy.md), sharing presence and calls through Redis:
  --redis URL        e.g. redis://127.0.0.1:6379; default: one process,       [WSP_REDIS]
                     state in memory
  --redis-heartbeat MS  how often the process proves it is live to the     [WSP_REDIS_HEARTBEAT]
                     others, default ${DEFAULT_CLUSTER_HEARTBEAT_MS}; a killed process is noticed within ${LIVENESS_HEARTBEATS} of these

Limits (--limit), with their defaults; docs/protocol.md §2.4 says what each does:
${limitNames.map((name) => `  ${name}=${defaultLimits[name]}`).join('\n')}

The first line on stdout is {"msg":"listening","port":…,"url":…,"domain":…}.
See also: wsp-server token --help
`;

const TOKEN_HELP = `Usage: wsp-server token <user|user@domain> [options]

Prints a token that lets the user connect to the server with the same domain and secret.

Options (environment variable in brackets):
  --domain D          the server's domain; needed when the user has none   [WSP_DOMAIN]
  --secret-file F     the server's token secret, one line of F             [WSP_SECRET_FILE]
                      or the variable WSP_SECRET (one of them is required)
  --secret S          the same on the command line, where ps shows it: prints a warning
  --ttl SECONDS       how long the token is valid, default 600, at most --max-token-ttl
  --max-token-ttl S   the server's maximum, default ${DEFAULT_MAX_TOKEN_TTL_SECONDS} (24 h)           [WSP_MAX_TOKEN_TTL]
  -h, --help          this text
`;

/** A mistake in the command line: reported on stderr with exit code 2. */
class UsageError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

/** A boolean environment variable: set to 1, true or yes. */
function flag(value: string | undefined): boolean {
  return ['1', 'true', 'yes'].includes(value?.toLowerCase() ?? '');
}

function integer(value: string, name: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  return number;
}

type ServeCommand = { help: true } | { help: false; debug: boolean; secretOnCommandLine: boolean; turnSecretOnCommandLine: boolean; options: WspServerOptions };

/** What the command line says about the secret: at most one of --secret and --secret-file. */
interface SecretFlags {
  secret?: string;
  'secret-file'?: string;
}

/** The warning for a secret on the command line: every user of the machine can read a process's arguments. */
const SECRET_ON_COMMAND_LINE =
  'the secret was given with --secret, where other users of this machine can read it (ps, /proc/PID/cmdline); set WSP_SECRET or use --secret-file';

/** The same for the TURN secret, which lets anyone who reads it mint relay credentials. */
const TURN_SECRET_ON_COMMAND_LINE =
  'the TURN secret was given with --turn-secret, where other users of this machine can read it; set WSP_TURN_SECRET or use --turn-secret-file';

/**
 * The token secret: --secret, --secret-file, WSP_SECRET or WSP_SECRET_FILE, in that order (flags win over the
 * environment). A file holds the secret on its first line; a trailing line break is not part of it.
 */
function secretOf(values: SecretFlags, env: Env, flagName = 'secret'): string | undefined {
  if (values.secret !== undefined && values['secret-file'] !== undefined) throw new UsageError(`give --${flagName} or --${flagName}-file, not both`);
  if (values.secret !== undefined) return values.secret;
  const file = values['secret-file'] ?? (env.WSP_SECRET ? undefined : env.WSP_SECRET_FILE);
  if (file === undefined) return env.WSP_SECRET;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--${flagName}-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (!secret || /[\r\n]/.test(secret)) throw new UsageError(`--${flagName}-file: ${file} must hold the secret on one line`);
  return secret;
}

function parseServe(args: string[], env: Env): ServeCommand {
  const { values } = parseArgs({
    args,
    options: {
      domain: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      secret: { type: 'string' },
      'secret-file': { type: 'string' },
      users: { type: 'string' },
      'max-token-ttl': { type: 'string' },
      'ring-timeout': { type: 'string' },
      heartbeat: { type: 'string' },
      origins: { type: 'string' },
      limit: { type: 'string', multiple: true },
      'trust-proxy': { type: 'boolean' },
      'dev-tokens': { type: 'boolean' },
      debug: { type: 'boolean' },
      'key-file': { type: 'string' },
      'public-url': { type: 'string' },
      peer: { type: 'string', multiple: true },
      'no-discovery': { type: 'boolean' },
      'allow-network': { type: 'string', multiple: true },
      'turn-urls': { type: 'string' },
      'turn-secret': { type: 'string' },
      'turn-secret-file': { type: 'string' },
      'turn-ttl': { type: 'string' },
      redis: { type: 'string' },
      'redis-heartbeat': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      'drain-timeout': { type: 'string' },
      'drain-jitter': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  const metricsPort = values['metrics-port'] ?? env.WSP_METRICS_PORT;
  const drainTimeout = values['drain-timeout'] ?? env.WSP_DRAIN_TIMEOUT;
  const drainJitter = values['drain-jitter'] ?? env.WSP_DRAIN_JITTER;
  const domain = values.domain ?? env.WSP_DOMAIN;
  if (!domain) throw new UsageError('--domain is required (or WSP_DOMAIN)');
  if (!parseAddress(`user@${domain}`)) throw new UsageError(`not a domain: ${domain}`);
  const userList = list(values.users ?? env.WSP_USERS);
  for (const name of userList ?? []) if (!parseAddress(`${name}@${domain}`)) throw new UsageError(`not a user name: ${name}`);
  const ringTimeout = values['ring-timeout'] ?? env.WSP_RING_TIMEOUT;
  const heartbeat = values.heartbeat ?? env.WSP_HEARTBEAT;
  const origins = list(values.origins ?? env.WSP_ORIGINS);
  for (const origin of origins ?? []) if (!isHttpUrl(origin)) throw new UsageError(`--origins: not an http: or https: origin: ${origin}`);
  const publicUrl = values['public-url'] ?? env.WSP_PUBLIC_URL;
  if (publicUrl !== undefined && !isHttpUrl(publicUrl)) throw new UsageError(`--public-url must be an http: or https: URL, not ${publicUrl}`);
  const allowNetworks = values['allow-network'] ?? list(env.WSP_ALLOW_NETWORKS) ?? [];
  const redis = values.redis ?? env.WSP_REDIS;
  if (redis !== undefined && !(URL.canParse(redis) && ['redis:', 'rediss:'].includes(new URL(redis).protocol))) {
    throw new UsageError(`--redis must be a redis: or rediss: URL, not ${redis}`);
  }
  const redisHeartbeat = values['redis-heartbeat'] ?? env.WSP_REDIS_HEARTBEAT;
  if (redisHeartbeat !== undefined && redis === undefined) throw new UsageError('--redis-heartbeat needs --redis');
  try {
    new NetworkPolicy(allowNetworks);
  } catch (error) {
    throw new UsageError(`--allow-network: ${(error as Error).message}`);
  }
  return {
    help: false,
    debug: values.debug ?? flag(env.WSP_DEBUG),
    secretOnCommandLine: values.secret !== undefined,
    turnSecretOnCommandLine: values['turn-secret'] !== undefined,
    options: {
      domain,
      host: values.host ?? env.WSP_HOST ?? DEFAULT_HOST,
      port: integer(values.port ?? env.WSP_PORT ?? String(DEFAULT_PORT), '--port', 0, 65535),
      secret: secretOf(values, env),
      users: userList,
      maxTokenTtlSeconds: maxTokenTtl(values['max-token-ttl'], env),
      ringTimeoutMs: ringTimeout === undefined ? undefined : integer(ringTimeout, '--ring-timeout', 1, 3_600_000),
      heartbeatMs: heartbeat === undefined ? undefined : integer(heartbeat, '--heartbeat', 1, 3_600_000),
      origins,
      limits: parseLimits(values.limit ?? list(env.WSP_LIMITS) ?? []),
      trustProxy: values['trust-proxy'] ?? flag(env.WSP_TRUST_PROXY),
      devTokens: values['dev-tokens'] ?? flag(env.WSP_DEV_TOKENS),
      turn: turnOf(values, env),
      metricsPort: metricsPort === undefined ? undefined : integer(metricsPort, '--metrics-port', 0, 65535),
      metricsHost: values['metrics-host'] ?? env.WSP_METRICS_HOST,
      drainTimeoutMs: drainTimeout === undefined ? undefined : integer(drainTimeout, '--drain-timeout', 0, 3_600_000),
      drainJitterMs: drainJitter === undefined ? undefined : integer(drainJitter, '--drain-jitter', 0, MAX_RETRY_AFTER_MS),
      federation: {
        // One key file per domain, so two servers started in one directory (the demo) keep theirs apart.
        keyFile: values['key-file'] ?? env.WSP_KEY_FILE ?? `.wsp/${asciiLowerCase(domain).replace(':', '_')}.key.pem`,
        publicUrl,
        peers: parsePeers(values.peer ?? env.WSP_PEERS?.split(',').filter(Boolean) ?? []),
        discover: !(values['no-discovery'] ?? ['0', 'false', 'no'].includes(env.WSP_DISCOVERY?.toLowerCase() ?? '')),
        allowNetworks,
      },
      redis: redis && {
        url: redis,
        heartbeatMs: redisHeartbeat === undefined ? undefined : integer(redisHeartbeat, '--redis-heartbeat', 10, 3_600_000),
      },
    },
  };
}

/** What the command line and the environment say about TURN: nothing, or URLs with a secret (each needs the other). */
function turnOf(values: { 'turn-urls'?: string; 'turn-secret'?: string; 'turn-secret-file'?: string; 'turn-ttl'?: string }, env: Env): TurnOptions | undefined {
  const urls = list(values['turn-urls'] ?? env.WSP_TURN_URLS);
  // The same rules as the token secret's: flag or file, else the variables.
  const secret = secretOf(
    { secret: values['turn-secret'], 'secret-file': values['turn-secret-file'] },
    { WSP_SECRET: env.WSP_TURN_SECRET, WSP_SECRET_FILE: env.WSP_TURN_SECRET_FILE },
    'turn-secret',
  );
  if (!urls?.length && secret === undefined) return undefined;
  if (!urls?.length) throw new UsageError('--turn-secret needs --turn-urls (or WSP_TURN_URLS)');
  if (!secret) throw new UsageError('--turn-urls needs --turn-secret-file (or WSP_TURN_SECRET)');
  const ttl = values['turn-ttl'] ?? env.WSP_TURN_TTL;
  return { urls, secret, ttlSeconds: ttl === undefined ? undefined : integer(ttl, '--turn-ttl', TURN_TTL_RANGE.min, TURN_TTL_RANGE.max) };
}

/** --max-token-ttl or WSP_MAX_TOKEN_TTL, in seconds: at most ten years, and never beyond. */
function maxTokenTtl(value: string | undefined, env: Env): number {
  return integer(value ?? env.WSP_MAX_TOKEN_TTL ?? String(DEFAULT_MAX_TOKEN_TTL_SECONDS), '--max-token-ttl', 1, 315_360_000);
}

/** `a, b,` → ['a', 'b']; undefined stays undefined. */
function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `name=value` pairs → limits; a later pair for the same name wins. */
function parseLimits(pairs: readonly string[]): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  for (const pair of pairs) {
    try {
      const [name, value] = parseLimit(pair);
      limits[name] = value;
    } catch (error) {
      throw new UsageError(`--limit: ${(error as Error).message}`);
    }
  }
  return limits;
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

/** `domain=http://host:port` pairs → the static peer map. */
function parsePeers(pairs: readonly string[]): Map<string, string> {
  const peers = new Map<string, string>();
  for (const pair of pairs) {
    const split = pair.indexOf('=');
    // Checked before it is folded (to ASCII lower case only): no other character may turn into a domain's.
    const domain = parseAddress(`user@${pair.slice(0, Math.max(split, 0)).trim()}`)?.domain;
    const url = pair.slice(split + 1).trim();
    if (split < 0 || !domain) throw new UsageError(`--peer must be DOMAIN=URL, not ${pair}`);
    if (!isHttpUrl(url)) throw new UsageError(`--peer ${domain}: the URL must be http: or https:, not ${url}`);
    peers.set(domain, url);
  }
  return peers;
}

async function serve(args: string[], env: Env): Promise<void> {
  const command = parseServe(args, env);
  if (command.help) return void process.stdout.write(SERVE_HELP);
  // No quieter levels: harnesses wait for the info-level listening line.
  const log = createLogger({ level: command.debug ? 'debug' : 'info' });
  const server = await createWspServer({ ...command.options, log });
  if (command.secretOnCommandLine) log.warn(SECRET_ON_COMMAND_LINE);
  if (command.turnSecretOnCommandLine) log.warn(TURN_SECRET_ON_COMMAND_LINE);
  // SIGTERM (a service manager's stop, a deploy) drains first; SIGINT (Ctrl-C) closes at once. A signal during the
  // drain exits at once; one during the close (a second Ctrl-C, or a parent passing it on) changes nothing.
  let phase: 'serving' | 'draining' | 'closing' = 'serving';
  const stop = async (signal: string) => {
    if (phase === 'closing') return;
    if (phase === 'draining') {
      log.warn('second signal: exiting at once', { signal });
      process.exit(1);
    }
    log.info('shutting down', { signal });
    if (signal === 'SIGTERM') {
      phase = 'draining';
      await server.drain();
    }
    phase = 'closing';
    await server.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
}

async function token(args: string[], env: Env): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      domain: { type: 'string' },
      secret: { type: 'string' },
      'secret-file': { type: 'string' },
      ttl: { type: 'string' },
      'max-token-ttl': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(TOKEN_HELP);
  if (positionals.length !== 1) throw new UsageError('give exactly one user: wsp-server token <user|user@domain>');
  const user = positionals[0]!;
  const given = values.domain ?? env.WSP_DOMAIN;
  if (!user.includes('@') && !given) throw new UsageError('--domain is required for a user without @domain (or WSP_DOMAIN)');
  // Checked before it is folded (to ASCII lower case only), like every address.
  const domain = given === undefined ? undefined : parseAddress(`user@${given}`)?.domain;
  if (given !== undefined && !domain) throw new UsageError(`not a domain: ${given}`);
  const address = normalizeAddress(user.includes('@') ? user : `${user}@${domain}`);
  if (!address) throw new UsageError(`not an address: ${user}`);
  if (domain && !address.endsWith(`@${domain}`)) throw new UsageError(`${address} is not a user of ${domain}`);
  const secret = secretOf(values, env);
  if (!secret) throw new UsageError('--secret-file or WSP_SECRET is required (or --secret)');
  // A token the server would refuse is no use: --ttl follows the server's maximum (the same flag and variable).
  const max = maxTokenTtl(values['max-token-ttl'], env);
  const ttlSeconds = integer(values.ttl ?? String(Math.min(600, max)), '--ttl', 1, max);
  if (values.secret !== undefined) process.stderr.write(`wsp-server: warning: ${SECRET_ON_COMMAND_LINE}\n`);
  process.stdout.write(`${await mintToken({ address, secret, ttlSeconds })}\n`);
}

async function main(argv: string[], env: Env): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'token') return token(rest, env);
  if (command === 'serve') return serve(rest, env);
  if (command === undefined || command.startsWith('-')) return serve(argv, env);
  throw new UsageError(`unknown command "${command}"; try wsp-server --help`);
}

main(process.argv.slice(2), process.env).catch((error: unknown) => {
  // parseArgs reports bad flags as TypeErrors with an ERR_PARSE_ARGS_* code: a usage mistake too.
  const usage = error instanceof UsageError || (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'));
  process.stderr.write(`wsp-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(usage ? 2 : 1);
});
