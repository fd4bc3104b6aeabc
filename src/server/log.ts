import { writeSync } from 'node:fs';

/**
 * Structured logging: one JSON object per line, `{"time", "level", "msg", ...fields}`, so that a log
 * collector (or a test harness waiting for `"msg":"listening"`) can read it without a parser of its own.
 */

export const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
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
  /** Where lines go. Default: stdout, batched (see `stdoutLines`). */
  write?: (line: string) => void;
}

/**
 * Writes lines to stdout once per event-loop turn rather than once each: a busy server logs several lines per call,
 * and a write per line, synchronous on a pipe, cost it a tenth of its relay throughput (bench/load.mjs). Lines still
 * held when the process exits (normally, or through an uncaught exception) are written then.
 */
let stdout: ((line: string) => void) | undefined;

function stdoutLines(): (line: string) => void {
  if (stdout) return stdout;
  let held: string[] = [];
  const flush = () => {
    if (!held.length) return;
    const text = held.join('');
    held = [];
    process.stdout.write(text);
  };
  process.once('exit', () => {
    if (held.length) writeSync(1, held.join(''));
  });
  return (stdout = (line) => {
    if (!held.length) setImmediate(flush);
    held.push(`${line}\n`);
  });
}

/** Errors do not survive JSON.stringify (their fields are not enumerable); keep what helps a reader. */
function serializable(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

/**
 * @example
 * const log = createLogger({ level: 'debug' });
 * log.info('listening', { port: 8080 });   // {"time":"…","level":"info","msg":"listening","port":8080}
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = levels[options.quiet ? 'silent' : (options.level ?? 'info')];
  const write = options.write ?? stdoutLines();
  const make = (base: Fields): Logger => {
    const emit = (level: Level, msg: string, fields?: Fields) => {
      if (levels[level] < threshold) return;
      const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
      for (const [key, value] of Object.entries({ ...base, ...fields })) {
        if (!(key in entry)) entry[key] = serializable(value); // a field never overwrites time, level or msg
      }
      write(JSON.stringify(entry));
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({});
}

/** A logger that writes nothing. */
export const silentLogger: Logger = createLogger({ quiet: true });
