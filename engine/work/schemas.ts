import { z } from 'zod';
import type { TaskOperation, TaskOperationData } from '../work-types';

const comment = z.string().max(2000, 'a comment is at most 2000 characters');
const requiredComment = z
  .string()
  .trim()
  .min(1, 'give a comment (it is kept in the case log)')
  .max(2000, 'a comment is at most 2000 characters');
const userId = z.string().min(1, 'name a user id').max(200);
/** The task's state path, needed only when several tasks are open at once (parallel regions). */
const state = z.string().min(1).optional();

/** The data of each task operation, as the engine checks it (a `state` may name the task when several are open). */
export const taskOperationSchemas: { [K in TaskOperation]: z.ZodType<TaskOperationData[K] & { state?: string }> } = {
  'task.claim': z.object({ comment: comment.optional(), state }).strict(),
  'task.release': z.object({ comment: comment.optional(), state }).strict(),
  'task.transfer': z.object({ to: userId, comment: requiredComment, state }).strict(),
  'task.reassign': z.object({ to: userId, comment: requiredComment, state }).strict(),
  'task.addApprover': z
    .object({
      approver: z.union([z.object({ user: userId }).strict(), z.object({ role: z.string().min(1) }).strict()]),
      position: z.enum(['before', 'after', 'parallel']),
      comment: comment.optional(),
      state,
    })
    .strict(),
  'task.return': z.object({ to: z.string().min(1), comment: requiredComment, state }).strict(),
  'task.remind': z.object({ comment: comment.optional(), state }).strict(),
  'task.cc': z.object({ users: z.array(userId).min(1, 'name at least one user').max(50), comment: comment.optional() }).strict(),
  'task.withdraw': z.object({ comment: requiredComment }).strict(),
};

/** Any operation's data, parsed: the union of the fields above. */
export type AnyTaskData = Partial<{
  comment: string;
  state: string;
  to: string;
  approver: { user: string } | { role: string };
  position: 'before' | 'after' | 'parallel';
  users: string[];
}>;
