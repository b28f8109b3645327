import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPinoLogger } from './pino-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('pino logger', () => {
  it('writes a child’s bindings on each of its lines, fields after them', () => {
    const { lines, stream } = capture();
    const logger = createPinoLogger('info', stream);
    const request = logger.child({ requestId: 'req_1' });
    request.child({ tenantId: 'ten_1' }).info('request', { status: 201 });
    request.warn('slow', { requestId: 'req_2' });
    logger.info('plain');
    expect(lines.map(({ time, pid, hostname, ...rest }) => rest)).toEqual([
      {
        level: 30,
        service: 'tuike-api',
        requestId: 'req_1',
        tenantId: 'ten_1',
        status: 201,
        msg: 'request',
      },
      { level: 40, service: 'tuike-api', requestId: 'req_2', msg: 'slow' },
      { level: 30, service: 'tuike-api', msg: 'plain' },
    ]);
  });

  it('writes nothing below its level', () => {
    const { lines, stream } = capture();
    const logger = createPinoLogger('warn', stream).child({ requestId: 'req_1' });
    logger.debug('no');
    logger.info('no');
    logger.error('yes');
    expect(lines.map((l) => l.msg)).toEqual(['yes']);
  });

  it('redacts secrets in fields and in a child’s bindings', () => {
    const { lines, stream } = capture();
    const logger = createPinoLogger('info', stream).child({ token: 'tk_secret' });
    logger.info('login', {
      password: 'hunter2',
      user: { secret: 's3' },
      authorization: 'Bearer x',
    });
    const text = JSON.stringify(lines);
    for (const secret of ['tk_secret', 'hunter2', 's3', 'Bearer x']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ token: '[redacted]', password: '[redacted]' });
  });
});
