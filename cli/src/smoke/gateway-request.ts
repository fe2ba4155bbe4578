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

/** A request over HTTPS with the gateway's TLS rule; the answer is read whole (small JSON bodies). */
export function httpsRequest(
  url: string,
  options: { method?: string; headers: Record<string, string>; body?: string },
  signal: AbortSignal,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers, signal, ...gatewayTlsOptions(url) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** A GET over HTTPS with the gateway's TLS rule. */
export async function httpsGet(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const { status, body } = await httpsRequest(url, { headers }, signal);
  return { status, body };
}
