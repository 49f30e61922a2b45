/**
 * Every reply the SMTP intake gives besides success, with fixed text: a peer never sees an internal
 * message, an address or patient data (smtp-server would echo err.message).
 */
export const SMTP_REPLIES = {
  TLS_REQUIRED: [530, '5.7.0 Must issue a STARTTLS command first'],
  CLIENT_CERT_REQUIRED: [530, '5.7.0 A valid client certificate is required'],
  TOO_MANY_CONNECTIONS: [421, '4.7.0 Too many connections from your address, try again later'],
  RATE_LIMITED: [451, '4.7.1 Too many messages from your address, try again later'],
  SHUTTING_DOWN: [421, '4.3.2 Service shutting down, try again later'],
  UNKNOWN_USER: [550, '5.1.1 Recipient address rejected: unknown user'],
  RELAY_DENIED: [550, '5.7.1 Relay access denied'],
  BAD_ADDRESS: [501, '5.1.3 Bad address syntax'],
  TOO_MANY_RECIPIENTS: [452, '4.5.3 Too many recipients'],
  TOO_LARGE: [552, '5.3.4 Message size exceeds fixed limit'],
  NOT_SECURE_MAIL: [550, '5.7.1 Only signed and encrypted messages are accepted'],
  TEMPORARY: [451, '4.3.0 Temporary failure, try again later'],
} as const satisfies Record<string, readonly [number, string]>;

export type SmtpReplyName = keyof typeof SMTP_REPLIES;

/** An Error smtp-server turns into exactly this reply. */
export function smtpReply(name: SmtpReplyName): Error & { responseCode: number } {
  const [code, text] = SMTP_REPLIES[name];
  return Object.assign(new Error(text), { responseCode: code });
}
