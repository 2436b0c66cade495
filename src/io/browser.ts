import { load } from '../util/load.js';

/** Opening a URL in the user's browser, as a seam (tests drive sign-in pages themselves). */
export interface Browser {
  /** A graphical display (or $BROWSER) is there to open a page on. */
  available(): boolean;
  /** Open `url`; resolves whether or not a browser came up (the URL is always printed too). */
  open(url: string): Promise<void>;
}

export function systemBrowser(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Browser {
  return {
    available: () => platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || env.BROWSER),
    async open(url) {
      const { default: open } = load<typeof import('open')>('open');
      await open(url);
    },
  };
}
