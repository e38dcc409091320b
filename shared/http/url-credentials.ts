/**
 * `https://user:password@host/...` as people write service URLs: the userinfo becomes a basic
 * `Authorization` header and leaves the URL, so the URL can be shown and the credentials cannot.
 */
export function takeUrlCredentials(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const header = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  return header;
}
