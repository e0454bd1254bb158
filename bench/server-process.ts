import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The compiled CLI, as `npm start` runs it: dist/bench/ → dist/src/cli/main.js. */
const cliPath = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const execFileAsync = promisify(execFile);

export interface Credential {
  readonly key: string;
  readonly secret: string;
}

/** Makes an all-scope credential with the real CLI, on the data directory the server will use. */
export async function addCredential(dataDir: string): Promise<Credential> {
  const { stdout } = await execFileAsync(process.execPath, [cliPath, 'credentials', 'add', '--name', 'bench', '--scope', 'all', '--json'], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    timeout: 30_000,
  });
  const parsed = JSON.parse(stdout) as Partial<Credential>;
  if (typeof parsed.key !== 'string' || typeof parsed.secret !== 'string') throw new Error(`credentials add printed no key/secret: ${stdout}`);
  return { key: parsed.key, secret: parsed.secret };
}

/** A free loopback port: bind to port 0, read what the kernel chose, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();

/** Kills every server still running; called on normal exit, on errors and on signals, so none is left behind. */
export function killAllServers(): void {
  for (const child of running) {
    // Children spawned `detached` lead their own process group (a wrapper such as /usr/bin/time and its child).
    if (detachedGroups.has(child)) {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    } else child.kill('SIGKILL');
  }
  running.clear();
}

const detachedGroups = new WeakSet<ChildProcess>();

/** Makes `killAllServers` kill this child (its whole process group when it was spawned `detached`) if still running. */
export function trackChild(child: ChildProcess, options: { group?: boolean } = {}): void {
  running.add(child);
  if (options.group) detachedGroups.add(child);
  child.once('exit', () => running.delete(child));
}

/** Kernel clock ticks per second, for /proc/<pid>/stat times (USER_HZ: 100 on every Linux we run on). */
let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null when unavailable. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return null;
  }
}

/** Peak and current resident memory of a process (bytes), from /proc/<pid>/status; null when unavailable. */
export function memoryOf(pid: number): { peakBytes: number; currentBytes: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { peakBytes: kb('VmHWM'), currentBytes: kb('VmRSS') };
  } catch {
    return null; // not Linux, or already gone
  }
}

/** Resets a process's peak RSS to its current RSS (Linux ≥ 4.0: `echo 5 > /proc/<pid>/clear_refs`); false when not possible. */
export function resetPeakOf(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface ServerProcess {
  readonly baseUrl: string;
  readonly pid: number;
  /** Peak and current resident memory of the server process (bytes), from /proc/<pid>/status. */
  memory(): { peakBytes: number; currentBytes: number } | null;
  /** CPU seconds (user + system) the server has used so far; null when unavailable. */
  cpuSeconds(): number | null;
  /** Resets the peak RSS to the current RSS, so `memory().peakBytes` covers what follows; false when not possible. */
  resetPeak(): boolean;
  /** Adds what the server was doing to an error from a request: whether it is still running, its last output. */
  explain(error: unknown): Error;
  /** Graceful stop (SIGTERM: drain, checkpoint, close), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `cadet serve` on loopback over `dataDir` and resolves once `/xapi/about` answers (at most 30 s).
 * `env` adds settings (ADMIN_EMAIL, LOGIN_RATE_LIMIT…) to the ones every bench server gets.
 */
export async function startServer(dataDir: string, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const contentPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), CONTENT_PORT: String(contentPort), CONTENT_URL: `http://127.0.0.1:${contentPort}`, PUBLIC_URL: baseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  // Keep the tail of the server's output for error messages; at LOG_LEVEL=warn it should be silent.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let hasExited = false;
  let exitStatus = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      hasExited = true;
      exitStatus = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }),
  );

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (hasExited) throw new Error(`the server ${exitStatus} before answering:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer within 30 s:\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}/xapi/about`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const pid = child.pid as number;
  return {
    baseUrl,
    pid,
    memory: () => memoryOf(pid),
    cpuSeconds: () => cpuSecondsOf(pid),
    resetPeak: () => resetPeakOf(pid),
    explain(error) {
      const message = error instanceof Error ? error.message : String(error);
      const state = hasExited ? exitStatus : 'still running';
      return new Error(`${message}\n  server (pid ${pid}) ${state}; its last output: ${output.trim() || '(none)'}`, { cause: error });
    },
    async stop(timeoutMs = 10_000) {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The empty-route server (bench/empty-server.ts), compiled next to this file. */
const emptyServerPath = fileURLToPath(new URL('./empty-server.js', import.meta.url));

/**
 * Starts the empty-route ceiling server on loopback (a bare Fastify `POST /xapi/statements` answering `[]`) and
 * resolves once it prints "ready" (at most 30 s). Same `ServerProcess` interface as the real server.
 */
export async function startEmptyServer(): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [emptyServerPath], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  let hasExited = false;
  let exitStatus = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      hasExited = true;
      exitStatus = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the empty-route server did not start within 30 s:\n${output}`));
    }, 30_000);
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (output.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the empty-route server ${exitStatus} before starting:\n${output}`));
    });
  });
  const pid = child.pid as number;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid,
    memory: () => memoryOf(pid),
    cpuSeconds: () => cpuSecondsOf(pid),
    resetPeak: () => resetPeakOf(pid),
    explain(error) {
      const message = error instanceof Error ? error.message : String(error);
      return new Error(`${message}\n  empty-route server (pid ${pid}) ${hasExited ? exitStatus : 'still running'}; its last output: ${output.trim() || '(none)'}`, { cause: error });
    },
    async stop(timeoutMs = 10_000) {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The SQLite file a server over `dataDir` uses (see store/sqlite/index.ts). */
export const databaseFile = (dataDir: string) => path.join(dataDir, 'cadet.sqlite');
