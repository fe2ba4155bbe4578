// oidc-provider ships no types; this is the small part of its API the test issuer uses.
declare module 'oidc-provider' {
  import type { Server } from 'node:http';

  /** The request context oidc-provider hands to configuration callbacks. */
  export interface KoaContextWithOIDC {
    oidc: { params?: Record<string, unknown>; client?: { clientId: string } };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    listen(port: number, host: string): Server;
  }
}
