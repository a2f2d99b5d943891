// Japanese labels. Topics, regions, follow-ups, risk levels and categories and her triage
// answers come from /api/v1/reference (the preset); the rest are codes the API returns without
// a label, named here (unknown codes show as is).

let reference = {
  regions: [],
  topics: [],
  followUps: [],
  riskLevels: [],
  riskCategories: [],
  answers: {},
  cannedReplies: [],
};

export function setReference(ref) {
  reference = ref;
}

export const getReference = () => reference;

const find = (list, key, value) => list.find((item) => item[key] === value);

export const topicLabel = (value) => find(reference.topics, "value", value)?.label ?? value;
export const regionLabel = (id) => find(reference.regions, "id", id)?.name ?? id ?? "未定";
export const followUpLabel = (value) => find(reference.followUps, "value", value)?.label ?? value;
export const riskLevelLabel = (value) => find(reference.riskLevels, "value", value)?.label ?? value;

export const riskCategoryLabel = (value) =>
  find(reference.riskCategories ?? [], "value", value)?.label ?? value;

/** Her answer to a triage question, as the flow that asked it words it. */
const answerOf = (field, value) =>
  find(reference.answers?.[field] ?? [], "value", value)?.label ?? value;

export const ageBandLabel = (value) => (value ? answerOf("ageBand", value) : "未回答");

/** supportWish is a list (she may want several ways); an empty list means not answered. */
export const supportWishLabel = (values) => {
  const list = Array.isArray(values) ? values : values ? [values] : [];
  return list.length ? list.map((v) => answerOf("supportWish", v)).join("、") : "未回答";
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

const ALERT_KINDS = {
  "wait-over-limit": "待ち時間の超過",
  emergency: "緊急対応",
  "risk-in-chat": "相談中のリスク",
};
export const alertKindLabel = (value) => ALERT_KINDS[value] ?? value;

const ON_CALL_KINDS = {
  "high-risk-out-of-hours": "受付時間外の高リスク相談",
  "high-risk-waiting": "高リスク相談の待ち時間超過",
  reminder: "再通知（10分間未確認）",
};
export const onCallKindLabel = (value) => ON_CALL_KINDS[value] ?? value;

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
export const questionLabel = (key) => QUESTIONS[key] ?? key;
export const answerLabel = (key, value) =>
  typeof value === "string" ? answerOf(key, value) : JSON.stringify(value);

const ACTIONS = {
  claim: "対応開始",
  reply: "返信",
  view: "閲覧",
  note: "メモ",
  transfer: "引き継ぎ",
  close: "終了・記録",
  emergency: "緊急対応",
  "hold-override": "終了の合図の後に送信",
  "sign-in": "サインイン",
  "sign-out": "サインアウト",
  "create-account": "アカウント作成",
  "deactivate-account": "アカウント停止",
  "reactivate-account": "アカウント再開",
  "reset-password": "パスワードのリセット",
  "change-password": "パスワードの変更",
  "end-session": "セッションの終了",
  "oncall-ack": "当番通知の確認",
  "oncall-shift-add": "当番表に追加",
  "oncall-shift-remove": "当番表から削除",
  "oncall-email": "当番のメールアドレス変更",
  "unlock-account": "サインイン制限の解除",
  "reset-second-factor": "二段階認証のリセット",
  "enable-second-factor": "二段階認証の設定",
  "disable-second-factor": "二段階認証の解除",
  "sign-in-recovery-code": "回復用コードでサインイン",
  "erase-person": "相談者の内容の削除（本人の請求）",
  "disclose-person": "相談者への開示（本人の請求）",
};
export const auditActionLabel = (value) => ACTIONS[value] ?? value;

const JOBS = {
  "process-event": "受け取ったメッセージの処理",
  "send-delivery": "LINEへの送信",
  "copy-media": "画像・ファイルの保存",
  retention: "保存期間を過ぎた内容の削除",
  "mark-read": "既読の通知",
  "conversation-silence": "返信がないときの案内",
  "queue-timer": "待ち時間の見守り",
  "oncall-timer": "当番への通知の判定",
  "oncall-webhook": "当番への通知（Webhook）",
  "oncall-mail": "当番への通知（メール）",
};
export const jobLabel = (value) => JOBS[value] ?? value;

const JOB_STATES = {
  waiting: "5分以上終わっていない",
  dead: "自動で再試行待ち",
  "given-up": "停止中（手動で再試行）",
};
export const jobStateLabel = (value) => JOB_STATES[value] ?? value;
