/** resolveRoute: exact domain (case-insensitive), then the smart host, else no route. */
import { describe, expect, it } from 'vitest';
import { resolveRoute, type OutboundRoutes, type SmtpRoute } from '../../src/delivery/smtp-route.ts';

function route(host: string): SmtpRoute {
  return { host, port: 25, secure: false, requireTls: true, ca: [], clientCert: null };
}

const SMART = route('smart.txgate.localhost');
const CHU = route('mx.chu-b.test');
const HOPITAL = route('mx.hopital-a.test');
const routes = { 'chu-b.test': CHU, 'HOPITAL-A.test': HOPITAL };

describe('resolveRoute', () => {
  it.each<[string, OutboundRoutes, string, SmtpRoute | undefined]>([
    ['exact domain', { smartHost: SMART, routes }, 'chu-b.test', CHU],
    ['query in another case', { smartHost: SMART, routes }, 'CHU-B.Test', CHU],
    ['route key in another case', { smartHost: SMART, routes }, 'hopital-a.test', HOPITAL],
    ['trailing dot', { smartHost: SMART, routes }, 'chu-b.test.', CHU],
    ['surrounding spaces', { smartHost: SMART, routes }, ' chu-b.test ', CHU],
    ['the route wins over the smart host', { smartHost: SMART, routes }, 'chu-b.test', CHU],
    ['route without smart host', { smartHost: null, routes }, 'chu-b.test', CHU],
    ['sub-domain: no inheritance, smart host', { smartHost: SMART, routes }, 'cardio.chu-b.test', SMART],
    ['parent domain: smart host', { smartHost: SMART, routes }, 'test', SMART],
    ['unknown domain: smart host', { smartHost: SMART, routes }, 'cabinet-c.test', SMART],
    ['unknown domain, no smart host: no route', { smartHost: null, routes }, 'cabinet-c.test', undefined],
    ['no routes at all', { smartHost: null, routes: {} }, 'chu-b.test', undefined],
    ['empty domain: smart host', { smartHost: SMART, routes }, '', SMART],
    ['empty domain, no smart host', { smartHost: null, routes }, '', undefined],
    ['inherited property name', { smartHost: null, routes }, 'constructor', undefined],
    ['__proto__', { smartHost: SMART, routes }, '__proto__', SMART],
  ])('%s', (_label, outbound, domain, expected) => {
    expect(resolveRoute(outbound, domain)).toBe(expected);
  });
});
