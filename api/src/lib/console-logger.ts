import type { Logger } from './logger';

const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** Keys whose values never reach a log line, at any depth (as in the pino logger). */
const SECRET_KEYS = new Set([
  'password',
  'token',
  'secret',
  'authorization',
  'refreshToken',
  'accessToken',
]);

function replacer(key: string, value: unknown): unknown {
  if (SECRET_KEYS.has(key)) return '[redacted]';
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * JSON lines on the console: the log channel of Cloudflare Workers, where pino does not run.
 * Same shape as the Node logs (level, time, service, bindings, fields, msg).
 */
export function createConsoleLogger(
  level: string,
  bindings: Record<string, unknown> = { service: 'tuike-api' },
): Logger {
  const min = LEVELS[level] ?? 30;
  const write = (name: 'debug' | 'info' | 'warn' | 'error', msg: string, fields = {}) => {
    if ((LEVELS[name] ?? 0) < min) return;
    const line = JSON.stringify(
      { level: name, time: new Date().toISOString(), ...bindings, ...fields, msg },
      replacer,
    );
    // biome-ignore lint/suspicious/noConsole: the console is the log channel of Workers
    console[name === 'debug' ? 'log' : name](line);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (more) => createConsoleLogger(level, { ...bindings, ...more }),
  };
}
