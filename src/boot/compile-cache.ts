import type Module from 'node:module';
import vm from 'node:vm';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

/**
 * A V8 code cache for the CLI's own bundle (dist/cli/*.cjs), so a run does not compile the
 * same JavaScript again each time: about 13 ms of a 110 ms `connector run` on the bench VM.
 *
 * Node 22.1+ has this built in (module.enableCompileCache), and it is used there. Node 20 has
 * not, so this is a require hook limited to the files in `bundleDir`: each is compiled through
 * vm.Script with the cached data from the last run; files compiled without a usable cache get
 * theirs written at exit, which then also holds the functions that ran lazily. (The
 * v8-compile-cache package does this for every module and measured 20 ms SLOWER here.)
 *
 * A cache file is keyed by the file's name, size, mtime and ctime plus the Node version, so a
 * rebuild or a reinstall never meets a stale cache (V8's own check only compares the source
 * length). The cache lives in the user's cache folder (mode 700), never in a shared temporary
 * folder: code caches are executable. It holds compiled code only, no data of any run. Any failure just means no cache.
 * CONNECTOR_COMPILE_CACHE=0 (or NODE_DISABLE_COMPILE_CACHE) turns it off.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const homedir = () => env.HOME || process.getBuiltinModule('node:os').homedir(); // node:os only when HOME is unset
  const base =
    env.CONNECTOR_CACHE_DIR ??
    (platform === 'win32'
      ? join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'connector', 'Cache')
      : platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches', 'connector')
        : join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'connector'));
  return join(base, `v8-${process.version}-${process.arch}`);
}

type CompileFn = (this: Module, content: string, filename: string) => unknown;

/**
 * Built-ins a bundle file requires when it loads but a run does not use: commander requires
 * child_process for executable subcommands, which connector has none of (2.5-3 ms a run).
 * The bundle gets a stand-in that loads the real module on first use.
 */
const LAZY_BUILTINS = new Set(['node:child_process', 'child_process']);

export function lazyBuiltin(id: string): object {
  let real: Record<PropertyKey, unknown> | undefined;
  const load = () => (real ??= process.getBuiltinModule(id) as Record<PropertyKey, unknown>);
  return new Proxy(
    {},
    {
      get: (_, key) => load()[key],
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

/**
 * `ModuleClass` is CommonJS's Module (`module.constructor` in the launcher): taking it from there
 * instead of require('node:module') spares loading that module and the ESM loader parts it pulls in.
 */
export function enableCompileCache(bundleDir: string, ModuleClass: typeof Module, env: NodeJS.ProcessEnv = process.env): void {
  const Module = ModuleClass;
  if (env.CONNECTOR_COMPILE_CACHE === '0' || env.NODE_DISABLE_COMPILE_CACHE) return;
  let dir: string;
  try {
    dir = compileCacheDir(env);
  } catch {
    return; // no home folder to be found: no cache
  }
  const builtin = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof builtin === 'function') {
    try {
      builtin(dir);
    } catch {
      // no cache
    }
    return;
  }
  const dynamicImport = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!dynamicImport) return; // Node < 20.12: import() inside vm.Script would fail

  const prefix = bundleDir.endsWith(sep) ? bundleDir : bundleDir + sep;
  const pending: Array<{ script: vm.Script; file: string; name: string }> = [];
  const proto = Module.prototype as unknown as { _compile: CompileFn };
  const original = proto._compile;
  let trusted: boolean | undefined;
  /** Read only from a folder of ours that nobody else can write to. */
  const trustedDir = () => {
    if (trusted === undefined) {
      try {
        const st = statSync(dir);
        // (Windows reports every folder as writable by all: there, the per-user LOCALAPPDATA is what guards it.)
        trusted = process.platform === 'win32' || ((typeof process.getuid !== 'function' || st.uid === process.getuid()) && (st.mode & 0o022) === 0);
      } catch {
        trusted = false;
      }
    }
    return trusted;
  };
  const M = Module as unknown as {
    _resolveFilename(request: string, parent: Module, isMain: boolean, options?: unknown): string;
    _cache: unknown;
    _extensions: unknown;
  };

  proto._compile = function (this: Module, content: string, filename: string) {
    if (!filename.startsWith(prefix)) return original.call(this, content, filename);
    let file: string;
    let cachedData: Buffer | undefined;
    try {
      const st = statSync(filename);
      // ctime too: npm unpacks every release with the same fixed mtime, but ctime is the unpack time
      file = join(dir, `${basename(filename)}-${st.size}-${Math.trunc(st.mtimeMs)}-${Math.trunc(st.ctimeMs)}.bin`);
    } catch {
      return original.call(this, content, filename);
    }
    try {
      cachedData = trustedDir() ? readFileSync(file) : undefined;
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: dynamicImport as unknown as vm.ScriptOptions['importModuleDynamically'],
    });
    if (!cachedData || script.cachedDataRejected) pending.push({ script, file, name: basename(filename) }); // its cache is written at exit
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = Object.assign((id: string) => (LAZY_BUILTINS.has(id) ? lazyBuiltin(id) : this.require(id)), {
      resolve: (request: string, options?: unknown) => M._resolveFilename(request, this, false, options),
      main: process.mainModule,
      cache: M._cache,
      extensions: M._extensions,
    });
    return fn.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };

  process.once('exit', () => {
    if (!pending.length) return;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      trusted = undefined;
      if (!trustedDir()) return; // not ours, or writable by others: do not write
      const existing = readdirSync(dir);
      for (const { script, file, name } of pending) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, file);
        // the caches of earlier builds of this file
        for (const old of existing) if (old.startsWith(`${name}-`) && old !== basename(file)) rmSync(join(dir, old), { force: true });
      }
    } catch {
      // a cache that cannot be written is no cache
    }
  });
}
