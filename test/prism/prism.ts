import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const PRISM = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'prism');

/**
 * `prism mock <spec>` on 127.0.0.1 and a random free port. Resolves once Prism
 * prints its "Prism is listening" line; `stop()` kills exactly that PID.
 */
export async function startPrism(spec: string): Promise<{ url: string; stop(): Promise<void>; log(): string }> {
  const port = await freePort();
  const child: ChildProcess = spawn(PRISM, ['mock', spec, '-h', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prism did not start within 30 s for ${spec}:\n${log}`)), 30_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (/Prism is listening/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism exited (${code}) for ${spec}:\n${log}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
