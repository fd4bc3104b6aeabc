import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger as PinoLogger } from 'pino';

/**
 * Structured logging through pino: one JSON object per line, `{"level", "time", …fields, "msg"}`, so that a log
 * collector (or a test harness waiting for `"msg":"listening"`) can read it without a parser of its own. The server
 * calls it as `log.info(msg, fields)`; this module keeps that shape and hides pino's `(fields, msg)`.
 */

export const levels = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity } as const;
export type Level = Exclude<keyof typeof levels, 'silent'>;
export type Fields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line, e.g. the connection's user. */
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  /** The lowest level written; `silent` writes nothing. Default `info`. */
  level?: keyof typeof levels;
  /** Same as `level: 'silent'`: for tests. */
  quiet?: boolean;
  /** Where lines go, one call per line without its line break. Default: stdout, written asynchronously (sonic-boom). */
  write?: (line: string) => void;
}

/**
 * Fields whose values are secrets or a user's private data: tokens (a bearer credential, which a client offers in its
 * `Sec-WebSocket-Protocol` header), link authorizations, SDP and ICE candidates (the user's IP addresses). No line
 * the server writes carries them today; this keeps a future
 * `log.debug('…', { frame })` from leaking them. Done with serializers, which pino runs only for a field of that name,
 * rather than its `redact` paths: with wildcards those cost 7 µs on every line (about half of what a line costs).
 */
const REDACTED = new Set(['token', 'authorization', 'sec-websocket-protocol', 'secret', 'sdp', 'candidate']);
/** Fields that may hold the above further down (a frame, its content, request headers): searched three levels deep. */
const CONTAINERS = ['content', 'frame', 'headers'];
const CENSORED = '[redacted]';

function redacted(value: unknown, depth = 3): unknown {
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redacted(item, depth - 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, REDACTED.has(key) ? CENSORED : redacted(item, depth - 1)]));
}

const serializers: Record<string, (value: unknown) => unknown> = {
  // Errors do not survive JSON.stringify (their fields are not enumerable); keep what helps a reader.
  error: (value) => (value instanceof Error ? stdSerializers.err(value) : value),
  ...Object.fromEntries([...REDACTED].map((key) => [key, () => CENSORED])),
  ...Object.fromEntries(CONTAINERS.map((key) => [key, (value: unknown) => redacted(value)])),
};

/**
 * Stdout, shared by every logger of the process: pino's asynchronous destination, which gathers the lines written while
 * a write is under way into the next one. A write per line, synchronous on a pipe, cost the server a tenth of its
 * relay throughput (bench/load.mjs). pino flushes what is left when the process exits.
 */
let stdout: DestinationStream | undefined;

function destination(write: LoggerOptions['write']): DestinationStream {
  if (write) return { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) };
  return (stdout ??= pino.destination({ dest: 1, sync: false }));
}

/** The fields without `level`, `time` and `msg`: pino would write them twice, and a reader would take the field's. */
function own(fields: Fields | undefined): Fields {
  if (fields === undefined) return {};
  if (!('level' in fields || 'time' in fields || 'msg' in fields)) return fields;
  const { level: _level, time: _time, msg: _msg, ...rest } = fields;
  return rest;
}

function wrap(logger: PinoLogger): Logger {
  return {
    debug: (msg, fields) => logger.debug(own(fields), msg),
    info: (msg, fields) => logger.info(own(fields), msg),
    warn: (msg, fields) => logger.warn(own(fields), msg),
    error: (msg, fields) => logger.error(own(fields), msg),
    child: (fields) => wrap(logger.child(own(fields))),
  };
}

/**
 * @example
 * const log = createLogger({ level: 'debug' });
 * log.info('listening', { port: 8080 });   // {"level":"info","time":"…","port":8080,"msg":"listening"}
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.quiet ? 'silent' : (options.level ?? 'info');
  const logger = pino(
    {
      level,
      base: undefined, // no pid and hostname on every line: the service manager knows them
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers,
    },
    level === 'silent' ? { write: () => {} } : destination(options.write),
  );
  return wrap(logger);
}

/** A logger that writes nothing. */
export const silentLogger: Logger = createLogger({ quiet: true });
