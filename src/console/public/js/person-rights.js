// Admins, on 管理: a woman's request about her data, found by her pseudonym. Disclosure (開示請求)
// opens her record as a printable page or downloads it as JSON; erasure removes her content and
// keeps her counts. Both are audited by the server, which also checks role and region.
import { api } from "../kit/api.js";
import { clear, el } from "../kit/dom.js";
import { describeError as describeConsole } from "./errors.js";
import { formatFullDate } from "./format.js";
import { regionLabel } from "./labels.js";
import { toast } from "./toast.js";

const MESSAGES = {
  PERSON_NOT_FOUND: "その仮名の相談者は見つかりません（管理の範囲外か、すでに削除されています）。",
  PERSON_OUTSIDE_REGION:
    "この相談者にはほかの地域の記録もあります。すべての地域を担当する管理者が対応してください。",
  PERSON_HAS_OPEN_CONVERSATION:
    "終了していない相談があります。相談を終了してから削除してください。",
  ALREADY_ERASED: "この相談者の内容はすでに削除されています。",
  CONFIRMATION_MISMATCH: "確認のため、仮名をそのとおりに入力してください。",
};
const describeError = (error) => (error?.code && MESSAGES[error.code]) || describeConsole(error);

const peoplePath = (pseudonym) => `/api/v1/people/${encodeURIComponent(pseudonym)}`;

export function personRightsPanel() {
  const input = el("input", {
    attrs: { id: "rights-pseudonym", "data-testid": "rights-pseudonym", autocomplete: "off" },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const result = el("div", { attrs: { "data-testid": "rights-person", "aria-live": "polite" } });
  const find = async (event) => {
    event.preventDefault();
    error.textContent = "";
    clear(result);
    const pseudonym = input.value.trim();
    if (!pseudonym) return;
    try {
      const person = await api("GET", peoplePath(pseudonym));
      result.append(...personDetail(person, error, () => clear(result)));
    } catch (e) {
      error.textContent = describeError(e);
    }
  };
  return el("section", { className: "panel", attrs: { "aria-labelledby": "rights-title" } }, [
    el("h2", { text: "相談者からの開示・削除の請求", attrs: { id: "rights-title" } }),
    el("p", {
      className: "muted small",
      text: "ご本人からの請求を確かめたうえで、仮名（例：凪すみれ-7KQ2XM）で探します。開示も削除も操作の記録に残ります。",
    }),
    el("form", { on: { submit: find } }, [
      el("label", { text: "相談者の仮名", attrs: { for: "rights-pseudonym" } }),
      input,
      el("button", { text: "探す", attrs: { type: "submit", "data-testid": "rights-find" } }),
    ]),
    error,
    result,
  ]);
}

function personDetail(person, error, onErased) {
  const path = peoplePath(person.pseudonym);
  const facts = el("dl", { className: "facts" }, [
    el("dt", { text: "仮名" }),
    el("dd", { text: person.pseudonym }),
    el("dt", { text: "はじめての連絡" }),
    el("dd", { text: formatFullDate(person.firstSeenAt) }),
    el("dt", { text: "LINEの相談" }),
    el("dd", {
      text: `${person.conversations}件（終了していないもの ${person.openConversations}件）`,
    }),
    el("dt", { text: "LINE以外の相談" }),
    el("dd", { text: `${person.entries}件` }),
    el("dt", { text: "地域" }),
    el("dd", { text: person.regions.map(regionLabel).join("、") || "—" }),
  ]);
  if (person.erasedAt) {
    return [
      facts,
      el("p", {
        text: `この相談者の内容は ${formatFullDate(person.erasedAt)} に削除されました（件数は集計に残っています）。`,
        attrs: { "data-testid": "rights-erased" },
      }),
    ];
  }
  const disclosure = el("p", {}, [
    el("a", {
      text: "開示する内容を開く（印刷用ページ）",
      attrs: {
        href: `${path}/disclosure.html`,
        target: "_blank",
        rel: "noopener",
        "data-testid": "rights-disclosure-page",
      },
    }),
    " ",
    el("a", {
      text: "JSONで保存",
      attrs: {
        href: `${path}/disclosure`,
        download: `開示-${person.pseudonym}.json`,
        "data-testid": "rights-disclosure-json",
      },
    }),
  ]);
  const confirm = el("input", {
    attrs: { id: "rights-confirm", "data-testid": "rights-confirm", autocomplete: "off" },
  });
  const erase = el("button", {
    className: "danger",
    text: "この相談者の内容を削除する",
    attrs: { type: "submit", "data-testid": "rights-erase" },
  });
  const form = el(
    "form",
    {
      on: {
        submit: async (event) => {
          event.preventDefault();
          error.textContent = "";
          erase.disabled = true;
          try {
            const erased = await api("POST", `${path}/erase`, { confirm: confirm.value.trim() });
            toast(
              `削除しました（相談 ${erased.conversations}件、メッセージ ${erased.messages}件、ファイル ${erased.files}件）。件数は集計に残ります。`,
            );
            onErased();
          } catch (e) {
            error.textContent = describeError(e);
            erase.disabled = false;
          }
        },
      },
    },
    [
      el("p", {
        className: "muted small",
        text: "メッセージの本文・画像・メモ・緊急対応のメモ・送信内容・LINEの識別子を消します。相談の件数と分類は集計に残ります。元には戻せません。同じ人がまた連絡してきたときは、新しい相談者として扱われます。",
      }),
      el("label", { text: "確認のため仮名を入力", attrs: { for: "rights-confirm" } }),
      confirm,
      erase,
    ],
  );
  return [facts, disclosure, form];
}
