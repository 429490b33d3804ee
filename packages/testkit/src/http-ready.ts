/** True when GET `<url>` answers 2xx within `timeoutMs` (Prometheus' and Alertmanager's `/-/ready`). */
export async function httpReady(url: string, timeoutMs = 2_000): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return res.ok;
}
