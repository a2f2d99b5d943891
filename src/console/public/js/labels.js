// Japanese labels. Topics, regions, follow-ups and risk levels come from /api/v1/reference;
// the rest are codes the API returns without a label, named here (unknown codes show as is).

let reference = { regions: [], topics: [], followUps: [], riskLevels: [], cannedReplies: [] };

export function setReference(ref) {
  reference = ref;
}

export const getReference = () => reference;

const find = (list, key, value) => list.find((item) => item[key] === value);

export const topicLabel = (value) => find(reference.topics, "value", value)?.label ?? value;
export const regionLabel = (id) => find(reference.regions, "id", id)?.name ?? id ?? "未定";
export const followUpLabel = (value) => find(reference.followUps, "value", value)?.label ?? value;
export const riskLevelLabel = (value) =>
  find(reference.riskLevels, "value", value)?.label ?? RISK_LEVELS[value] ?? value;

const RISK_LEVELS = { none: "なし", low: "低", medium: "中", high: "高" };

const RISK_CATEGORIES = {
  suicide: "希死念慮・自殺",
  "self-harm": "自傷",
  "violence-now": "暴力（いま・直近）",
  "abuser-nearby": "加害者が近くにいる",
  "child-danger": "子どもの危険",
  "sexual-violence": "性暴力",
  injury: "けが",
};
export const riskCategoryLabel = (value) => RISK_CATEGORIES[value] ?? value;

const AGE_BANDS = {
  "10s": "10代",
  "20s": "20代",
  "30s": "30代",
  "40s": "40代",
  "50s": "50代",
  "60plus": "60代以上",
};
export const ageBandLabel = (value) => (value ? (AGE_BANDS[value] ?? value) : "未回答");

const SUPPORT_WISHES = {
  chat: "このままLINEで",
  phone: "電話で話したい",
  meeting: "会って話したい",
  accompany: "窓口に一緒に行ってほしい",
  undecided: "まだわからない",
};
/** supportWish is a list (she may want several ways); an empty list means not answered. */
export const supportWishLabel = (values) => {
  const list = Array.isArray(values) ? values : values ? [values] : [];
  return list.length ? list.map((v) => SUPPORT_WISHES[v] ?? v).join("、") : "未回答";
};

const HANDOFF_REASONS = {
  risk: "危険のサインを検知",
  requested: "本人が相談員を希望",
  completed: "質問に回答して引き継ぎ",
  "flow-changed": "質問の流れが変わったため",
};
export const handoffReasonLabel = (value) => (value ? (HANDOFF_REASONS[value] ?? value) : "—");

const STATUSES = {
  bot: "自動応答中",
  waiting: "待機中",
  active: "対応中",
  closed: "終了",
  abandoned: "終了（待機中に離脱）",
};
export const statusLabel = (value) => STATUSES[value] ?? value;

const ROLES = { counsellor: "相談員", supervisor: "スーパーバイザー", admin: "管理者" };
export const roleLabel = (value) => ROLES[value] ?? value;

const DECISIONS = {
  "called-110": "110番に通報",
  "called-119": "119番に通報",
  "no-call": "通報なし",
};
export const decisionLabel = (value) => DECISIONS[value] ?? value;

const ALERT_KINDS = { "wait-over-limit": "待ち時間の超過", emergency: "緊急対応" };
export const alertKindLabel = (value) => ALERT_KINDS[value] ?? value;

/** Questions of the triage flow (field names in triageAnswers) and their answers. */
const QUESTIONS = {
  safeNow: "いま安心してやりとりできるか",
  partnerNearby: "相手がそばにいるか",
  children: "子ども",
  injury: "けが・体の痛み",
  foodToday: "今日食べるもの",
  housingAtRisk: "住まい・今夜泊まるところ",
  workIssue: "仕事のこと",
  employment: "いまの仕事",
  mood: "こころの調子",
  someoneToTalk: "話を聞いてくれる人",
};
const ANSWERS = {
  yes: "はい",
  no: "いいえ",
  "with-her": "いる（一緒にいる）",
  apart: "いる（離れている）",
  none: "いない・なし",
  "job-loss": "仕事を失った・失いそう",
  harassment: "職場でいやなことがある",
  "cannot-work": "働けない・見つからない",
  "pay-conditions": "給料や働き方のこと",
  "full-time": "正社員",
  "part-time": "パート・アルバイト",
  temporary: "派遣・契約",
  sleep: "眠れない",
  anxious: "不安・落ちこむ",
  lonely: "さみしい・ひとり",
  "wish-to-disappear": "消えたい気持ちがある",
};
export const questionLabel = (key) => QUESTIONS[key] ?? key;
export const answerLabel = (value) =>
  typeof value === "string" ? (ANSWERS[value] ?? value) : JSON.stringify(value);

const ACTIONS = {
  claim: "対応開始",
  reply: "返信",
  view: "閲覧",
  note: "メモ",
  transfer: "引き継ぎ",
  close: "終了・記録",
  emergency: "緊急対応",
  "sign-in": "サインイン",
  "sign-out": "サインアウト",
  "create-account": "アカウント作成",
};
export const auditActionLabel = (value) => ACTIONS[value] ?? value;
