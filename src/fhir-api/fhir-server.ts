/**
 * The FHIR R4 API over HTTPS (fastify): TLS 1.2 at least, the client certificate required by default (checked
 * against the S/MIME trust anchors, tls.ca and the CRLs by the TLS stack, then named through the directory);
 * plain HTTP only in development mode on loopback, where the practitioner is named by the X-Txgate-Practitioner
 * header instead. Bodies are kept as the bytes received (a signature covers what was sent). Every refusal is an
 * OperationOutcome (operation-outcome.ts); an unexpected fault is a 500 that says nothing of the request.
 * The interactions are fhir-handlers.ts'; the CapabilityStatement says exactly what is served here.
 */
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../log/logger.ts';
import { parseCertificate, toPem, type Certificate } from '../pki/certificate.ts';
import { buildCapabilityStatement } from './build-capability-statement.ts';
import {
  changeTask,
  createCommunication,
  createRequest,
  readBinary,
  readCommunication,
  readOpinionBundle,
  readServiceRequest,
  readTask,
  refusal,
  searchCommunications,
  searchServiceRequests,
  searchTasks,
  type ApiResponse,
  type FhirApiDeps,
} from './fhir-handlers.ts';
import { identifyClient, type ClientIdentity, type DirectoryLookup } from './identify-client.ts';

export interface FhirServerTls {
  key: Buffer;
  cert: Buffer;
  /** the CAs client certificates must chain to */
  ca: Buffer[];
  crl: Buffer[];
}

export interface FhirServerOptions extends Omit<FhirApiDeps, 'baseUrl'> {
  host: string;
  port: number;
  /** the public base URL; default from the address listened on */
  baseUrl?: string | undefined;
  /** undefined: plain HTTP (development mode, loopback only: the configuration checks it) */
  tls: FhirServerTls | undefined;
  requireClientCert: boolean;
  maxBodyBytes: number;
  version: string;
  directory: DirectoryLookup;
  log: Logger;
}

export interface FhirServer {
  port: number;
  baseUrl: string;
  /** new certificate, key, client CAs and CRLs for the connections to come (SIGHUP); throws when they do not fit */
  updateTls(tls: FhirServerTls): void;
  close(): Promise<void>;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const BODY_TYPES = ['application/fhir+json', 'application/json', 'application/json-patch+json'];
const ID = '[A-Za-z0-9\\-.]{1,64}';

export async function startFhirServer(o: FhirServerOptions): Promise<FhirServer> {
  const app = Fastify({
    logger: false,
    bodyLimit: o.maxBodyBytes,
    ...(o.tls
      ? {
          https: {
            key: o.tls.key,
            cert: o.tls.cert,
            ca: o.tls.ca,
            ...(o.tls.crl.length ? { crl: o.tls.crl } : {}),
            minVersion: 'TLSv1.2' as const,
            requestCert: true,
            rejectUnauthorized: o.requireClientCert,
          },
        }
      : {}),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(BODY_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  let baseUrl = o.baseUrl ?? '';
  const deps = (): FhirApiDeps => ({ ...o, baseUrl });

  function send(reply: FastifyReply, r: ApiResponse): FastifyReply {
    reply.code(r.status).header('content-type', FHIR_JSON);
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    return reply.send(r.body === undefined ? '' : JSON.stringify(r.body));
  }

  /** The practitioner calling: from the client certificate (or, plain HTTP in development, the header). */
  function identify(req: FastifyRequest): { ok: true; me: ClientIdentity; pem?: string } | { ok: false; response: ApiResponse } {
    let cert: Certificate | undefined;
    if (o.tls) {
      const socket = req.raw.socket as TLSSocket;
      const peer = socket.authorized ? socket.getPeerCertificate(false) : undefined;
      if (peer?.raw) cert = parseCertificate(peer.raw);
      const found = identifyClient(cert, o.directory);
      return found.ok ? { ok: true, me: found.identity, ...(cert ? { pem: toPem(cert.der) } : {}) } : { ok: false, response: refusal(found.code) };
    }
    const named = req.headers['x-txgate-practitioner'];
    const person = typeof named === 'string' ? o.directory.byAddress(named) : undefined;
    if (!person || typeof named !== 'string') return { ok: false, response: refusal('FHIR_CLIENT_CERT_REQUIRED') };
    return { ok: true, me: { address: named, addresses: [...new Set([named.toLowerCase(), ...person.addresses.map((a) => a.toLowerCase())])], identifiers: [...person.identifiers, ...person.organizationIdentifiers], practitioner: person.id } };
  }

  function paramsOf(req: FastifyRequest): URLSearchParams {
    const q = req.url.indexOf('?');
    return new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  }

  function bodyOf(req: FastifyRequest): Buffer | undefined {
    return Buffer.isBuffer(req.body) ? req.body : undefined;
  }

  type Handler = (me: ClientIdentity, req: FastifyRequest, pem: string | undefined) => ApiResponse | Promise<ApiResponse>;
  const authed =
    (h: Handler) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const who = identify(req);
      if (!who.ok) return send(reply, who.response);
      return send(reply, await h(who.me, req, who.pem));
    };
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
  const needBody =
    (h: (me: ClientIdentity, req: FastifyRequest, body: Buffer, pem: string | undefined) => ApiResponse | Promise<ApiResponse>): Handler =>
    (me, req, pem) => {
      const body = bodyOf(req);
      return body ? h(me, req, body, pem) : refusal('FHIR_UNSUPPORTED_MEDIA_TYPE');
    };

  app.get('/fhir/metadata', async (_req, reply) =>
    send(reply, {
      status: 200,
      body: buildCapabilityStatement({
        baseUrl,
        version: o.version,
        date: o.now().toISOString(),
        clientCertificateRequired: o.requireClientCert,
        signatureRequired: o.requireSignature,
        maxPageSize: o.maxPageSize,
      }),
    }),
  );
  app.post('/fhir', authed(needBody((me, req, body, pem) => createRequest(deps(), me, body, req.ip, pem))));
  app.post('/fhir/', authed(needBody((me, req, body, pem) => createRequest(deps(), me, body, req.ip, pem))));
  app.get(`/fhir/Task/:id(^${ID}$)`, authed((me, req) => readTask(deps(), me, idOf(req))));
  app.get('/fhir/Task', authed((me, req) => searchTasks(deps(), me, paramsOf(req))));
  app.put(`/fhir/Task/:id(^${ID}$)`, authed(needBody((me, req, body) => changeTask(deps(), me, idOf(req), body, 'put', req.headers['if-match']))));
  app.patch(`/fhir/Task/:id(^${ID}$)`, authed(needBody((me, req, body) => changeTask(deps(), me, idOf(req), body, 'patch', req.headers['if-match']))));
  app.get(`/fhir/ServiceRequest/:id(^${ID}$)`, authed((me, req) => readServiceRequest(deps(), me, idOf(req))));
  app.get('/fhir/ServiceRequest', authed((me, req) => searchServiceRequests(deps(), me, paramsOf(req))));
  app.get(`/fhir/Communication/:id(^${ID}$)`, authed((me, req) => readCommunication(deps(), me, idOf(req))));
  app.get('/fhir/Communication', authed((me, req) => searchCommunications(deps(), me, paramsOf(req))));
  app.post('/fhir/Communication', authed(needBody((me, _req, body) => createCommunication(deps(), me, body))));
  app.get(`/fhir/Binary/:id(^${ID}$)`, authed((me, req) => readBinary(deps(), me, idOf(req))));
  app.get(`/fhir/Bundle/:id(^${ID}$)`, authed((me, req) => readOpinionBundle(deps(), me, idOf(req))));

  const SERVED = ['Task', 'ServiceRequest', 'Communication', 'Binary', 'Bundle', 'metadata'];
  app.setNotFoundHandler((req, reply) => {
    const type = /^\/fhir\/([^/?]+)/.exec(req.url)?.[1];
    return send(reply, refusal(type && SERVED.includes(type) ? 'FHIR_METHOD_NOT_ALLOWED' : type ? 'FHIR_UNKNOWN_RESOURCE_TYPE' : 'FHIR_NOT_FOUND'));
  });
  app.setErrorHandler((err: { code?: string; statusCode?: number; message?: string }, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, refusal('FHIR_TOO_LARGE'));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return send(reply, refusal('FHIR_UNSUPPORTED_MEDIA_TYPE'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return send(reply, refusal('FHIR_BAD_JSON'));
    // a fault: logged for the operator without the request's content; the client may retry
    o.log.error('fhir api: unexpected fault', { method: req.method, route: req.routeOptions.url ?? '?', error: err.message ?? String(err) });
    return send(reply, refusal(err.code === 'SQLITE_BUSY' ? 'FHIR_UNAVAILABLE' : 'FHIR_INTERNAL'));
  });

  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  if (!o.baseUrl) baseUrl = `${o.tls ? 'https' : 'http'}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/fhir`;
  return {
    port,
    baseUrl,
    updateTls(tls) {
      if (!o.tls) return;
      (app.server as unknown as import('node:tls').Server).setSecureContext({ key: tls.key, cert: tls.cert, ca: tls.ca, ...(tls.crl.length ? { crl: tls.crl } : {}), minVersion: 'TLSv1.2' });
    },
    close: () => app.close(),
  };
}
