import { describe, it, expect } from 'vitest';
import { resolveHome } from '../../src/registry/paths.js';
import { validateName } from '../../src/registry/registry.js';

describe('resolveHome', () => {
  it('prefers --home, then CONNECTOR_HOME, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(resolveHome('/flag', { CONNECTOR_HOME: '/env' }, 'linux')).toBe('/flag');
    expect(resolveHome(undefined, { CONNECTOR_HOME: '/env', XDG_DATA_HOME: '/xdg' }, 'linux')).toBe('/env');
    expect(resolveHome(undefined, { XDG_DATA_HOME: '/xdg', HOME: '/h' }, 'linux')).toBe('/xdg/connector');
    expect(resolveHome(undefined, { HOME: '/h' }, 'linux')).toBe('/h/.local/share/connector');
    expect(resolveHome(undefined, { HOME: '/h' }, 'darwin')).toBe('/h/Library/Application Support/connector');
  });
});

describe('validateName', () => {
  it.each(['petstore', 'my-api.v2', 'a_b', '0x'])('accepts %s', (n) => {
    expect(validateName(n)).toBe(n);
  });
  it.each(['../etc', 'a/b', 'a\\b', 'Upper', '', '-lead', 'a..b', 'x'.repeat(65)])('rejects %j with a usage error', (n) => {
    expect(() => validateName(n)).toThrow(/invalid connector name/);
    try {
      validateName(n);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
});
