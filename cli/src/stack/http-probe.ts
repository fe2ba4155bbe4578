/** Answers whether a URL responds 2xx within the timeout; any error is "not yet". */
export type HttpProbe = (url: string, signal?: AbortSignal) => Promise<boolean>;

/** The host-side probe for shell-less images (their healthcheck cannot run inside them). */
export const httpProbe: HttpProbe = async (url, signal) => {
  const timeout = AbortSignal.timeout(2_000);
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
};
