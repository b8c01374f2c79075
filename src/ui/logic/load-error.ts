/**
 * A model that failed to load, said in words a visitor can act on. The worker's messages name
 * the request ("load-model: …") and pass the browser's terse fetch and JSON errors through
 * ("Failed to fetch", "Unexpected token '<'"); the technical text stays, after the explanation.
 */
export function explainLoadError(message: string, url: string): string {
  const bare = message.replace(/^load-model: /, '');
  const manifest = `${url}manifest.json`;
  if (/failed to fetch|networkerror|load failed/i.test(bare)) {
    return (
      `${manifest} could not be reached: the server is down, the address is wrong, ` +
      `or it does not allow this page to read it (CORS). (${bare})`
    );
  }
  if (/not valid JSON/i.test(bare) && /Unexpected token '?<|<!doctype|<html/i.test(bare)) {
    return (
      `${manifest} is a web page, not a model manifest: the address is probably not a model package folder ` +
      `(the server answered its HTML page). (${bare})`
    );
  }
  if (/HTTP 404/.test(bare)) return `there is no model package at ${url} (${manifest} was not found). (${bare})`;
  return bare;
}
