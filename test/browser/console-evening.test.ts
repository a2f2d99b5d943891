import type { Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { apiAs, handOverFrom, itemSaying, openConsole } from "../support/console-page";
import { eventually } from "../support/eventually";
import { gunmaOpenAroundTheClock } from "../support/presets";

/** The size the issue was tried at, and a desktop monitor. */
const SMALL = { width: 1366, height: 768 };
const LARGE = { width: 1920, height: 1080 };

/** A day in Japan, `days` from today, as YYYY-MM-DD. */
function tokyoDayIn(days: number): string {
  const at = new Date(Date.now() + days * 24 * 3600_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(at);
}

interface ApiMessage {
  id: string;
  seq: number;
  kind: string;
  label: string | null;
}

/** Where the reply box is, and whether the page itself (rather than the transcript) scrolls. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const box = document.getElementById("reply-text")?.getBoundingClientRect();
    const main = document.getElementById("main");
    const list = document.querySelector('[data-testid="messages"]');
    return {
      replyTop: box?.top ?? -1,
      replyBottom: box?.bottom ?? Infinity,
      viewport: window.innerHeight,
      pageScrolls:
        document.scrollingElement!.scrollHeight > window.innerHeight + 1 ||
        (main ? main.scrollHeight > main.clientHeight + 1 : true),
      transcriptScrolls: list ? list.scrollHeight > list.clientHeight : false,
    };
  });
}

// Each test takes her through the whole triage first.
jest.setTimeout(120_000);
describe("a counsellor's evening: transcript, closing with a follow-up, the task list", () => {
  const suite = serviceBrowserFixture({
    preset: gunmaOpenAroundTheClock(),
    accounts: [
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
      { loginName: "kita", displayName: "きただ", role: "counsellor", regionId: "seimo" },
    ],
  });

  it("claims, reads the transcript in order with her taps as labels, answers, closes with a follow-up and finds it in the task list", async () => {
    const { s, browser } = suite;
    const { page } = await openConsole(browser, s.url, "nishi", { viewport: SMALL });
    const her = s.sim.person();
    await handOverFrom(her, "高崎");
    await her.say("こんばんは。相談してもいいですか");
    await itemSaying(page, "waiting", "相談してもいいですか")
      .getByRole("button", { name: /対応する/ })
      .click();
    await page.locator('[data-testid="message"]', { hasText: "相談してもいいですか" }).waitFor();
    const id = decodeURIComponent(/#\/c\/([^/]+)$/.exec(page.url())?.[1] ?? "");

    // Her taps read as the buttons she saw, never as postback data.
    const taps = page.locator('[data-testid="tap"]');
    await expect(taps.allInnerTexts()).resolves.toEqual(
      expect.arrayContaining(["［選択］はい、大丈夫", "［選択］お金・住まい・食べもの"]),
    );
    for (const text of await taps.allInnerTexts()) expect(text).not.toMatch(/a=|n=|&/);

    // Strict order: the page shows the API's messages in its sequence, and the sequence rises.
    const view = (await apiAs(page, "GET", `/api/v1/conversations/${id}`)).body as {
      messages: ApiMessage[];
    };
    const seqs = view.messages.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const shown = await page
      .locator('[data-testid="message"]')
      .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute("data-seq"))));
    expect(shown).toEqual(seqs);
    const tapLabels = view.messages.filter((m) => m.kind === "postback").map((m) => m.label);
    expect(tapLabels).toContain("お金・住まい・食べもの");

    // The bot's runs are folded to one line each, and open on a click.
    const blocks = page.locator('[data-testid="bot-block"]');
    expect(await blocks.count()).toBeGreaterThan(0);
    const firstBlock = blocks.first();
    const hidden = firstBlock.locator('[data-testid="message"]').first();
    expect(await hidden.isVisible()).toBe(false);
    await firstBlock.locator('[data-testid="bot-block-summary"]').click();
    await hidden.waitFor({ state: "visible" });

    // One scroll area: the transcript scrolls, the page does not, the reply box is in view.
    const small = await layout(page);
    expect(small.pageScrolls).toBe(false);
    expect(small.transcriptScrolls).toBe(true);
    expect(small.replyTop).toBeGreaterThanOrEqual(0);
    expect(small.replyBottom).toBeLessThanOrEqual(small.viewport);
    await screenshot(page, "console-40-transcript-1366x768");

    const wide = await openConsole(browser, s.url, "nishi", { viewport: LARGE });
    await wide.page.goto(`${s.url}/console/#/c/${id}`);
    await wide.page
      .locator('[data-testid="message"]', { hasText: "相談してもいいですか" })
      .waitFor();
    const large = await layout(wide.page);
    expect(large.pageScrolls).toBe(false);
    expect(large.replyBottom).toBeLessThanOrEqual(large.viewport);
    expect(large.replyTop).toBeGreaterThanOrEqual(0);
    await screenshot(wide.page, "console-41-transcript-1920x1080");
    await wide.context.close();

    // She is answered, then writes again: her last message is unanswered.
    await page.getByLabel("返信", { exact: true }).fill("こんばんは。相談員のにしだです。");
    await page.getByRole("button", { name: "送信", exact: true }).click();
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text)),
      (texts) => texts.includes("こんばんは。相談員のにしだです。"),
    );
    await her.say("家を出たほうがいいのか迷っています");
    await page
      .locator('[data-testid="message"][data-direction="in"]', { hasText: "迷っています" })
      .waitFor();

    await page.locator('[data-testid="open-close"]').click();
    const warning = page.locator('[data-testid="close-unanswered"]');
    await warning.waitFor();
    await expect(warning.innerText()).resolves.toContain("家を出たほうがいいのか迷っています");
    const duration = await page.locator('[data-testid="close-duration"]').innerText();
    expect(duration).toMatch(/対応時間（最初の返信から）: \d+分/);

    // Closing without an answer is refused until she is answered or the counsellor confirms.
    await page.getByLabel("終了の理由").selectOption("follow-up");
    await page.locator('[data-testid="close-submit"]').click();
    await expect(page.locator("#close-form .form-error").innerText()).resolves.toContain(
      "返信していません",
    );
    expect(await s.db.prisma.conversation.count({ where: { id, status: "closed" } })).toBe(0);

    // A closing message from the preset answers her: the warning goes.
    await page.getByLabel("文例").selectOption({ label: "また連絡します" });
    await warning.waitFor({ state: "hidden" });
    await page
      .getByLabel("要約（相談員のための記録・400字まで）")
      .fill("家を出るか迷っている。3日後に電話で様子を聞く。");
    await page.getByLabel("日にちを決めてフォローする").check();
    await page.getByLabel("種類").selectOption("call-back");
    const due = tokyoDayIn(3);
    await page.getByLabel("期日").fill(due);
    await screenshot(page, "console-42-close-with-follow-up");
    await page.locator('[data-testid="close-submit"]').click();
    await page.locator("#close-dialog").waitFor({ state: "hidden" });

    const closingText = "今日はありがとうございました。";
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text ?? "")),
      (texts) => texts.some((t) => t.startsWith(closingText)),
    );

    // The follow-up is in the task list, as the API lists it.
    await page.getByRole("link", { name: "タスク" }).click();
    const row = page.locator('[data-testid="task"]', { hasText: due });
    await row.waitFor();
    const listed = (await apiAs(page, "GET", "/api/v1/tasks?scope=mine&status=open")).body as {
      id: string;
      dueOn: string;
      kind: string;
      pseudonym: string;
      conversationId: string;
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ dueOn: due, kind: "call-back", conversationId: id });
    await expect(page.locator('[data-testid="task"]').count()).resolves.toBe(listed.length);
    await expect(row.locator('[data-testid="task-kind"]').innerText()).resolves.toBe(
      "折り返し連絡",
    );
    await expect(row.locator('[data-testid="task-person"]').innerText()).resolves.toBe(
      listed[0]?.pseudonym,
    );
    await expect(row.locator('[data-testid="task-owner"]').innerText()).resolves.toBe("にしだ");
    await screenshot(page, "console-43-task-list");

    // Done: closed with its outcome, then listed among the closed ones.
    await row.locator('[data-testid="task-outcome-select"]').selectOption("done");
    await row.locator('[data-testid="task-close"]').click();
    await page.locator('[data-testid="task-count"]', { hasText: "0件" }).waitFor();
    await page.locator('[data-testid="tasks-tab-closed"]').click();
    await expect(
      page.locator('[data-testid="task"] [data-testid="task-outcome"]').innerText(),
    ).resolves.toContain("実施した");
    await screenshot(page, "console-44-task-closed");

    // The closed conversation keeps the record: reason, duration, summary, the follow-up.
    await page.goto(`${s.url}/console/#/c/${id}`);
    const record = page.locator('[data-testid="closing-record"]');
    await record.waitFor();
    await expect(record.locator('[data-testid="closing-reason"]').innerText()).resolves.toBe(
      "後日あらためて対応する",
    );
    await expect(record.locator('[data-testid="closing-summary"]').innerText()).resolves.toContain(
      "3日後に電話",
    );
    const audit = await s.db.prisma.auditEntry.findMany({
      where: { action: { in: ["task-create", "task-close"] } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["task-create", "task-close"]);
  });
});
