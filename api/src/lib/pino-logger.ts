import pino from 'pino';
import type { Logger } from './logger';

/** Structured JSON logs on Node. Secrets are redacted by key wherever they appear. */
export function createPinoLogger(
  level: string,
  /** Where lines go; stdout by default. */
  destination?: pino.DestinationStream,
): Logger {
  const base = pino(
    {
      level,
      base: { service: 'tuike-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'secret',
          '*.secret',
          'authorization',
          '*.authorization',
          'refreshToken',
          '*.refreshToken',
          'accessToken',
          '*.accessToken',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
  // A child keeps its bindings and adds them to each line it writes: every request makes one
  // (its request id), and pino's own child costs more to build than the line or two a request
  // logs; nothing is built for a line below the level.
  type Level = 'debug' | 'info' | 'warn' | 'error';
  const wrap = (bindings: Record<string, unknown> | null): Logger => {
    const at =
      (level: Level) =>
      (msg: string, fields?: Record<string, unknown>): void => {
        if (!base.isLevelEnabled(level)) return;
        base[level](bindings ? { ...bindings, ...fields } : (fields ?? {}), msg);
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (more) => wrap({ ...bindings, ...more }),
    };
  };
  return wrap(null);
}
