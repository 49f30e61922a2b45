/**
 * The answer to a FHIR search: a searchset Bundle (total, self/next/previous links, each match with its full URL),
 * and the paging links of a search by `_offset` and `_count`. Pure.
 */

export interface SearchBundleSource {
  /** the server's base URL (a trailing slash is ignored) */
  baseUrl: string;
  /** the matches, each with its resourceType and id */
  resources: Record<string, unknown>[];
  /** how many match in all (every page) */
  total: number;
  self: string;
  next?: string | undefined;
  previous?: string | undefined;
}

export interface PageLinks {
  self: string;
  next?: string;
  previous?: string;
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

export function buildSearchBundle(o: SearchBundleSource): Record<string, unknown> {
  const base = trimBase(o.baseUrl);
  const link = [
    { relation: 'self', url: o.self },
    ...(o.next ? [{ relation: 'next', url: o.next }] : []),
    ...(o.previous ? [{ relation: 'previous', url: o.previous }] : []),
  ];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: o.total,
    link,
    ...(o.resources.length
      ? { entry: o.resources.map((resource) => ({ fullUrl: `${base}/${String(resource.resourceType)}/${String(resource.id)}`, resource, search: { mode: 'match' } })) }
      : {}),
  };
}

function pageUrl(base: string, type: string, params: URLSearchParams, offset: number, count: number): string {
  const p = new URLSearchParams(params);
  p.set('_offset', String(offset));
  p.set('_count', String(count));
  return `${base}/${type}?${p.toString()}`;
}

/**
 * The links of the page at `offset` of `count` matches among `total`: self (this page), next (when matches
 * remain after it), previous (when it does not start at 0). The other search parameters are kept as given.
 */
export function pageLinks(baseUrl: string, type: string, params: URLSearchParams, offset: number, count: number, total: number): PageLinks {
  const base = trimBase(baseUrl);
  return {
    self: pageUrl(base, type, params, offset, count),
    ...(count > 0 && offset + count < total ? { next: pageUrl(base, type, params, offset + count, count) } : {}),
    ...(offset > 0 ? { previous: pageUrl(base, type, params, Math.max(0, offset - count), count) } : {}),
  };
}
