import { realpathSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CancelError, CliError, UsageError } from '../errors.js';
import { isInside, readRegularFile } from '../fs/read.js';
import type { HttpClient } from '../http/client.js';
import { displayUrl, fetchText, MAX_FILE_BYTES, parseText } from './load.js';
import { checkedLookup, defaultRefNet, isOwnHost, RefusedAddressError, type RefNet } from './refs-net.js';

/** All external $refs of one definition together: enough for real specs, bounded for hostile ones. */
export const MAX_BUNDLED_BYTES = 64 * 1024 * 1024;

export interface RefOptions {
  /** The definition's own name in messages. */
  file: string;
  /** Base of relative $refs: the spec's path or URL; undefined: no external $ref at all (a connector document). */
  refBase?: string;
  http?: HttpClient;
  /** `import --allow-remote-refs`: http(s) $refs may be fetched (still never from a private address). */
  allowRemoteRefs?: boolean;
  /** Tests only: the resolver and address rule for remote $refs. */
  refNet?: RefNet;
  /** Told of each redirect to another origin while a remote $ref is fetched. */
  onRedirect?: (to: URL) => void;
}

/**
 * json-schema-ref-parser resolvers that decide what a spec's external $refs may read, in place
 * of the parser's own (which read any path and fetch any URL):
 *  - files: only from the spec's own folder, by real path (a symlink out of it is refused),
 *    as regular files with a size limit (src/fs/read.ts);
 *  - http(s): only with allowRemoteRefs, through the context's HTTP client, on a connection
 *    whose address was checked by refs-net.ts (redirect hops included);
 *  - a definition fetched from a URL reads no local file; a connector document nothing.
 * `bundled` lists what was read (files relative to the folder, URLs as shown), for import to print.
 * `error` is the first refusal or read failure: the parser wraps what read() throws in its own
 * ResolverError, and the caller reports this one instead (a Ctrl-C must stay exit 3, a refusal its words).
 */
export function refResolvers(def: Record<string, unknown>, opts: RefOptions) {
  const state = { bundled: [] as string[], error: undefined as unknown, bytes: 0 };
  const base = opts.refBase;
  const remoteBase = /^https?:\/\//i.test(base ?? '');
  const root = base !== undefined && !remoteBase ? realRoot(base) : undefined;
  const lexicalRoot = base !== undefined && !remoteBase ? dirname(resolve(base)) : undefined;
  const net = opts.refNet ?? defaultRefNet;
  const baseHost = remoteBase ? new URL(base!).hostname.replace(/^\[|\]$/g, '') : undefined;
  const lookup = checkedLookup(net, baseHost && isOwnHost(baseHost, net) ? baseHost : undefined);

  const fail = (e: unknown): never => {
    state.error ??= e;
    throw e;
  };
  const count = (n: number) => {
    state.bytes += n;
    if (state.bytes > MAX_BUNDLED_BYTES) {
      fail(new UsageError(`the external $refs add up to more than ${MAX_BUNDLED_BYTES / 1024 / 1024} MB; refused`));
    }
  };
  const at = (url: string) => {
    const p = refPointer(def, base, url);
    return p ? ` at ${p}` : '';
  };

  const confinedFile = {
    order: 1,
    canRead: (file: { url: string }) => !/^https?:\/\//i.test(file.url),
    async read(file: { url: string }) {
      const path = toPath(file.url);
      if (path === undefined) return fail(new UsageError(`external $ref '${file.url}'${at(file.url)}: only files and http(s) URLs can be referenced`));
      // Outside the folder by its name alone: refused before the path is touched (on Windows a
      // \\host\share path would connect, and send an NTLM hash, during realpath).
      if (!isInside(resolve(path), lexicalRoot!) && !isInside(resolve(path), root!)) {
        fail(
          new UsageError(
            `external $ref '${path}'${at(file.url)} is outside the spec's folder ${root}; refused`,
            'A spec may $ref files in its own folder only (symbolic links out of it included); bundle the others into it.',
          ),
        );
      }
      let real: string;
      try {
        real = realpathSync(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return fail(
          new CliError(`cannot resolve external $ref '${path}'${at(file.url)}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`),
        );
      }
      if (!isInside(real, root!)) {
        fail(
          new UsageError(
            `external $ref '${path}'${at(file.url)} is outside the spec's folder ${root}; refused`,
            'A spec may $ref files in its own folder only (symbolic links out of it included); bundle the others into it.',
          ),
        );
      }
      // A spec saved into $HOME must not reach ~/.ssh/id_rsa or ~/.aws/credentials: hidden files
      // and folders, and anything but JSON or YAML, are never part of a spec (review finding).
      const inside = relative(root!, real).split(/[\\/]/);
      if (inside.some((c) => c.startsWith('.')) || !/\.(json|ya?ml)$/i.test(real)) {
        fail(
          new UsageError(
            `external $ref '${path}'${at(file.url)} is ${inside.some((c) => c.startsWith('.')) ? 'a hidden file or in a hidden folder' : 'not a .json, .yaml or .yml file'}; refused`,
            'A spec may $ref JSON or YAML files of its own folder only.',
          ),
        );
      }
      let buf: Buffer;
      try {
        buf = await readRegularFile(real, { limit: MAX_FILE_BYTES, within: root, shown: relative(root!, real) || real });
      } catch (e) {
        return fail(e);
      }
      count(buf.length);
      state.bundled.push(relative(root!, path) || path);
      return buf;
    },
  };

  const http = opts.http;
  const viaClient = {
    order: 1,
    canRead: /^https?:\/\//i,
    async read(file: { url: string }) {
      const shown = displayUrl(file.url);
      if (!opts.allowRemoteRefs) {
        fail(
          new UsageError(
            `external $ref '${shown}'${at(file.url)} is a remote URL; refused`,
            'Pass --allow-remote-refs to fetch it (never from a loopback or private address other than the host the spec came from), or download it next to the spec.',
          ),
        );
      }
      if (!http) return fail(new CliError(`external $ref '${shown}' is not followed here`));
      let text: string;
      try {
        text = await fetchText(file.url, shown, http, MAX_FILE_BYTES, undefined, { lookup, onRedirect: opts.onRedirect });
      } catch (e) {
        // The HTTP client's words ("HTTP 404 Not Found", "cannot connect ..."), with the exit code they carry.
        if (e instanceof CliError && !(e instanceof CancelError) && !(e instanceof RefusedAddressError)) {
          return fail(new CliError(`cannot resolve external $ref ${e.message}`, { exitCode: e.exitCode, hint: e.hint, cause: e }));
        }
        if (e instanceof RefusedAddressError) return fail(new RefusedAddressError(`external $ref '${shown}'${at(file.url)}: ${e.message}`));
        return fail(e);
      }
      count(Buffer.byteLength(text));
      state.bundled.push(shown);
      return text;
    },
  };

  // Every file a $ref reads is parsed by ours (parseText: the alias limit, the depth limit, one-line
  // errors), never by the ref parser's own js-yaml: a 393-byte alias bomb in a $ref'd YAML file
  // hung import beyond SIGTERM (review finding).
  const ownParser = {
    order: 1,
    canParse: true,
    async parse(file: { url: string; data: Buffer | string }) {
      const text = typeof file.data === 'string' ? file.data : file.data.toString('utf8');
      const ext = /\.([a-z]+)$/i.exec(file.url.split(/[?#]/)[0])?.[1]?.toLowerCase();
      const path = /^https?:\/\//i.test(file.url) ? undefined : toPath(file.url);
      const shown = path === undefined ? displayUrl(file.url) : root ? relative(root, path) || path : path;
      try {
        return await parseText(text, shown, ext === 'json' ? 'json' : ext === 'yaml' || ext === 'yml' ? 'yaml' : 'auto');
      } catch (e) {
        return fail(e);
      }
    },
  };
  // A definition fetched from a URL may not pull local files in; a connector document is bundled already.
  const options = {
    parse: { json: false, yaml: false, text: false, binary: false, connector: ownParser },
    resolve: { http: false, file: false, viaClient, ...(remoteBase ? {} : { confinedFile }), ...(base === undefined ? { external: false } : {}) },
  };
  return { options, state };
}

/** The spec's folder, real path. */
function realRoot(base: string): string {
  const dir = dirname(resolve(base));
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** A resolver's url (an absolute path, percent-encoded, or a file: URL) as a path; undefined for another scheme. */
function toPath(url: string): string | undefined {
  if (/^file:/i.test(url)) {
    try {
      return fileURLToPath(url.split('#')[0]);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(url)) return undefined;
  try {
    return decodeURIComponent(url.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return url;
  }
}

/** JSON pointer of the $ref (in the root definition) that resolves to `url`, when there is one. */
function refPointer(def: Record<string, unknown>, base: string | undefined, url: string): string | undefined {
  const target = stripHash(url);
  const same = (ref: string) => {
    const r = stripHash(ref);
    if (!r) return false;
    try {
      if (/^[a-z][a-z0-9+.-]+:/i.test(r) || !base || /^https?:/i.test(base)) return new URL(r, base).href === new URL(target, base).href;
      return resolve(dirname(resolve(base)), r) === (toPath(target) ?? target);
    } catch {
      return r === target;
    }
  };
  const stack: [unknown, string][] = [[def, '#']];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (typeof o.$ref === 'string' && same(o.$ref)) return p;
    const entries = Object.entries(o);
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], `${p}/${entries[i][0].replace(/~/g, '~0').replace(/\//g, '~1')}`]);
  }
  return undefined;
}

const stripHash = (s: string) => s.split('#')[0];
