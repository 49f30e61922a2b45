import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExpertReply, REPLY_VERBS, type ReplyVerb } from '../../src/relay/parse-expert-reply.ts';
import { SAMPLE_PDF } from '../payload/xdm/sample-xdm.ts';
import { EXPERT_ADDRESS, FORWARD_ID, GATEWAY_REPLY_ADDRESS, replyMail } from './reply-mail.ts';

function parsed(inner: Buffer) {
  const r = parseExpertReply(inner);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

function codes(inner: Buffer): string[] {
  const r = parseExpertReply(inner);
  return r.ok ? [] : r.problems.map((p) => p.code);
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

describe('parseExpertReply: plain mail replies', () => {
  it('gives the verb, the text without the verb line, the documents and every correlation header', () => {
    const r = parsed(
      replyMail('AVIS : Céphalée de tension.\nPas d’imagerie ; réévaluer dans 3 mois.\n\n-- \nDr Élise Dupré', {
        parts: [
          { type: 'application/pdf', name: 'compte-rendu.pdf', data: SAMPLE_PDF },
          { type: 'image/jpeg', name: 'ecg.jpg', data: JPEG },
        ],
      }),
    );
    expect(r).toMatchObject({
      verb: 'opinion',
      text: 'Céphalée de tension.\nPas d’imagerie ; réévaluer dans 3 mois.\n\n--\nDr Élise Dupré',
      source: 'text',
      inReplyTo: FORWARD_ID,
      references: ['<request-1@medecin.test>', FORWARD_ID],
      to: GATEWAY_REPLY_ADDRESS,
      from: EXPERT_ADDRESS,
    });
    expect(r.referral).toBeUndefined();
    expect(r.documents.map((d) => [d.attachment.name, d.attachment.contentType, d.attachment.sniffedType, d.bytes.length])).toEqual([
      ['compte-rendu.pdf', 'application/pdf', 'application/pdf', SAMPLE_PDF.length],
      ['ecg.jpg', 'image/jpeg', 'image/jpeg', JPEG.length],
    ]);
  });

  it('reads References folded over several lines and repeated, In-Reply-To without brackets, and none at all', () => {
    const folded = parsed(replyMail('ACCEPT', { headers: ['References: <a@x>\r\n <b@y>\r\n\t<c@z>'] }));
    expect(folded.references).toEqual(['<request-1@medecin.test>', FORWARD_ID, '<a@x>', '<b@y>', '<c@z>']);
    const bare = Buffer.from('From: x@e.test\r\nTo: y@gw.test\r\nIn-Reply-To: abc@gw.test\r\n\r\nACCEPT\r\n');
    expect(parsed(bare)).toMatchObject({ inReplyTo: 'abc@gw.test', references: [] });
    const none = Buffer.from('From: x@e.test\r\n\r\nACCEPT\r\n');
    const r = parsed(none);
    expect(r.inReplyTo).toBeUndefined();
    expect(r.to).toBeUndefined();
    expect(r.references).toEqual([]);
  });

  it('reads an opinion given as a document alone, and an IHE_XDM.ZIP attached to a plain reply as a document', () => {
    const pdfOnly = parsed(replyMail('Avis\n', { parts: [{ type: 'application/pdf', name: 'cr.pdf', data: SAMPLE_PDF }] }));
    expect(pdfOnly).toMatchObject({ verb: 'opinion', source: 'text' });
    expect(pdfOnly.text).toBeUndefined();
    expect(pdfOnly.documents).toHaveLength(1);
    const zip = Buffer.from('PK\u0003\u0004 not really a zip');
    const xdm = parsed(replyMail('PARECER: ver anexo', { parts: [{ type: 'application/zip', name: 'IHE_XDM.ZIP', data: zip }] }));
    expect(xdm.documents.map((d) => d.attachment.name)).toEqual(['IHE_XDM.ZIP']);
  });

  it('keeps a note with an acceptance, and accepts without one', () => {
    expect(parsed(replyMail('ACEITO - respondo até sexta.'))).toMatchObject({ verb: 'accept', text: 'respondo até sexta.' });
    expect(parsed(replyMail('ACEITO')).text).toBeUndefined();
  });

  it.each([
    ['REPLY_NO_VERB: a first line that is no verb', 'Bonjour,\n\nJ’accepte.', ['REPLY_NO_VERB']],
    ['REPLY_NO_VERB: an empty reply', '\n \n', ['REPLY_NO_VERB']],
    ['REPLY_NO_VERB: only quoted text', '> ACCEPT\n> ok', ['REPLY_NO_VERB']],
    ['REPLY_TEXT_MISSING: a decline without its reason', 'REFUS', ['REPLY_TEXT_MISSING']],
    ['REPLY_TEXT_MISSING: a decline whose reason is only quoted', 'DECLINE:\n\nOn Mon, Feb 2, 2026 at 10:00 AM txgate <r@gw.test> wrote:\n> please', ['REPLY_TEXT_MISSING']],
    ['REPLY_TEXT_MISSING: a question without the question', 'ВОПРОС:', ['REPLY_TEXT_MISSING']],
    ['REPLY_TEXT_MISSING: an opinion with neither text nor document', 'Ý KIẾN', ['REPLY_TEXT_MISSING']],
    ['REPLY_TEXT_MISSING: a correction with neither text nor document', 'CORRECTION -', ['REPLY_TEXT_MISSING']],
  ])('%s', (_rule, body, expected) => {
    expect(codes(replyMail(body))).toEqual(expected);
  });

  it('refuses a broken MIME structure with PAYLOAD_MALFORMED', () => {
    expect(codes(Buffer.from('From: x@e.test\r\nContent-Type: multipart/mixed\r\n\r\nACCEPT\r\n'))).toEqual(['PAYLOAD_MALFORMED']);
  });
});

describe('parseExpertReply: HTML-only replies', () => {
  it('reads a Gmail HTML reply: the verb, character references decoded, the gmail_quote dropped', () => {
    const html =
      '<div dir="ltr"><div>J&#39;accepte&nbsp;: je r&eacute;ponds avant vendredi.</div><div><br></div></div><br>' +
      '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">Le lun. 2 févr. 2026 à 10:00, txgate &lt;' +
      GATEWAY_REPLY_ADDRESS +
      '&gt; a écrit&nbsp;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Demande de t&eacute;l&eacute;expertise<br>Patient : DUPONT</blockquote></div>';
    const r = parsed(replyMail(html, { bodyType: 'text/html' }));
    expect(r).toMatchObject({ verb: 'accept', text: 'je réponds avant vendredi.', source: 'text' });
  });

  it('reads an Outlook HTML reply: the header block of the original ends the text', () => {
    const html =
      '<html><head><style>p{margin:0}</style></head><body><p>Question&nbsp;: avez-vous l&rsquo;ECG de repos ?</p><p>&nbsp;</p>' +
      '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>De&nbsp;:</b> txgate &lt;' +
      GATEWAY_REPLY_ADDRESS +
      '&gt;<br><b>Envoyé&nbsp;:</b> lundi 2 février 2026 10:00<br><b>À&nbsp;:</b> Dr Dupré<br><b>Objet&nbsp;:</b> Demande</p></div><p>Patient : DUPONT Marie</p></body></html>';
    expect(parsed(replyMail(html, { bodyType: 'text/html' }))).toMatchObject({ verb: 'ask', text: 'avez-vous l’ECG de repos ?' });
  });
});

describe('parseExpertReply: properties', () => {
  const verbs = Object.values(REPLY_VERBS).flatMap((byVerb) => Object.entries(byVerb).flatMap(([verb, words]) => words.map((w) => [verb as ReplyVerb, w] as const)));
  /** Lines a person writes: no quote marker, no separator lines, no reply headers, no character references. */
  const plainLine = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789éèàçõãñöüЖжЯяđĐươ.,;!?()/+*%'.split('')), maxLength: 60 });

  it('never throws, whatever the bytes or the text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const r = parseExpertReply(Buffer.from(bytes));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), fc.boolean(), (text, html) => {
        const r = parseExpertReply(replyMail(text, { bodyType: html ? 'text/html' : 'text/plain' }));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('gives back the verb and the text of a verb line followed by any text', () => {
    fc.assert(
      fc.property(fc.constantFrom(...verbs), fc.constantFrom(': ', ' - ', '\n'), fc.array(plainLine, { minLength: 1, maxLength: 6 }), ([verb, word], sep, lines) => {
        const text = lines
          .map((l) => l.trimEnd())
          .join('\n')
          .trim();
        fc.pre(text !== '' && !/^[:\-.!?]/.test(text));
        const r = parseExpertReply(replyMail(`${word}${sep}${lines.join('\n')}`));
        if (!r.ok) throw new Error(JSON.stringify(r.problems));
        expect(r.value.verb).toBe(verb);
        expect(r.value.text).toBe(text);
      }),
      { numRuns: 400 },
    );
  });
});
