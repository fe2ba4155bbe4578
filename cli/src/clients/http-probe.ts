/** Answers whether a URL responds 2xx within the timeout; any error is "not yet". */
export type HttpProbe = (url: string, signal?: AbortSignal) => Promise<boolean>;

/** The `http` client (`ctx.client('http')`): host-side HTTP probes. */
export interface HttpProbeClient {
  probe: HttpProbe;
}

/** The real client: fetch, 2 s per probe. */
export function createHttpProbeClient(): HttpProbeClient {
  return { probe: httpProbe };
}

/** The host-side probe for shell-less images (their healthcheck cannot run inside them). */
const httpProbe: HttpProbe = async (url, signal) => {
  const timeout = AbortSignal.timeout(2_000);
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
};
