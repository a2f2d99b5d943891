import { createHash } from "node:crypto";
import { z } from "zod";
import { FOLLOW_UP_LABELS, TOPIC_LABELS } from "../conversations/coding";
import type { Preset } from "../flows/flow-types";
import type { HerRecord } from "../privacy/her-content";
import { AGE_LABELS, CHANNEL_LABELS } from "../stats/stats-types";

const iso = z.iso.datetime();
const coded = z.object({ code: z.string(), label: z.string() });

const disclosedMessageSchema = z.object({
  sentAt: iso,
  /** she: she sent it; service: the bot or a counsellor sent it to her. */
  from: z.enum(["she", "service"]),
  author: z.enum(["person", "bot", "counsellor", "system"]),
  kind: z.string(),
  /** Null: a sticker or file, a message she unsent, or text erased (see `erased`). */
  text: z.string().nullable(),
  unsent: z.boolean(),
  erased: z.boolean(),
  file: z
    .object({ contentType: z.string(), size: z.number(), kept: z.boolean(), erased: z.boolean() })
    .nullable(),
});

/** Her record for a disclosure request (開示請求): what the JSON answer and the page hold. */
export const disclosureSchema = z.object({
  generatedAt: iso,
  service: z.string(),
  person: z.object({
    pseudonym: z.string(),
    firstSeenAt: iso,
    followedAt: iso.nullable(),
    unfollowedAt: iso.nullable(),
    contactTimes: z.string().nullable(),
    erasedAt: iso.nullable(),
  }),
  conversations: z.array(
    z.object({
      id: z.uuid(),
      startedAt: iso,
      closedAt: iso.nullable(),
      status: z.string(),
      region: coded.nullable(),
      municipality: z.string().nullable(),
      topics: z.array(coded),
      ageBand: coded.nullable(),
      supportWish: z.array(z.string()),
      referrals: z.array(z.string()),
      followUps: z.array(coded),
      contentErasedAt: iso.nullable(),
      messages: z.array(disclosedMessageSchema),
    }),
  ),
  entries: z.array(
    z.object({
      id: z.uuid(),
      channel: coded,
      region: coded,
      startedAt: iso,
      durationMinutes: z.number().nullable(),
      topics: z.array(coded),
      ageBand: coded.nullable(),
      referrals: z.array(z.string()),
      followUps: z.array(coded),
    }),
  ),
});
export type Disclosure = z.infer<typeof disclosureSchema>;

const AUTHORS = new Set(["person", "bot", "counsellor", "system"]);

/** Her record with every code also in words (the preset's region names, the coding labels). */
export function disclosureOf(record: HerRecord, preset: Preset, at: Date): Disclosure {
  const label = (labels: Record<string, string>) => (code: string) => ({
    code,
    label: labels[code] ?? code,
  });
  const regions = Object.fromEntries(preset.regions.map((r) => [r.id, r.name]));
  const maybe = (labels: Record<string, string>, code: string | null) =>
    code === null ? null : label(labels)(code);
  return {
    generatedAt: at.toISOString(),
    service: preset.serviceName,
    person: {
      pseudonym: record.person.pseudonym,
      firstSeenAt: record.person.createdAt.toISOString(),
      followedAt: record.person.followedAt?.toISOString() ?? null,
      unfollowedAt: record.person.unfollowedAt?.toISOString() ?? null,
      contactTimes: record.person.contactTimes,
      erasedAt: record.person.erasedAt?.toISOString() ?? null,
    },
    conversations: record.conversations.map((c) => ({
      id: c.id,
      startedAt: c.startedAt.toISOString(),
      closedAt: c.closedAt?.toISOString() ?? null,
      status: c.status,
      region: maybe(regions, c.regionId),
      municipality: c.municipality,
      topics: c.topics.map(label(TOPIC_LABELS)),
      ageBand: maybe(AGE_LABELS, c.ageBand),
      supportWish: c.supportWish,
      referrals: c.referrals,
      followUps: c.followUps.map(label(FOLLOW_UP_LABELS)),
      contentErasedAt: c.contentErasedAt?.toISOString() ?? null,
      messages: c.messages.map((m) => ({
        sentAt: m.sentAt.toISOString(),
        from: m.direction === "in" ? ("she" as const) : ("service" as const),
        author: (AUTHORS.has(m.author)
          ? m.author
          : "system") as Disclosure["conversations"][number]["messages"][number]["author"],
        kind: m.kind,
        text: m.text,
        unsent: m.unsent,
        erased:
          m.file?.erased === true ||
          (c.contentErasedAt !== null && m.text === null && !m.unsent && m.kind === "text"),
        file: m.file,
      })),
    })),
    entries: record.entries.map((e) => ({
      id: e.id,
      channel: label(CHANNEL_LABELS)(e.channel),
      region: label(regions)(e.regionId),
      startedAt: e.startedAt.toISOString(),
      durationMinutes: e.durationMinutes,
      topics: e.topics.map(label(TOPIC_LABELS)),
      ageBand: maybe(AGE_LABELS, e.ageBand),
      referrals: e.referrals,
      followUps: e.followUps.map(label(FOLLOW_UP_LABELS)),
    })),
  };
}

// ---------- The readable page

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
/** Every value on the page goes through here: her words are text, never markup. */
const esc = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const dateTime = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const when = (isoTime: string | null) => (isoTime ? dateTime.format(new Date(isoTime)) : "—");
const labels = (items: { label: string }[]) =>
  items.length ? items.map((i) => i.label).join("、") : "—";
const plain = (items: string[]) => (items.length ? items.join("、") : "—");

/** The page's only style, allowed by its hash (no inline script, no other source). */
export const DISCLOSURE_STYLE = `body{font-family:sans-serif;line-height:1.6;margin:2em auto;max-width:46em;padding:0 1em;color:#111}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:2em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;text-align:left}
td.text{white-space:pre-wrap;word-break:break-word}.note{color:#555}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}`;

/** The CSP source allowing DISCLOSURE_STYLE. */
export const DISCLOSURE_STYLE_SOURCE = `'sha256-${createHash("sha256").update(DISCLOSURE_STYLE).digest("base64")}'`;

const FROM_LABEL: Record<string, string> = {
  person: "ご本人",
  bot: "自動応答",
  counsellor: "相談員",
  system: "システム",
};

function messageText(m: Disclosure["conversations"][number]["messages"][number]): string {
  if (m.unsent) return '<span class="note">（取り消されたメッセージ）</span>';
  if (m.erased)
    return '<span class="note">（保存期間の経過またはご本人の請求により削除されました）</span>';
  if (m.text !== null) return esc(m.text);
  if (m.file)
    return `<span class="note">（${esc(m.kind)}：${m.file.kept ? "保存あり" : "保存なし"}）</span>`;
  return `<span class="note">（${esc(m.kind)}）</span>`;
}

/** A self-contained page in Japanese, printable, every value escaped; no script. */
export function disclosurePage(d: Disclosure): string {
  const conversations = d.conversations
    .map(
      (c, i) => `<section>
<h2>LINEでのご相談 ${i + 1}（${esc(when(c.startedAt))}）</h2>
<dl>
<dt>開始</dt><dd>${esc(when(c.startedAt))}</dd>
<dt>終了</dt><dd>${esc(when(c.closedAt))}</dd>
<dt>地域</dt><dd>${esc(c.region?.label ?? "—")}${c.municipality ? `（${esc(c.municipality)}）` : ""}</dd>
<dt>相談の内容（分類）</dt><dd>${esc(labels(c.topics))}</dd>
<dt>年代</dt><dd>${esc(c.ageBand?.label ?? "—")}</dd>
<dt>紹介した窓口</dt><dd>${esc(plain(c.referrals))}</dd>
<dt>その後の支援</dt><dd>${esc(labels(c.followUps))}</dd>
</dl>
${c.contentErasedAt ? `<p class="note">このご相談のやりとりの本文は ${esc(when(c.contentErasedAt))} に削除されました。</p>` : ""}
<table><thead><tr><th>日時</th><th>送った人</th><th>内容</th></tr></thead><tbody>
${c.messages
  .map(
    (m) =>
      `<tr><td>${esc(when(m.sentAt))}</td><td>${esc(FROM_LABEL[m.author] ?? "")}</td><td class="text">${messageText(m)}</td></tr>`,
  )
  .join("\n")}
</tbody></table>
</section>`,
    )
    .join("\n");
  const entries = d.entries.length
    ? `<section><h2>LINE以外のご相談（電話・面談など）</h2>
<table><thead><tr><th>日時</th><th>方法</th><th>地域</th><th>相談の内容（分類）</th><th>紹介した窓口</th><th>その後の支援</th></tr></thead><tbody>
${d.entries
  .map(
    (e) =>
      `<tr><td>${esc(when(e.startedAt))}</td><td>${esc(e.channel.label)}</td><td>${esc(e.region.label)}</td><td>${esc(labels(e.topics))}</td><td>${esc(plain(e.referrals))}</td><td>${esc(labels(e.followUps))}</td></tr>`,
  )
  .join("\n")}
</tbody></table></section>`
    : "";
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>保有個人データの開示（${esc(d.person.pseudonym)}）</title>
<style>${DISCLOSURE_STYLE}</style>
</head><body>
<h1>保有個人データの開示</h1>
<p>${esc(d.service)}が保有している、あなたのご相談の記録です。</p>
<dl>
<dt>作成日時</dt><dd>${esc(when(d.generatedAt))}</dd>
<dt>整理番号</dt><dd>${esc(d.person.pseudonym)}</dd>
<dt>はじめてのご連絡</dt><dd>${esc(when(d.person.firstSeenAt))}</dd>
<dt>LINEのご相談</dt><dd>${d.conversations.length} 件</dd>
<dt>LINE以外のご相談</dt><dd>${d.entries.length} 件</dd>
</dl>
${conversations}
${entries}
</body></html>
`;
}
