/**
 * The answer to a request, whatever the dialect it goes back in (360X OSU^O51, RRI^I12, FHIR Task + document
 * Bundle). Builders take the canonical request it answers and this.
 */
import { z } from 'zod';
import { PractitionerSchema } from './canonical-request.ts';

export const AnswerDocumentSchema = z.strictObject({
  contentType: z.string().min(1),
  name: z.string().min(1).optional(),
  /** the bytes, base64 */
  data: z.string(),
});

export const AnswerSchema = z
  .strictObject({
    kind: z.enum(['accepted', 'declined', 'information-requested', 'finalized', 'cancelled', 'corrected']),
    /** when the expert gave it (ISO 8601) */
    at: z.string().regex(/^\d{4}-\d{2}-\d{2}T/),
    expert: PractitionerSchema,
    /** declined, cancelled: why; information-requested: the question to the requester */
    reason: z.string().min(1).optional(),
    /** finalized, corrected: the opinion */
    opinion: z
      .strictObject({
        text: z.string().min(1),
        documents: z.array(AnswerDocumentSchema).default([]),
        /** a correction or complement replaces or adds to version `version - 1` */
        version: z.number().int().min(1).default(1),
      })
      .optional(),
    /** the answer's own id (message control id, Task version…) */
    id: z.string().min(1),
  })
  .meta({ title: 'txgate answer to a tele-expertise request' });

export type Answer = z.infer<typeof AnswerSchema>;
export type AnswerInput = z.input<typeof AnswerSchema>;
