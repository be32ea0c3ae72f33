/** Parses and normalises an http(s) URL (no trailing slash); records a problem and returns undefined when it is not one. */
export function httpUrl(name: string, value: string, problems: string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    problems.push(`${name}=${value} is not a URL: write it like http://127.0.0.1:8080`);
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    problems.push(`${name}=${value} must start with http:// or https://`);
    return undefined;
  }
  if (u.search || u.hash) {
    problems.push(`${name}=${value} must not carry a query or fragment`);
    return undefined;
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}
