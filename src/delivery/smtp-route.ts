/**
 * Where outbound mail for a recipient domain goes: one SMTP peer and how to talk to it.
 *
 * Pure data, no I/O: the caller reads the PEM files (CA certificates, client certificate and
 * key) and passes their texts here, so a route can be built once at start-up and reused.
 */
export interface SmtpRoute {
  /** host name or IP address of the peer */
  host: string;
  port: number;
  /** implicit TLS from the first byte (SMTPS, usually port 465); false = plain connect, then STARTTLS */
  secure: boolean;
  /**
   * STARTTLS is required (the default for txgate): a peer that does not offer it, or refuses it,
   * gets nothing (`SMTP_TLS_REQUIRED`). Ignored when `secure` is true (already encrypted).
   * false: STARTTLS is still used when offered, with the certificate checked all the same; only a
   * peer that does not offer it (or answers it with an error) gets the message in clear.
   */
  requireTls: boolean;
  /**
   * Trust anchors for the peer's TLS certificate, as PEM texts. Empty = Node's built-in public
   * root store (an internal peer with a private CA therefore needs its CA here).
   */
  ca: readonly (string | Buffer)[];
  /** the gateway's TLS client certificate and key (PEM texts) for peers that require mutual TLS */
  clientCert: { cert: string | Buffer; key: string | Buffer } | null;
  /**
   * Name to check the peer certificate against (and to send as SNI). Defaults to `host` when
   * that is a name; needed when `host` is an IP address.
   */
  servername?: string;
}

export interface OutboundRoutes {
  /** where everything without a route of its own goes; null = no smart host */
  smartHost: SmtpRoute | null;
  /** per recipient domain (exact domain, compared case-insensitively; no wildcard, no parent domain) */
  routes: Record<string, SmtpRoute>;
}

/**
 * The route for a recipient domain: the exact domain in `routes` (case-insensitive, a trailing
 * dot ignored), else the smart host, else undefined (the caller treats that as the permanent
 * failure `DELIVERY_NO_ROUTE`). A sub-domain does not inherit its parent's route.
 */
export function resolveRoute(outbound: OutboundRoutes, recipientDomain: string): SmtpRoute | undefined {
  const wanted = normalizeDomain(recipientDomain);
  if (wanted !== '') {
    for (const [domain, route] of Object.entries(outbound.routes)) {
      if (normalizeDomain(domain) === wanted) return route;
    }
  }
  return outbound.smartHost ?? undefined;
}

function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}
