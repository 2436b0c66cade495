/**
 * The small expression language of policy template values:
 * `@connectionParameters('name'[, 'default'])`, `@headers('X')`,
 * `@queryParameters('x')`, embedded anywhere in a literal string.
 */
export interface ExprScope {
  connectionParameter(name: string): string | undefined;
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  body(): unknown;
  /** Called when a connection parameter is read (the caller marks secrets for redaction). */
  onSecret?(name: string): void;
}

const EXPR = /@(connectionParameters|headers|queryParameters)\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)/gi;

export function evaluate(template: string, scope: ExprScope): string {
  return template.replace(EXPR, (_m, fn: string, name: string, dflt: string | undefined) => {
    switch (fn.toLowerCase()) {
      case 'connectionparameters': {
        scope.onSecret?.(name);
        return scope.connectionParameter(name) ?? dflt ?? '';
      }
      case 'headers':
        return scope.header(name) ?? dflt ?? '';
      default:
        return scope.query(name) ?? dflt ?? '';
    }
  });
}
