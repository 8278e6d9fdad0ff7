/** Request shapes of the messaging routes (routes-messaging.ts). Browser-safe: zod only. */
import { z } from 'zod';

export const SetDisappearing = z.object({
  seconds: z.number().int().min(0, 'seconds: 0 (off), 300, 3600, 86400 or 604800'),
});
export const DeleteMessage = z.object({ everyone: z.boolean().optional() });
export const AcceptRequest = z.object({ name: z.string().trim().min(1).max(64).optional() });
