/**
 * A model package URL as the worker wants it: absolute, http(s), ending in '/', so
 * `${url}manifest.json` is the manifest. People paste the folder, the folder without its
 * slash, or the manifest itself; all three mean the same package.
 */
export function normaliseModelUrl(raw: string, pageUrl: string): string {
  const text = raw.trim();
  if (text === '') throw new Error('enter the URL of a model package folder (the one holding manifest.json)');
  // Text with spaces, or a bare word, is no address: resolving it against the page would turn it
  // into a folder of this site ("not a url at all" → /not%20a%20url%20at%20all/) and fail later.
  if (/\s/.test(text) || !/^[a-z][a-z0-9+.-]*:|^[./]|\//i.test(text)) {
    throw new Error(
      `"${text}" is not a URL: enter an address such as https://example.org/package/ or a path such as /models/siglip/`,
    );
  }
  let url: URL;
  try {
    url = new URL(text, pageUrl);
  } catch {
    throw new Error(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`"${text}" is a ${url.protocol} URL; model packages are loaded over http or https`);
  }
  url.hash = '';
  let path = url.pathname.replace(/\/manifest\.json$/, '/');
  if (!path.endsWith('/')) path += '/';
  url.pathname = path;
  return url.toString();
}

/** The URL as shown and shared: relative to the page when it is on the same origin. */
export function displayModelUrl(url: string, pageUrl: string): string {
  const u = new URL(url);
  const page = new URL(pageUrl);
  return u.origin === page.origin ? `${u.pathname}${u.search}` : url;
}

/** The embedded default model's folder, relative to the site's base URL. */
export const DEFAULT_MODEL_PATH = 'models/default/';
