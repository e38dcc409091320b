/**
 * URLs as they may be recorded (a manifest, a label, an output, a log line): without userinfo.
 * `https://deploy:S3CRET@gitlab.example.com/o/r.git` -> `https://gitlab.example.com/o/r.git`,
 * for any scheme and any host; scp-like git remotes (`user@host:path`) and references without a
 * scheme (`user:password@host/path`) lose it too.
 * The one place that decides it: every recorded URL goes through here.
 */
const WITH_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s/?#]*@/g;
const SCP_LIKE = /^[^\s@/:]+(?::[^\s@/]*)?@((?!sha(?:256|384|512):)[^\s/:]+:(?!\/\/).*)$/s; // not name@sha256:<digest>
/** `user:password@host[:port]/path`, no scheme (an image or registry reference written with credentials). */
const HOST_PATH = /^[^\s@/:]+(?::[^\s@/]*)?@([^\s/@:]+(?::\d+)?\/.*)$/s;

/** One URL (or git remote) without credentials. */
export function withoutCredentials(url: string): string {
  const bare = url.includes('://') ? null : (HOST_PATH.exec(url) ?? SCP_LIKE.exec(url));
  if (bare) return bare[1]!;
  return withoutCredentialsIn(url);
}

/** Every `scheme://user:password@` in free text (a log line, an error message) without its userinfo. */
export function withoutCredentialsIn(text: string): string {
  return text.replace(WITH_USERINFO, '$1');
}
