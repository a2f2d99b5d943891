import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { apiAs, handOverFrom, itemSaying, openConsole } from "../support/console-page";
import { latestConversationOf } from "../support/her-conversation";

/** The screen: a laptop at 1366×768. */
const LAPTOP_768 = { width: 1366, height: 768 };

const clockOf = (iso: string) =>
  new Intl.DateTimeFormat("ja-JP", {
    timeZone: "Asia/Tokyo",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));

interface MonitorItem {
  id: string;
  lastHerMessageAt: string | null;
  unansweredSince: string | null;
}

/** Supervising a shift live (issue #17, point 4). */
describe("supervision, live on both screens", () => {
  const suite = serviceBrowserFixture({
    accounts: [
      { loginName: "higashi", displayName: "ひがし", role: "counsellor", regionId: "tomo" },
      { loginName: "sv", displayName: "みなみ", role: "supervisor", regionId: null },
    ],
  });

  it("monitors her chat, notes and whispers reach the counsellor at once, alerts name who and what", async () => {
    const { s, browser } = suite;
    const higashi = (await openConsole(browser, s.url, "higashi", { viewport: LAPTOP_768 })).page;
    const sv = (await openConsole(browser, s.url, "sv", { viewport: LAPTOP_768 })).page;

    const her = s.sim.person();
    await handOverFrom(her, "太田");
    await her.say("夜になると不安になります");
    const item = itemSaying(higashi, "waiting", "夜になると不安");
    await item.waitFor();
    await item.getByRole("button", { name: /相談に対応する/ }).click();
    const { id, personId } = await latestConversationOf(s.db.prisma, her.userId);
    await higashi.waitForURL(`**/console/#/c/${id}`);
    const pseudonym = (await s.db.prisma.person.findUniqueOrThrow({ where: { id: personId } }))
      .pseudonym;

    // The monitor: who has her, and the times the API gives, in Japan time.
    await sv.getByRole("link", { name: "モニター" }).click();
    const row = sv.locator(`[data-testid="monitor-row"][data-id="${id}"]`);
    await row.waitFor();
    const api = (await apiAs(sv, "GET", "/api/v1/monitor")).body as MonitorItem[];
    const mine = api.find((r) => r.id === id);
    expect(mine?.lastHerMessageAt).not.toBeNull();
    await expect(row.getByTestId("monitor-counsellor").innerText()).resolves.toBe("ひがし");
    await expect(row.getByTestId("monitor-her-last-at").innerText()).resolves.toBe(
      clockOf(mine!.lastHerMessageAt!),
    );
    await expect(row.getByTestId("monitor-unanswered-at").innerText()).resolves.toBe(
      clockOf(mine!.unansweredSince!),
    );
    await expect(row.getByTestId("monitor-reply-last").innerText()).resolves.toBe("—");
    await screenshot(sv, "console-34-monitor");

    // The counsellor answers: the monitor follows without a reload.
    await higashi.getByTestId("reply-text").fill("こんばんは。聞かせてください。");
    await higashi.getByRole("button", { name: "送信", exact: true }).click();
    await row.getByTestId("monitor-reply-last-at").waitFor();
    await expect(row.getByTestId("monitor-unanswered").innerText()).resolves.toBe("—");

    // A note and a whisper from the supervisor show on the counsellor's screen at once.
    await row.getByRole("link", { name: pseudonym }).click();
    await sv.getByTestId("note-text").fill("経過を見ています");
    await sv.getByTestId("note-add").click();
    const notes = higashi.getByTestId("notes");
    await notes.locator('[data-testid="note"]', { hasText: "経過を見ています" }).waitFor();
    await sv.getByTestId("note-text").fill("住まいのことを先に聞いてみて");
    await sv.getByLabel("担当の相談員だけに送る（ささやき）").check();
    await sv.getByTestId("note-add").click();
    const whisper = notes.locator('[data-testid="note"][data-kind="whisper"]');
    await whisper.waitFor();
    await expect(whisper.innerText()).resolves.toContain("ささやき（ひがしさんへ）・みなみ");
    await expect(whisper.innerText()).resolves.toContain("住まいのことを先に聞いてみて");
    await higashi.locator("#toast", { hasText: "ささやきが届きました" }).waitFor();
    await screenshot(higashi, "console-35-whisper");

    // An emergency: the alert names her, her counsellor and the decision; acknowledged.
    await higashi.getByRole("button", { name: "緊急対応" }).click();
    const form = higashi.locator("#emergency-dialog");
    await form.getByLabel("死にたい気持ち・危険の訴えがある").check();
    await form.getByLabel("110番に通報した").check();
    await form.getByLabel("通報した人").fill("ひがし");
    await form.getByRole("button", { name: "記録して通知する" }).click();
    await sv.getByRole("link", { name: /アラート/ }).click();
    const alert = sv.locator('[data-testid="alert"][data-kind="emergency"]');
    await alert.waitFor();
    await expect(alert.getByTestId("alert-pseudonym").innerText()).resolves.toBe(
      `${pseudonym}さん`,
    );
    await expect(alert.getByTestId("alert-counsellor").innerText()).resolves.toBe("担当: ひがし");
    await expect(alert.getByTestId("alert-decision").innerText()).resolves.toBe(
      "判断: 110番に通報",
    );
    await screenshot(sv, "console-36-alert-named");
    await alert.getByRole("button", { name: "確認済みにする" }).click();
    await sv
      .locator('[data-testid="alerts"]', { hasText: "未確認のアラートはありません" })
      .waitFor();
    const acked = await s.db.prisma.supervisorAlert.findFirstOrThrow({
      where: { conversationId: id, kind: "emergency" },
      include: { acknowledgedBy: true },
    });
    expect(acked.acknowledgedBy?.loginName).toBe("sv");
  }, 180_000);
});
