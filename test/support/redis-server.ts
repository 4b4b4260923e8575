/**
 * Starts and stops real `redis-server` processes for the tests: on a free loopback port, no persistence
 * unless asked, killed when stopped. Never touches a server the tests did not start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerHandle {
  url: string;
  port: number;
  /** The running redis-server (replaced by `restart()`). */
  process: ChildProcess;
  dir: string;
  /** Kills the server for good and removes its directory (unless `dir` was given). Idempotent. */
  stop(): Promise<void>;
  /** `kill -9`: the server dies at once, without saving; its directory (AOF/RDB files) stays for `restart()`. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port, directory and arguments (after `kill()`), and waits for PING. */
  restart(): Promise<void>;
  /**
   * `SIGSTOP`: the server freezes (connections stay open, nothing is answered) until `resume()`. Resolves
   * once the process is actually stopped (Linux: `/proc/<pid>/stat` says `T`).
   */
  pause(): Promise<void>;
  /** `SIGCONT` after `pause()`. */
  resume(): void;
}

const INSTALL_HINT =
  'redis-server was not found on PATH. The tests start their own Redis servers: install it ' +
  '(Debian/Ubuntu: `apt-get install -y redis-server`, macOS: `brew install redis`) or set REDIS_URL ' +
  'to a Redis the tests may use.';

/** Throws a message saying how to install redis-server when it is missing. */
export function assertRedisServerInstalled(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(INSTALL_HINT);
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before it listened on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = new Socket();
      sock.once('connect', () => {
        sock.write('PING\r\n');
      });
      sock.once('data', (d) => {
        sock.destroy();
        resolve(/^(\+PONG|-NOAUTH)/.test(d.toString())); // a --requirepass server answers NOAUTH: it is up
      });
      sock.once('error', () => {
        sock.destroy();
        resolve(false);
      });
      sock.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts a redis-server on a free port (or `options.port`). Extra `args` are passed as `--name value`
 * pairs, e.g. `['--appendonly', 'yes']`. Persistence is off unless args turn it on.
 */
export async function startRedisServer(options: { port?: number; args?: string[]; dir?: string } = {}): Promise<RedisServerHandle> {
  assertRedisServerInstalled();
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cacheorm-redis-'));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--protected-mode', 'no',
    '--loglevel', 'warning',
    ...(options.args ?? []),
  ];
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitForPort(port, child, 10_000);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}${stderr ? `\n${stderr}` : ''}`);
    }
    return child;
  };
  const killChild = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
  };
  let stopped = false;
  const handle: RedisServerHandle = {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: await launch(),
    dir,
    async stop() {
      stopped = true;
      await killChild(handle.process);
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      await killChild(handle.process);
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop(): start a new server instead');
      await killChild(handle.process);
      handle.process = await launch();
    },
    async pause() {
      const { pid } = handle.process;
      handle.process.kill('SIGSTOP');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        let state: string | undefined;
        try {
          state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
        } catch {
          await new Promise((r) => setTimeout(r, 50)); // no /proc: give the signal a moment
          return;
        }
        if (state === 'T' || state === 't') return;
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new Error(`redis-server (pid ${pid}) did not stop after SIGSTOP`);
    },
    resume() {
      handle.process.kill('SIGCONT');
    },
  };
  return handle;
}
