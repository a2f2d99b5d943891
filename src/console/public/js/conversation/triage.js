// What the bot's questions found out, at the top of the conversation.
import { clear, el } from "../../kit/dom.js";
import {
  ageBandLabel,
  answerLabel,
  handoffReasonLabel,
  questionLabel,
  regionLabel,
  riskCategoryLabel,
  riskLevelLabel,
  supportWishLabel,
  topicLabel,
} from "../labels.js";

export function renderTriage(section, conv) {
  clear(section);
  section.classList.toggle("high", conv.riskLevel === "high");
  const item = (label, value, testid) =>
    el("div", { attrs: testid ? { "data-testid": testid } : {} }, [
      el("dt", { text: label }),
      value instanceof Node ? el("dd", {}, [value]) : el("dd", { text: String(value ?? "") }),
    ]);
  const chips = (values, labelOf, className = "chip") =>
    values.length
      ? el(
          "span",
          { className: "chips" },
          values.map((v) => el("span", { className, text: labelOf(v) })),
        )
      : el("span", { className: "muted", text: "なし" });
  section.append(
    el("h2", { text: "聞き取りの内容", attrs: { id: "triage-title" } }),
    el("dl", {}, [
      item("相談の内容", chips(conv.topics, topicLabel), "triage-topics"),
      item(
        "お住まい",
        `${conv.municipality ?? "未回答"}（${conv.regionName ?? regionLabel(conv.regionId)}）`,
        "triage-place",
      ),
      item("年代", ageBandLabel(conv.ageBand)),
      item("相談の方法の希望", supportWishLabel(conv.supportWish)),
      item(
        "リスク",
        conv.riskLevel === "high"
          ? el("span", { className: "chips" }, [
              el("span", { className: "badge-risk", text: "高リスク" }),
              ...conv.riskCategories.map((v) =>
                el("span", { className: "chip risk-cat", text: riskCategoryLabel(v) }),
              ),
            ])
          : riskLevelLabel(conv.riskLevel),
        "triage-risk",
      ),
      item("引き継ぎの理由", handoffReasonLabel(conv.handoffReason)),
    ]),
  );
  const answers = Object.entries(conv.triageAnswers ?? {});
  if (answers.length) {
    section.appendChild(
      el("details", {}, [
        el("summary", { text: `質問への回答（${answers.length}件）` }),
        el(
          "dl",
          {},
          answers.map(([q, a]) => item(questionLabel(q), answerLabel(q, a))),
        ),
      ]),
    );
  }
}
