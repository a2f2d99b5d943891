import { HTTPFetchError, messagingApi } from "@line/bot-sdk";
import type { Metrics } from "../metrics";

type Message = messagingApi.Message;

/**
 * What became of one call to LINE:
 * - `sent`: accepted (for a push with a retry key, also LINE's 409 "already accepted");
 * - `retryable`: 5xx, 429 or no answer in time: the same call may be made again;
 * - `rejected`: any other 4xx: sending it again would fail again.
 */
export type LineCallResult =
  | { outcome: "sent"; status: number; requestId: string | undefined }
  | {
      outcome: "retryable" | "rejected";
      status: number;
      requestId: string | undefined;
      reason: string;
    };

export interface LineMessenger {
  reply(replyToken: string, messages: Message[]): Promise<LineCallResult>;
  push(to: string, messages: Message[], retryKey: string): Promise<LineCallResult>;
  showLoading(chatId: string, seconds: number): Promise<LineCallResult>;
  markAsRead(markAsReadToken: string): Promise<LineCallResult>;
  /**
   * Content she sent (an image…) from the data API, as it streams in; `content` is set when
   * `sent`. The caller reads it piece by piece and never needs the whole file at once.
   */
  getContent(lineMessageId: string): Promise<LineCallResult & { content?: LineContent }>;
}

/** LINE's answer with her file, its body not read yet. */
export interface LineContent {
  /** The type LINE declared (not proof of what the bytes are). */
  contentType: string;
  /** Content-Length, when LINE sent one. */
  length: number | undefined;
  /**
   * The body as it arrives. Leaving the loop early cancels the download; a stall longer than
   * the messenger's timeout between two pieces throws (the copy is tried again).
   */
  pieces: AsyncIterable<Uint8Array>;
  /** Stops the download without reading it (e.g. LINE declared more than the cap). */
  cancel(): Promise<void>;
}

export interface LineMessengerOptions {
  channelAccessToken: string;
  apiBaseUrl: string;
  dataApiBaseUrl: string;
  timeoutMs?: number;
  metrics: Pick<Metrics, "lineApiCalls">;
}

/** The one module that talks to the LINE platform. */
export function createLineMessenger(options: LineMessengerOptions): LineMessenger {
  const client = new messagingApi.MessagingApiClient({
    channelAccessToken: options.channelAccessToken,
    baseURL: options.apiBaseUrl,
  });
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function call(
    endpoint: string,
    send: () => Promise<{ httpResponse: Response }>,
  ): Promise<LineCallResult> {
    const result = await classify(withTimeout(send(), timeoutMs));
    options.metrics.lineApiCalls.inc({ endpoint, status: String(result.status) });
    return result;
  }

  return {
    reply: (replyToken, messages) =>
      call("reply", () => client.replyMessageWithHttpInfo({ replyToken, messages })),
    push: (to, messages, retryKey) =>
      call("push", () => client.pushMessageWithHttpInfo({ to, messages }, retryKey)),
    showLoading: (chatId, loadingSeconds) =>
      call("loading", () => client.showLoadingAnimationWithHttpInfo({ chatId, loadingSeconds })),
    markAsRead: (markAsReadToken) =>
      call("markAsRead", () => client.markMessagesAsReadByTokenWithHttpInfo({ markAsReadToken })),
    async getContent(lineMessageId) {
      const result = await fetchContent(options, lineMessageId, timeoutMs);
      options.metrics.lineApiCalls.inc({ endpoint: "content", status: String(result.status) });
      return result;
    },
  };
}

/**
 * GET /v2/bot/message/{messageId}/content with fetch itself rather than the SDK's blob client:
 * the SDK's stream cannot be cancelled, and a copy over the cap must stop the download.
 */
async function fetchContent(
  options: LineMessengerOptions,
  lineMessageId: string,
  timeoutMs: number,
): Promise<LineCallResult & { content?: LineContent }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const base = options.dataApiBaseUrl.replace(/\/+$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}/v2/bot/message/${encodeURIComponent(lineMessageId)}/content`, {
      headers: { authorization: `Bearer ${options.channelAccessToken}` },
      signal: controller.signal,
    });
  } catch (error) {
    clearTimeout(timer);
    const reason = controller.signal.aborted
      ? `no answer from LINE in ${timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : "network error";
    return { outcome: "retryable", status: 0, requestId: undefined, reason };
  }
  const requestId = requestIdOf(response.headers);
  if (!response.ok || !response.body) {
    const body = await response.text().catch(() => "");
    clearTimeout(timer);
    const retryable = response.status >= 500 || response.status === 429;
    const reason = lineErrorMessage(body) ?? response.statusText;
    return {
      outcome: retryable ? "retryable" : "rejected",
      status: response.status,
      requestId,
      reason,
    };
  }
  const reader = response.body.getReader();
  let finished = false;
  const cancel = async () => {
    clearTimeout(timer);
    if (finished) return;
    finished = true;
    await reader.cancel().catch(() => undefined);
  };
  async function* pieces(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        timer.refresh(); // the timeout counts from the last piece: a large file may take a while
        const next = await reader.read();
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      await cancel();
    }
  }
  const length = Number(response.headers.get("content-length") ?? NaN);
  return {
    outcome: "sent",
    status: response.status,
    requestId,
    content: {
      contentType: response.headers.get("content-type") ?? "application/octet-stream",
      length: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
      pieces: pieces(),
      cancel,
    },
  };
}

class LineTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LineTimeout(`no answer from LINE in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function classify(pending: Promise<{ httpResponse: Response }>): Promise<LineCallResult> {
  try {
    const { httpResponse } = await pending;
    return {
      outcome: "sent",
      status: httpResponse.status,
      requestId: requestIdOf(httpResponse.headers),
    };
  } catch (error) {
    if (error instanceof HTTPFetchError) return classifyHttpError(error);
    const reason = error instanceof Error ? error.message : "network error";
    return { outcome: "retryable", status: 0, requestId: undefined, reason };
  }
}

function classifyHttpError(error: HTTPFetchError): LineCallResult {
  const requestId = requestIdOf(error.headers);
  const reason = lineErrorMessage(error.body) ?? error.statusText;
  if (error.status === 409 && error.headers.get("x-line-accepted-request-id")) {
    // A push with this retry key was accepted before: it is delivered, not a failure.
    const accepted = error.headers.get("x-line-accepted-request-id") ?? requestId;
    return { outcome: "sent", status: 409, requestId: accepted };
  }
  const retryable = error.status >= 500 || error.status === 429;
  return { outcome: retryable ? "retryable" : "rejected", status: error.status, requestId, reason };
}

function requestIdOf(headers: Headers): string | undefined {
  return headers.get("x-line-request-id") ?? undefined;
}

/** LINE's error body is `{message, details?}`; only its message is kept (it holds no content). */
function lineErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === "string" ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
