import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Private PostgreSQL, Redis and NATS servers for the outage tests: started on random free ports
 * in a temporary folder, stopped and started again by the test (a real stop — the process ends —
 * with their data kept), and killed in an `after` hook and at process exit whatever happens. The
 * shared servers on 5432/6379/4222 are never touched: other tests run against them.
 *
 * The caller destroys each server in an `after` hook of its suite (`after` registered inside a
 * `before` hook would run at once); servers still alive when the process exits are killed then.
 *
 * @example
 * let nats: PrivateServer | undefined;
 * before(async () => { nats = await startPrivateNats(); });
 * after(() => nats?.destroy());
 */
export interface PrivateServer {
  readonly name: string;
  /** How a client reaches it, e.g. `nats://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** Whether it is running now. */
  readonly running: boolean;
  /** Stops it for real (the process exits), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. Safe to call twice. */
  destroy(): Promise<void>;
}

const NATS_SERVER = '/usr/sbin/nats-server';
const REDIS_SERVER = 'redis-server';

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Why private servers of this kind cannot be started here (a missing binary, not root for
 * `runuser`), or undefined when they can. Under CI=true a missing server is a failure, not a skip.
 *
 * @example
 * const skip = privateServerSkipReason(['nats', 'postgres']);
 * describe('outages', { skip }, () => { … });
 */
export function privateServerSkipReason(kinds: ReadonlyArray<'nats' | 'redis' | 'postgres'>): string | undefined {
  const missing: string[] = [];
  if (kinds.includes('nats') && !existsSync(NATS_SERVER)) missing.push(`${NATS_SERVER} is not installed`);
  if (kinds.includes('redis') && !onPath(REDIS_SERVER)) missing.push(`${REDIS_SERVER} is not on the PATH`);
  if (kinds.includes('postgres')) {
    if (postgresBin() === undefined) missing.push('no /usr/lib/postgresql/*/bin/pg_ctl');
    else if (process.getuid?.() !== 0 || !onPath('runuser')) missing.push('starting a private PostgreSQL needs root and runuser (it runs as the postgres user)');
  }
  if (missing.length === 0) return undefined;
  const reason = `private test servers cannot start: ${missing.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires them`);
  process.stderr.write(`skipping: ${reason}\n`);
  return reason;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port; polls a condition, with a deadline. */
export async function waitForPort(port: number, timeoutMs = 30_000, what = `port ${port}`): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not accept connections within ${timeoutMs} ms`);
    await delay(50);
  }
}

/** Every server this process started, killed at exit if a test run dies before its `after` hooks. */
const everyServer = new Set<{ killNow(): void }>();
process.once('exit', () => {
  for (const s of everyServer) s.killNow();
});

/**
 * A shell that runs `command` once this process is gone, however it went — even by SIGKILL, when
 * no exit handler runs: it waits on a pipe from this process, which the kernel closes then.
 * `cancel()` ends it without running the command.
 *
 * @example
 * const guard = watchdog(`kill -9 ${child.pid}`); …; guard.cancel();
 */
export function watchdog(command: string): { cancel(): void } {
  const guard = spawn('sh', ['-c', `read _ignored; ${command}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the shell nor its pipe may keep this process alive.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { cancel: () => guard.kill('SIGKILL') };
}

function workDir(kind: string): string {
  return mkdtempSync(join(tmpdir(), `sluice-private-${kind}-`));
}

/** A server that is one child process we start and stop (NATS, Redis). */
class ChildServer implements PrivateServer {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly command: string;
  private readonly args: readonly string[];
  private readonly dir: string;
  private readonly gracefulStop: (server: ChildServer) => Promise<void>;
  private destroyed = false;
  private output = '';

  constructor(name: string, url: string, port: number, dir: string, command: string, args: readonly string[], gracefulStop: (server: ChildServer) => Promise<void>) {
    this.name = name;
    this.url = url;
    this.port = port;
    this.dir = dir;
    this.command = command;
    this.args = args;
    this.gracefulStop = gracefulStop;
    everyServer.add(this);
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child !== null) return;
    const child = spawn(this.command, this.args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    const guard = watchdog(`kill -9 ${child.pid}; rm -rf '${this.dir}'`);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        guard.cancel();
        if (this.child === child) this.child = null;
        resolve();
      }),
    );
    try {
      await waitForPort(this.port, 30_000, `${this.name} on port ${this.port}`);
    } catch (error) {
      throw new Error(`${(error as Error).message}; its output:\n${this.output}`);
    }
  }

  /** Sends SIGTERM (or the server's own shutdown command) and waits until the process has exited. */
  async stop(): Promise<void> {
    if (this.child === null) return;
    const exited = this.exited;
    await this.gracefulStop(this);
    await exited;
  }

  signal(name: NodeJS.Signals): void {
    this.child?.kill(name);
  }

  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const exited = this.exited;
    this.killNow();
    await exited;
    everyServer.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A private JetStream server: `nats-server -p PORT -js -sd DIR`. Streams are kept on disk, so a
 * stop/start keeps them and their consumers.
 */
export async function startPrivateNats(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = workDir('nats');
  const server = new ChildServer('NATS', `nats://127.0.0.1:${port}`, port, dir, NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js')], async (s) =>
    s.signal('SIGTERM'),
  );
  await server.start();
  return server;
}

/**
 * A private Redis: `redis-server --port PORT --save '' --appendonly no`. It is stopped with
 * `SHUTDOWN SAVE`, which writes its data to DIR/dump.rdb even without save points, and a start
 * loads it back: the test stops the server, not its memory.
 */
export async function startPrivateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = workDir('redis');
  const server = new ChildServer(
    'Redis',
    `redis://127.0.0.1:${port}`,
    port,
    dir,
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb'],
    async (s) => {
      await new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: s.port });
        socket.once('connect', () => socket.end('SHUTDOWN SAVE\r\n'));
        socket.once('close', () => resolve());
        socket.once('error', () => {
          s.signal('SIGTERM');
          resolve();
        });
      });
    },
  );
  await server.start();
  return server;
}

/** A private PostgreSQL cluster (initdb, pg_ctl) run as the postgres OS user, its socket in its own folder. */
class PostgresServer implements PrivateServer {
  readonly name = 'PostgreSQL';
  readonly url: string;
  readonly port: number;
  private readonly bin: string;
  private readonly dir: string;
  private readonly data: string;
  private up = false;
  private destroyed = false;
  private readonly guard: { cancel(): void };

  constructor(bin: string, dir: string, port: number) {
    this.bin = bin;
    this.dir = dir;
    this.data = join(dir, 'data');
    this.port = port;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    everyServer.add(this);
    this.guard = watchdog(`runuser -u postgres -- ${join(bin, 'pg_ctl')} -D '${this.data}' -m immediate stop; rm -rf '${dir}'`);
  }

  get running(): boolean {
    return this.up;
  }

  private pgCtl(args: readonly string[]): { status: number | null; output: string } {
    const result = spawnSync('runuser', ['-u', 'postgres', '--', join(this.bin, 'pg_ctl'), '-D', this.data, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  }

  init(): void {
    // The folder must belong to postgres: initdb refuses to run as root, and the server to use a folder it does not own.
    chmodSync(this.dir, 0o700);
    chownSync(this.dir, uid('postgres'), gid('postgres'));
    const init = spawnSync('runuser', ['-u', 'postgres', '--', join(this.bin, 'initdb'), '-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stdout}${init.stderr}`);
  }

  async start(): Promise<void> {
    if (this.up) return;
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
    const started = this.pgCtl(['-o', options, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
    if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.output}\n${this.log()}`);
    this.up = true;
    await waitForPort(this.port, 30_000, `PostgreSQL on port ${this.port}`);
  }

  async stop(): Promise<void> {
    if (!this.up) return;
    // Fast shutdown: open transactions are rolled back and clients disconnected, as in a restart.
    const stopped = this.pgCtl(['-m', 'fast', '-w', '-t', '60', 'stop']);
    if (stopped.status !== 0) throw new Error(`pg_ctl stop failed: ${stopped.output}`);
    this.up = false;
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  killNow(): void {
    if (existsSync(join(this.data, 'postmaster.pid'))) this.pgCtl(['-m', 'immediate', '-w', 'stop']);
    this.up = false;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.guard.cancel();
    this.killNow();
    everyServer.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function uid(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

function gid(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}

/** A private PostgreSQL on a random port; connect as postgres to database postgres (trust auth). */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin');
  const port = await freePort();
  const dir = workDir('postgres');
  mkdirSync(dir, { recursive: true });
  const server = new PostgresServer(bin, dir, port);
  server.init();
  await server.start();
  return server;
}
