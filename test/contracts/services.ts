import { connect } from 'node:net';

/**
 * Whether a server the connector tests need is listening. Tests of PostgreSQL, Redis and NATS talk
 * to the real servers on this machine; when one is down they skip with the reason printed —
 * except under CI=true, where a down server must fail the run, not quietly skip it.
 *
 * @example
 * const skip = await serviceSkipReason('PostgreSQL', '127.0.0.1', 5432);
 * describe('postgres', { skip }, () => { … });
 */
export async function serviceSkipReason(name: string, host: string, port: number, timeoutMs = 1500): Promise<string | undefined> {
  const error = await new Promise<Error | null>((resolve) => {
    const socket = connect({ host, port });
    const done = (e: Error | null): void => {
      socket.destroy();
      resolve(e);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('connect', () => done(null));
    socket.once('error', done);
  });
  if (error === null) return undefined;
  const reason = `${name} is not reachable at ${host}:${port} (${error.message})`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it — start the server (see .ci/run)`);
  process.stderr.write(`skipping ${name} tests: ${reason}\n`);
  return reason;
}
