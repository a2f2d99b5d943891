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
  /** Content she sent (an image…) from the data API; `content` is set when `sent`. */
  getContent(
    lineMessageId: string,
  ): Promise<LineCallResult & { content?: { bytes: Buffer; contentType: string } }>;
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
  const blobClient = new messagingApi.MessagingApiBlobClient({
    channelAccessToken: options.channelAccessToken,
    baseURL: options.dataApiBaseUrl,
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
      let content: { bytes: Buffer; contentType: string } | undefined;
      const result = await call("content", async () => {
        const response = await blobClient.getMessageContentWithHttpInfo(lineMessageId);
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
        content = {
          bytes: Buffer.concat(chunks),
          contentType:
            response.httpResponse.headers.get("content-type") ?? "application/octet-stream",
        };
        return response;
      });
      return content ? { ...result, content } : result;
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
