/**
 * Group-robot webhooks of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书), in the
 * message formats each documents:
 *
 * - WeCom: `{"msgtype":"markdown","markdown":{"content":…}}`; no signing (the key is in the URL);
 *   answers `{"errcode":0,"errmsg":"ok"}`.
 * - DingTalk: `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`; with a secret, the query
 *   gets `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)),
 *   URL-encoded; answers `{"errcode":0,"errmsg":"ok"}`.
 * - Feishu: `{"msg_type":"text","content":{"text":…}}`; with a secret, the body gets `timestamp`
 *   (seconds) and `sign` = base64(HMAC-SHA256 keyed with `${timestamp}\n${secret}` over nothing);
 *   answers `{"code":0,…}`.
 *
 * Each answers HTTP 200 with a non-zero `errcode`/`code` on failure: that is a failure here too.
 * The message names the subject, case, process, state and kind only: group chats get no case data.
 */
import { createHmac } from 'node:crypto';
import type { DeliveryChannel, DeliveryTarget } from './channel';
import { PermanentDeliveryError } from './channel';

export type RobotKind = 'wecom' | 'dingtalk' | 'feishu';

export interface RobotWebhook {
  /** Names the robot in the outbox (`robot:<name>`) and in errors; the URL and secret never appear. */
  name: string;
  kind: RobotKind;
  url: string;
  secret?: string;
  /** Only notifications to one of these roles (absent: any). */
  roles?: string[];
  /** Only notifications of these processes (absent: any). */
  processes?: string[];
  /** Only notifications of these kinds (absent: any). */
  kinds?: string[];
}

/** DingTalk's signature of `timestamp` (ms) with `secret`. */
export function dingtalkSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/** Feishu's signature of `timestamp` (seconds) with `secret`: the key is the string to sign, the message empty. */
export function feishuSign(timestamp: string, secret: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

/** The lines a robot posts: subject in both languages, then where it belongs. */
export function robotLines(target: DeliveryTarget): { title: string; lines: string[] } {
  const n = target.notification;
  const state = typeof n.data.state === 'string' ? n.data.state : '-';
  const title = n.subject.en === n.subject['zh-CN'] ? n.subject.en : `${n.subject['zh-CN']} / ${n.subject.en}`;
  return {
    title,
    lines: [`案件 Case: ${n.caseId}`, `流程 Process: ${n.processId}`, `状态 State: ${state}`, `类型 Kind: ${n.kind}`],
  };
}

/** The request a robot of this kind is sent for a target, at `now`. */
export function robotRequest(robot: RobotWebhook, target: DeliveryTarget, now: Date): { url: string; body: unknown } {
  const { title, lines } = robotLines(target);
  switch (robot.kind) {
    case 'wecom':
      return {
        url: robot.url,
        body: { msgtype: 'markdown', markdown: { content: [`### ${title}`, ...lines.map((l) => `> ${l}`)].join('\n') } },
      };
    case 'dingtalk': {
      const url = new URL(robot.url);
      if (robot.secret !== undefined) {
        const timestamp = String(now.getTime());
        url.searchParams.set('timestamp', timestamp);
        url.searchParams.set('sign', dingtalkSign(timestamp, robot.secret));
      }
      return {
        url: url.toString(),
        body: { msgtype: 'markdown', markdown: { title, text: [`#### ${title}`, ...lines.map((l) => `- ${l}`)].join('\n') } },
      };
    }
    case 'feishu': {
      const body: Record<string, unknown> = { msg_type: 'text', content: { text: [title, ...lines].join('\n') } };
      if (robot.secret !== undefined) {
        const timestamp = String(Math.floor(now.getTime() / 1000));
        return { url: robot.url, body: { timestamp, sign: feishuSign(timestamp, robot.secret), ...body } };
      }
      return { url: robot.url, body };
    }
  }
}

/** The robot's answer as an error message, or undefined when it accepted the message. */
export function robotRefusal(kind: RobotKind, status: number, text: string): string | undefined {
  if (status < 200 || status > 299) return `HTTP ${status}`;
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `HTTP ${status} with a body that is not JSON`;
  }
  const code = kind === 'feishu' ? (answer.code ?? answer.StatusCode) : answer.errcode;
  const message = kind === 'feishu' ? (answer.msg ?? answer.StatusMessage) : answer.errmsg;
  if (code === 0) return undefined;
  return `${kind === 'feishu' ? 'code' : 'errcode'} ${JSON.stringify(code ?? null)}: ${(typeof message === 'string' ? message : JSON.stringify(message ?? '')).slice(0, 200)}`;
}

export class RobotChannel implements DeliveryChannel {
  readonly name: string;
  constructor(
    private readonly robot: RobotWebhook,
    private readonly opts: { timeoutMs?: number; now?: () => Date } = {},
  ) {
    this.name = `robot:${robot.name}`;
  }

  applies({ notification }: DeliveryTarget): boolean {
    const { roles, processes, kinds } = this.robot;
    if (processes !== undefined && !processes.includes(notification.processId)) return false;
    if (kinds !== undefined && !kinds.includes(notification.kind)) return false;
    if (roles !== undefined && !notification.to.some((r) => r.role !== undefined && roles.includes(r.role))) return false;
    return true;
  }

  async send(target: DeliveryTarget): Promise<void> {
    const { url, body } = robotRequest(this.robot, target, (this.opts.now ?? (() => new Date()))());
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      // The URL carries the robot's key: say what failed without it.
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.name) : 'error';
      throw new Error(`${this.name}: could not post (${cause.replace(/https?:\/\/\S+/g, '<url>')})`);
    }
    const refusal = robotRefusal(this.robot.kind, res.status, await res.text());
    if (refusal === undefined) return;
    if (res.status === 404 || res.status === 401 || res.status === 403) throw new PermanentDeliveryError(`${this.name}: ${refusal}`);
    throw new Error(`${this.name}: ${refusal}`);
  }
}
