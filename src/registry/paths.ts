import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the registry lives: --home, else CONNECTOR_HOME, else the platform's
 * user data directory (XDG_DATA_HOME on Linux, Application Support on macOS,
 * %LOCALAPPDATA% on Windows).
 */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (flag) return flag;
  if (env.CONNECTOR_HOME) return env.CONNECTOR_HOME;
  const home = env.HOME || homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'connector');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'connector');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'connector');
}
