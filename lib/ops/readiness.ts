/**
 * Readiness: whether this instance can serve requests now, as `/readyz`
 * reports it. Each dependency (today, the store) is one check;
 * the instance is ready when every check answers in time.
 */

export interface ReadinessCheck {
  /** Names the dependency in the reason, e.g. "store". */
  name: string;
  /** Resolves when the dependency can serve; rejects with why not. */
  check(): Promise<void>;
}

export type Readiness = { ready: true } | { ready: false; reason: string };

/** A check that has not answered within this time counts as failed. */
export const DEFAULT_CHECK_TIMEOUT_MS = 2000;
const MAX_MESSAGE_LENGTH = 200;

/** Runs every check at once; the reason names each failure, e.g. "store: store is closed". */
export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = DEFAULT_CHECK_TIMEOUT_MS): Promise<Readiness> {
  const failures = await Promise.all(checks.map((check) => failureOf(check, timeoutMs)));
  const reasons = failures.filter((failure): failure is string => failure !== undefined);
  return reasons.length === 0 ? { ready: true } : { ready: false, reason: reasons.join("; ") };
}

/** Undefined when the check passed, else "<name>: <message>". */
async function failureOf(readiness: ReadinessCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // `then` also turns a check that throws synchronously into a rejection.
    await Promise.race([Promise.resolve().then(() => readiness.check()), timeout]);
    return undefined;
  } catch (error) {
    return `${readiness.name}: ${messageOf(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}
