/**
 * Structured logs: one JSON object per line. A small interface we own so Node and Workers can
 * each write where they should, and so tests can capture logs.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values never reach a log line, whatever their nesting. */
const SECRET_FIELD = /secret|token|password|authorization|signature|key$/i;

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => console.log(line),
): Logger {
  const log = (at: LogLevel, message: string, fields?: LogFields) => {
    if (order[at] < order[level]) return;
    write(
      JSON.stringify({ time: new Date().toISOString(), level: at, message, ...redact(fields) }),
    );
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function redact(fields: LogFields | undefined, depth = 0): LogFields | undefined {
  if (!fields) return undefined;
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(name)) out[name] = '[redacted]';
    else if (value instanceof Error)
      out[name] = { name: value.name, message: value.message, stack: value.stack };
    else if (value && typeof value === 'object' && !Array.isArray(value) && depth < 4)
      out[name] = redact(value as LogFields, depth + 1);
    else out[name] = value;
  }
  return out;
}
