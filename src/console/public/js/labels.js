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

export const taskKindLabel = (value) =>
  find(reference.taskKinds ?? [], "value", value)?.label ?? value;
export const taskOutcomeLabel = (value) =>
  find(reference.taskOutcomes ?? [], "value", value)?.label ?? value;
export const partnerKindLabel = (value) =>
  find(reference.partnerKinds ?? [], "value", value)?.label ?? value;
export const consentLabel = (value) =>
  find(reference.referralConsents ?? [], "value", value)?.label ?? value;
export const referralOutcomeLabel = (value) =>
  find(reference.referralOutcomes ?? [], "value", value)?.label ?? value;
export const closeReasonLabel = (value) =>
  find(reference.closeReasons ?? [], "value", value)?.label ?? value;

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
  preview: "対応前の閲覧（プレビュー）",
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
  "sign-in-failed": "サインイン失敗",
  "change-display-name": "表示名の変更",
  "media-view": "画像・ファイルの閲覧",
  "export-csv": "CSVの書き出し",
  "export-xlsx": "Excelの書き出し",
  "record-entry": "相談の記録（電話・メール・来所など）",
  "correct-entry": "相談の記録の修正",
  "delete-entry": "相談の記録の削除",
  "link-entry": "相談の記録を相談者に紐付け",
  "unlink-entry": "相談の記録の紐付けを外す",
  "alert-ack": "アラートの確認",
  "audit-prune": "操作の記録の整理（保存期間）",
  handoff: "相談員へ（ボットから）",
  "returned-to-queue": "待ちに戻る",
  end: "終了（ボット・待ちの取り下げ）",
  reopen: "再開（終了後に再び連絡）",
  blocked: "ブロック",
  "erase-person": "相談者の内容の削除（本人の請求）",
  "disclose-person": "相談者への開示（本人の請求）",
  "task-create": "タスクの作成",
  "task-close": "タスクの完了",
  "gathering-create": "居場所の予定の追加",
  "gathering-change": "居場所の変更・参加人数の記録",
  "gathering-cancel": "居場所の中止",
  "gathering-link": "居場所の参加者の記録（本人の同意あり）",
  "gathering-unlink": "居場所の参加者の記録を外す",
  "handout-record": "生理用品の配布の記録",
  "handout-delete": "生理用品の配布の記録の削除",
};
export const auditActionLabel = (value) => ACTIONS[value] ?? value;

// The audit detail holds codes, ids, booleans, numbers and dates only: shown as 「項目: 値」, in
// this order, each value in words where the console has them.
const DETAIL_KEYS = {
  accountId: "アカウント",
  counsellorId: "アカウント",
  from: "前",
  to: "後",
  reason: "理由",
  step: "段階",
  secondFactor: "二段階認証",
  toCounsellorId: "引き継ぎ先",
  toRegionId: "引き継ぎ先の地域",
  closedConfirmed: "受付時間外を承知",
  regionId: "地域",
  role: "役割",
  kind: "種類",
  decision: "判断",
  topics: "主訴",
  followUps: "対応",
  riskLevel: "リスク",
  referralCount: "紹介先の数",
  afterMinutes: "返信なしの時間（分）",
  file: "ファイル",
  fiscalYear: "年度",
  month: "月",
  channel: "経路",
  topic: "主訴",
  ageBand: "年代",
  rows: "件数",
  entryId: "記録",
  changed: "修正した項目",
  gatheringId: "居場所",
  headCount: "参加人数",
  consent: "本人の同意",
  handoutId: "配布の記録",
  pickupPointId: "受け取り場所",
  quantity: "個数",
  download: "ダウンロード",
  heldSince: "終了の合図",
  unsafeFirstLineConfirmed: "1行目の注意を承知",
  priority: "順位",
  set: "設定",
  sessions: "セッション数",
  removedBefore: "この日時より前を削除",
  removed: "削除した件数",
  restartSeq: "記録の連なりの再開位置",
  via: "操作元",
  messageId: "メッセージ",
  sessionId: "セッション",
  alertId: "アラート",
  notificationId: "通知",
  shiftId: "当番",
};
const WORDS = {
  "unknown-name": "登録のないログイン名",
  "wrong-password": "パスワード違い",
  inactive: "停止中のアカウント",
  throttled: "試行回数の制限",
  "code-wrong": "コード違い",
  expired: "期限切れ",
  password: "パスワード",
  "second-factor": "二段階認証",
  totp: "認証アプリ",
  "recovery-code": "回復用コード",
  "report-csv": "集計表",
  "records-csv": "相談記録（個人を特定しない）",
  "admin-command": "コマンド（npm run admin）",
  "counsellor-deactivated": "担当者のアカウント停止",
  "exit-word": "終了の合図",
  "not-safe-now": "いま安全に話せない",
  silence: "応答がないため",
  done: "最後まで進んだ",
};
const words = (value) => WORDS[value] ?? value;
const shortId = (value) => String(value).slice(0, 8);
const DETAIL_VALUES = {
  from: statusLabel,
  to: statusLabel,
  reason: (v) => WORDS[v] ?? handoffReasonLabel(v),
  role: roleLabel,
  kind: (v) => ALERT_KINDS[v] ?? onCallKindLabel(v),
  decision: decisionLabel,
  topics: topicLabel,
  topic: topicLabel,
  followUps: followUpLabel,
  riskLevel: riskLevelLabel,
  regionId: regionLabel,
  toRegionId: regionLabel,
  messageId: shortId,
  sessionId: shortId,
  alertId: shortId,
  notificationId: shortId,
  shiftId: shortId,
  toCounsellorId: shortId,
  accountId: shortId,
  counsellorId: shortId,
};
const detailValue = (key, value) => {
  if (value === true) return "はい";
  if (value === false) return "いいえ";
  const one = DETAIL_VALUES[key] ?? words;
  return Array.isArray(value) ? value.map((v) => one(v)).join("・") : one(value);
};
const ORDER = Object.keys(DETAIL_KEYS);
const rank = (key) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);
/** An audit row's detail, readable; `subject` is the account it names, as the server resolved it. */
export const auditDetailText = (detail, subject) =>
  Object.entries(detail ?? {})
    .filter(([, value]) => value !== null && value !== undefined)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, value]) =>
      (key === "accountId" || key === "counsellorId") && subject
        ? `${DETAIL_KEYS[key]}: ${subject}`
        : `${DETAIL_KEYS[key] ?? key}: ${detailValue(key, value)}`,
    )
    .join("、");

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
