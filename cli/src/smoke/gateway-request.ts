import { request } from 'node:https';

/** Hosts whose certificate smoke accepts without a trusted chain: WSO2's stock self-signed one. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * TLS options for a gateway URL. WSO2 ships a self-signed certificate; smoke trusts it only when
 * the gateway is on this machine (the configured local host). Any other host is verified normally.
 */
export function gatewayTlsOptions(url: string): { rejectUnauthorized: boolean } {
  return { rejectUnauthorized: !loopbackHosts.has(new URL(url).hostname) };
}

/** A GET over HTTPS with the gateway's TLS rule; the body is read whole (small health answers). */
export function httpsGet(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'GET', headers, signal, ...gatewayTlsOptions(url) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
