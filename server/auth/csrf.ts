// CSRF defence for cookie-authenticated mutations: a state-changing request must come from this
// site. Browsers send Origin on every cross-site POST and Sec-Fetch-Site on modern engines; either
// one naming another site is refused. Non-browser clients (no Origin, no Sec-Fetch-Site) carry no
// ambient cookies and are allowed. SameSite=Lax on the cookie is a second layer.
export function isSameOriginRequest(headers: Headers, requestUrl: string): boolean {
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  const origin = headers.get('origin');
  if (!origin) return true;
  if (origin === 'null') return false;
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? new URL(requestUrl).host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
