// Types for examples/web/serve.mjs, so TypeScript tests can import it.
export interface ServeOptions {
  /** Default 8080; 0: any free port. */
  port?: number;
  /** COOP same-origin + COEP require-corp (default true). */
  isolated?: boolean;
  host?: string;
}
/** Serves examples/web/dist (build it first with buildWeb()). */
export function serve(options?: ServeOptions): Promise<{ url: string; close: () => Promise<void> }>;
