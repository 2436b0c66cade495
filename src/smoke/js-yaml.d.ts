// The part of js-yaml 4 (no bundled types) that yaml-fast.ts uses.
declare module 'js-yaml' {
  export class Type {
    constructor(tag: string, options: { kind: 'scalar'; resolve(data: string): boolean; construct(data: string): unknown });
  }
  export class Schema {
    constructor(definition: { implicit?: Type[]; explicit?: Type[] });
  }
  export interface LoaderState {
    input: string;
    position: number;
    kind: string | null;
  }
  export function load(
    text: string,
    options?: { schema?: Schema; filename?: string; json?: boolean; listener?(event: 'open' | 'close', state: LoaderState): void },
  ): unknown;
}
