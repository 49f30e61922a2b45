/**
 * The configuration of the txgate daemon: the one source of truth for its shape, defaults, checks and
 * documentation (the JSON Schema in schemas/ and the README's reference are generated from it).
 * Relative paths are relative to the folder of the configuration file (see load-config.ts).
 */
import { z } from 'zod';
import { KEY_TRANSPORTS, SEAL_CIPHERS, type ContentCipher, type KeyTransport } from '../smime/algorithms.ts';

const DOMAIN_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ADDRESS_PATTERN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const DEFAULT_DOMAIN = 'txgate.localhost';

const domainName = () => z.string().regex(DOMAIN_PATTERN, 'must be a domain name such as hopital.example');
const mailAddress = () => z.email({ pattern: ADDRESS_PATTERN, message: 'must be a mail address such as gateway@hopital.example' });
const filePath = () => z.string().min(1);
const port = () => z.number().int().min(1).max(65535);
/** A port to listen on: 0 lets the system pick a free one (tests, the demo). */
const listenPort = () => z.number().int().min(0).max(65535);
const positiveInt = () => z.number().int().min(1);
const sealCipher = () => z.enum(SEAL_CIPHERS as readonly ContentCipher[] as [ContentCipher, ...ContentCipher[]]);
const keyTransport = () => z.enum(KEY_TRANSPORTS as readonly KeyTransport[] as [KeyTransport, ...KeyTransport[]]);

const DatabaseSchema = z.strictObject({
  path: filePath().default('txgate.db').describe('The SQLite database file (created at first start).'),
});

const SmtpSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Whether the SMTP intake listens at all.'),
  host: z.string().min(1).default('127.0.0.1').describe('The address the SMTP intake listens on (0.0.0.0 or :: for every interface).'),
  port: listenPort().default(2525).describe('The SMTP port (STARTTLS offered with the tls certificate); 0 for any free port.'),
  implicitTlsPort: listenPort().nullable().default(null).describe('A second port speaking TLS from the first byte (SMTPS, usually 465); null for none.'),
  requireTls: z.boolean().default(true).describe('Refuse MAIL FROM until the client has started TLS (STARTTLS), as MSSanté and Direct peers expect.'),
  requireClientCert: z.boolean().default(false).describe('Refuse TLS clients that present no certificate trusted by tls.ca or the S/MIME trust anchors.'),
  maxMessageBytes: positiveInt().default(26_214_400).describe('The largest message accepted, in bytes (announced with SIZE).'),
  maxRecipients: positiveInt().default(50).describe('The most RCPT TO accepted in one transaction.'),
  maxConnections: positiveInt().default(200).describe('The most simultaneous SMTP connections.'),
  maxConnectionsPerClient: positiveInt().default(20).describe('The most simultaneous SMTP connections from one client address.'),
  maxMessagesPerClientPerMinute: positiveInt().default(600).describe('The most messages accepted from one client address per minute; more are deferred (4xx).'),
  socketTimeoutMs: positiveInt().default(60_000).describe('Idle time after which an SMTP connection is closed, in milliseconds.'),
  greeting: z.string().min(1).default('txgate').describe('The text that ends the 220 greeting, after the host name and ESMTP.'),
});

const TlsSchema = z.strictObject({
  cert: filePath().default('pki/gateway.crt.pem').describe('The TLS server certificate (PEM, chain after the leaf), also the client certificate for outbound SMTP unless a relay sets its own.'),
  key: filePath().default('pki/gateway.key.pem').describe('The private key of tls.cert (PEM, unencrypted).'),
  ca: z.array(filePath()).default([]).describe('Extra PEM files of CAs trusted for SMTP client certificates; the S/MIME trust anchors are trusted too.'),
});

const KeyPairSchema = z.strictObject({
  key: filePath().describe('A gateway private key (PEM, unencrypted).'),
  cert: filePath().describe('The certificate of that key (PEM, chain after the leaf).'),
});

const TrustSourceSchema = z.strictObject({
  path: filePath().describe('Trust anchors: a PEM file, a folder of PEM files, or a certs-only PKCS#7 bundle.'),
  domains: z.array(domainName()).min(1).optional().describe('When given, these anchors are trusted only for senders of these domains.'),
});

const SealChoiceSchema = z.strictObject({
  cipher: sealCipher().optional().describe('The content cipher for this domain (default: smime.seal.cipher).'),
  keyTransport: keyTransport().optional().describe('The key transport for this domain (default: smime.seal.keyTransport).'),
});

const SealSchema = z.strictObject({
  cipher: sealCipher().default('aes-256-cbc').describe(`The content cipher of what the gateway encrypts: ${SEAL_CIPHERS.join(', ')}.`),
  keyTransport: keyTransport().default('rsa-oaep-sha256').describe(`The RSA key transport of what the gateway encrypts: ${KEY_TRANSPORTS.join(', ')}.`),
  byDomain: z.record(domainName(), SealChoiceSchema).default({}).describe('Per recipient domain, a cipher or key transport other than the default (for peers that cannot open the default).'),
});

const SmimeSchema = z.strictObject({
  keys: z
    .array(KeyPairSchema)
    .min(1)
    .default([{ key: 'pki/gateway.key.pem', cert: 'pki/gateway.crt.pem' }])
    .describe('The gateway decryption and signing keys; the first signs, every one decrypts (several during a key rollover).'),
  trust: z
    .array(TrustSourceSchema)
    .min(1)
    .default([{ path: 'pki/ca.crt.pem' }])
    .describe("The trust anchors for senders' signing certificates."),
  crls: z.array(filePath()).default([]).describe('CRL files (PEM or DER), each checked for every certificate its issuer signed.'),
  requireCrl: z.boolean().default(false).describe('Refuse a signer when an issuer of its path has no current CRL.'),
  refuseSha1Certificates: z.boolean().default(false).describe('Refuse certificates signed with SHA-1 (accepted by default: real Direct anchors use them).'),
  cacheSigners: z.boolean().default(true).describe('Keep the built certificate path of each signer (validity, revocation, usage and address still run on every message).'),
  seal: SealSchema.default(SealSchema.parse({})).describe('How the gateway encrypts what it sends.'),
});

const CertificatesSchema = z.strictObject({
  dir: filePath().default('certificates').describe("The folder of recipients' certificates: PEM files, one or more certificates each."),
});

const ClientCertSchema = z.strictObject({
  cert: filePath().describe('The client certificate presented to the relay (PEM, chain after the leaf).'),
  key: filePath().describe('Its private key (PEM, unencrypted).'),
});

const RelaySchema = z.strictObject({
  host: z.string().min(1).describe('The host name or address of the relay.'),
  port: port().default(25).describe('Its SMTP port.'),
  secure: z.boolean().default(false).describe('TLS from the first byte (implicit TLS, usually port 465) instead of STARTTLS.'),
  requireTls: z.boolean().default(true).describe('Refuse to send when the relay offers no TLS or its certificate does not verify.'),
  ca: z.array(filePath()).default([]).describe("PEM files of CAs trusted for the relay's certificate (default: the system's)."),
  clientCert: ClientCertSchema.nullable().default(null).describe('The client certificate presented to the relay; null for none.'),
  servername: z.string().min(1).optional().describe("The name checked against the relay's certificate (default: host)."),
});

const RetrySchema = z.strictObject({
  initialDelayMs: positiveInt().default(60_000).describe('The wait before the first retry of a deferred delivery, in milliseconds (doubling after each attempt).'),
  maxDelayMs: positiveInt().default(3_600_000).describe('The longest wait between two attempts, in milliseconds.'),
  giveUpAfterMs: positiveInt().default(172_800_000).describe('After this long without success a delivery fails and the sender is told, in milliseconds.'),
});

const OutboundSchema = z.strictObject({
  smartHost: RelaySchema.nullable().default(null).describe('A relay for every outbound message without a route of its own; null for none (then only the domains in routes can be reached).'),
  routes: z.record(domainName(), RelaySchema).default({}).describe('A relay per destination domain; wins over smartHost.'),
  retry: RetrySchema.default(RetrySchema.parse({})).describe('When deferred deliveries are tried again.'),
  connectionTimeoutMs: positiveInt().default(30_000).describe('The longest wait for an outbound SMTP connection, in milliseconds.'),
});

const NotificationsSchema = z.strictObject({
  mdnTimeoutMs: positiveInt().default(3_600_000).describe('How long to wait for the recipient\'s processed MDN before telling the sender the delivery is in doubt, in milliseconds.'),
});

const PipelineSchema = z.strictObject({
  workers: z.number().int().min(1).max(256).default(2).describe('How many messages the pipeline works on at once.'),
  maxAttempts: positiveInt().default(5).describe('Attempts of a stage on a message before it is set aside for the operator.'),
  leaseMs: positiveInt().default(60_000).describe('How long a worker holds a message before another may take it over, in milliseconds.'),
  pollMs: positiveInt().default(200).describe('How often idle workers look for work, in milliseconds.'),
  timerSweepMs: positiveInt().default(30_000).describe("How often the experts' deadlines are checked for reminders and expiries, in milliseconds."),
});

const BlobsSchema = z.strictObject({
  dir: filePath().default('blobs').describe('The folder of the documents requests carry (PDF, images, CDA…), each stored under its SHA-256.'),
  maxBytes: positiveInt().default(52_428_800).describe('The largest document stored, in bytes.'),
});

const PolicySchema = z.strictObject({
  pack: z
    .string()
    .min(1)
    .default('fr-teleexpertise')
    .describe('The rule pack of the programme: a shipped one (fr-teleexpertise, br-telessaude, ru-federal-centres, vn-hub-spoke, generic) or the path of a JSON pack file.'),
});

const InsurerIdentifierSchema = z.strictObject({
  system: z.string().min(1).describe("The system of the insurer's identifier (a URI, urn:oid: for an OID)."),
  value: z.string().min(1).describe("The insurer's identifier in that system."),
});

const InsurerSchema = z.strictObject({
  baseUrl: z.url().default('http://127.0.0.1:8090/fhir').describe("The insurer's FHIR R4 base URL (https in production)."),
  mode: z.enum(['submit', 'transaction']).default('submit').describe('How claims are sent: POST Claim/$submit (the ClaimResponse comes back), or a transaction Bundle with a conditional create of the Claim by its identifier.'),
  name: z.string().min(1).default('Assurance Maladie').describe('The insurer, as named in the claims (the Organization of Claim.insurer and Coverage.payor).'),
  identifier: InsurerIdentifierSchema.default({ system: 'urn:txgate:insurer', value: 'assurance-maladie' }).describe("The insurer's identifier in the claims."),
  ca: z.array(filePath()).default([]).describe("PEM files of CAs trusted for the insurer's TLS certificate (default: the system's)."),
  clientCert: ClientCertSchema.nullable().default(null).describe('The client certificate presented to the insurer (mutual TLS); null for none.'),
  timeoutMs: positiveInt().default(30_000).describe('The longest wait for the insurer to answer one submission, in milliseconds.'),
});

const BillingRetrySchema = z.strictObject({
  initialDelayMs: positiveInt().default(60_000).describe('The wait before the first retry of a claim the insurer did not take, in milliseconds (doubling after each attempt).'),
  maxDelayMs: positiveInt().default(3_600_000).describe('The longest wait between two submissions of a claim, in milliseconds.'),
  giveUpAfterMs: positiveInt().default(604_800_000).describe('After this long without an answer a claim is set to error for the operator (who may resend it), in milliseconds.'),
});

const BillingSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Whether claims are built when an opinion is delivered, and sent to the insurer.'),
  insurer: InsurerSchema.default(InsurerSchema.parse({})).describe('The insurer that receives the FHIR Claim bundles.'),
  retry: BillingRetrySchema.default(BillingRetrySchema.parse({})).describe('When claims the insurer did not take are sent again.'),
});

const OpsSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Whether the operator endpoint (/healthz, /readyz, /metrics) listens.'),
  host: z.string().min(1).default('127.0.0.1').describe('The address it listens on (loopback by default: put a reverse proxy in front to expose it).'),
  port: listenPort().default(9464).describe('Its port; 0 for any free port.'),
});

const FhirSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Whether the FHIR R4 API listens (requests, their Tasks, the experts\' workflow).'),
  host: z.string().min(1).default('127.0.0.1').describe('The address it listens on (0.0.0.0 or :: for every interface).'),
  port: listenPort().default(8443).describe('Its port (HTTPS, TLS 1.2 at least, with the tls certificate); 0 for any free port.'),
  baseUrl: z.url().optional().describe('The public base URL of the API (fullUrl and links); default https://<host>:<port>/fhir.'),
  requireClientCert: z.boolean().default(true).describe('Refuse TLS clients without a certificate trusted by the S/MIME trust anchors or tls.ca; the certificate names the practitioner (through the directory). Only mode development may turn it off.'),
  plainHttp: z.boolean().default(false).describe('Serve plain HTTP instead of HTTPS: only in mode development and on a loopback host.'),
  requireSignature: z.boolean().default(true).describe('Refuse request Bundles without a valid signature (Da Vinci CDex detached JWS). Only mode development may turn it off.'),
  maxBodyBytes: positiveInt().default(31_457_280).describe('The largest request body accepted, in bytes.'),
  pageSize: positiveInt().default(20).describe('Search results per page when the client does not say (_count).'),
  maxPageSize: positiveInt().default(100).describe('The most search results per page a client may ask for.'),
  replyWaitMs: positiveInt().default(10_000).describe("How long a Task change waits for the pipeline's verdict before answering 202 (the Task then tells)."),
});

/** The configuration object before the derived defaults (addresses, gatewayAddress) are filled in. */
export const ConfigObjectSchema = z.strictObject({
  domain: domainName().default(DEFAULT_DOMAIN).describe('The mail domain the gateway hosts.'),
  addresses: z.array(mailAddress()).min(1).optional().describe('The addresses the gateway hosts, all on domain (default: ["gateway@<domain>"]).'),
  gatewayAddress: mailAddress().optional().describe('The From address of what the gateway itself sends (MDNs, notices); one of addresses (default: "gateway@<domain>").'),
  mode: z.enum(['production', 'development']).default('production').describe('development allows what production refuses: fhir.plainHttp (on loopback), fhir.requireSignature and fhir.requireClientCert off.'),
  database: DatabaseSchema.default(DatabaseSchema.parse({})).describe('Where the durable state lives.'),
  smtp: SmtpSchema.default(SmtpSchema.parse({})).describe('The SMTP intake.'),
  tls: TlsSchema.default(TlsSchema.parse({})).describe('TLS for the SMTP intake (STARTTLS and implicit TLS).'),
  smime: SmimeSchema.default(SmimeSchema.parse({})).describe('The S/MIME engine: the gateway keys, the trust anchors, revocation, and how to seal.'),
  certificates: CertificatesSchema.default(CertificatesSchema.parse({})).describe("Recipients' certificates, for encrypting what the gateway sends."),
  outbound: OutboundSchema.default(OutboundSchema.parse({})).describe('Outbound SMTP delivery.'),
  notifications: NotificationsSchema.default(NotificationsSchema.parse({})).describe('Delivery notifications (MDN).'),
  pipeline: PipelineSchema.default(PipelineSchema.parse({})).describe('The workers that carry messages through the stages.'),
  blobs: BlobsSchema.default(BlobsSchema.parse({})).describe('The document store.'),
  policy: PolicySchema.default(PolicySchema.parse({})).describe('The rules requests are admitted or refused by.'),
  fhir: FhirSchema.default(FhirSchema.parse({})).describe('The FHIR R4 REST API: signed requests over HTTPS with client certificates, and the Task workflow.'),
  ops: OpsSchema.default(OpsSchema.parse({})).describe('What an operator watches: health, readiness and Prometheus metrics over HTTP.'),
  billing: BillingSchema.default(BillingSchema.parse({})).describe('Claims to the insurer (FHIR Claim bundles), exactly once.'),
});

type ConfigObject = z.output<typeof ConfigObjectSchema>;

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The addresses and the gateway address with their defaults ("gateway@<domain>") filled in. */
export function deriveAddresses(config: Pick<ConfigObject, 'domain' | 'addresses' | 'gatewayAddress'>): { addresses: string[]; gatewayAddress: string } {
  const fallback = `gateway@${config.domain}`;
  return { addresses: config.addresses ?? [fallback], gatewayAddress: config.gatewayAddress ?? fallback };
}

const ADDRESS_SETTINGS = ['domain', 'addresses', 'gatewayAddress'];

/** Whether a listening host is the loopback interface only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** What production refuses of the FHIR API. */
function checkFhir(config: ConfigObject, ctx: z.RefinementCtx): void {
  const development = config.mode === 'development';
  if (config.fhir.plainHttp && (!development || !isLoopbackHost(config.fhir.host))) {
    ctx.addIssue({ code: 'custom', path: ['fhir', 'plainHttp'], message: 'plain HTTP only in mode development and on a loopback host' });
  }
  if (!config.fhir.requireSignature && !development) ctx.addIssue({ code: 'custom', path: ['fhir', 'requireSignature'], message: 'unsigned bundles only in mode development' });
  if (!config.fhir.requireClientCert && !development) ctx.addIssue({ code: 'custom', path: ['fhir', 'requireClientCert'], message: 'a FHIR API without client certificates only in mode development' });
}

/** Every hosted address is on domain, and the gateway address is one of them. */
function checkAddresses(config: ConfigObject, ctx: z.RefinementCtx): void {
  const domain = config.domain.toLowerCase();
  const { addresses, gatewayAddress } = deriveAddresses(config);
  addresses.forEach((address, i) => {
    if (domainOf(address) !== domain) {
      ctx.addIssue({ code: 'custom', path: ['addresses', i], message: `${address} is not on domain ${config.domain}` });
    }
  });
  checkFhir(config, ctx);
  if (domainOf(gatewayAddress) !== domain) {
    ctx.addIssue({ code: 'custom', path: ['gatewayAddress'], message: `${gatewayAddress} is not on domain ${config.domain}` });
  } else if (!addresses.some((a) => a.toLowerCase() === gatewayAddress.toLowerCase())) {
    ctx.addIssue({
      code: 'custom',
      path: ['gatewayAddress'],
      message: `${gatewayAddress} is not one of addresses (${addresses.join(', ')}): add it to addresses or choose one of them`,
    });
  }
}

export const ConfigSchema = ConfigObjectSchema.superRefine(checkAddresses, {
  // run even when other settings have problems, so that every problem is listed at once
  when: (payload) =>
    typeof payload.value === 'object' &&
    payload.value !== null &&
    !Array.isArray(payload.value) &&
    !payload.issues.some((issue) => ADDRESS_SETTINGS.includes(String(issue.path?.[0]))),
})
  .transform((config) => {
    const { domain, addresses: _addresses, gatewayAddress: _gatewayAddress, ...rest } = config;
    return { domain, ...deriveAddresses(config), ...rest };
  })
  .meta({ title: 'txgate configuration', description: 'The configuration file of the txgate daemon (txgate.json). Relative paths are relative to its folder.' });

/** The configuration, every default applied. */
export type Config = z.infer<typeof ConfigSchema>;
/** What a configuration file may contain (every setting with a default may be left out). */
export type ConfigInput = z.input<typeof ConfigSchema>;
