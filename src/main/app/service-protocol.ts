/**
 * Messages between the Electron main process and the utility process that hosts the engine.
 * Validated on arrival with zod: the two sides are separate processes and trust nothing implicitly.
 */
import { z } from 'zod';

export const ToServiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string().max(100), params: z.unknown() }),
  z.object({
    type: z.literal('media'),
    id: z.number().int(),
    variant: z.enum(['thumb', 'preview', 'original']),
    fileId: z.number().int().positive(),
  }),
  z.object({ type: z.literal('close') }),
]);
export type ToService = z.infer<typeof ToServiceSchema>;

export const FromServiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.boolean(), value: z.unknown(), status: z.number().int().optional() }),
  z.object({ type: z.literal('event'), event: z.unknown() }),
  z.object({ type: z.literal('reveal'), path: z.string() }),
  z.object({ type: z.literal('ready') }),
]);
export type FromService = z.infer<typeof FromServiceSchema>;
