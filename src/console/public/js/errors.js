// What the console says for the API's error codes; those any page shares are in kit/api.js,
// the sign-in's in kit/sign-in.js.
import { describeError as describe } from "../kit/api.js";

const MESSAGES = {
  NOT_FOUND: "この相談は見つかりません（担当の範囲外か、すでにありません）。",
  ALREADY_TAKEN: "ほかの相談員が対応を始めました",
  NOT_ACTIVE: "対応を始めてから返信してください。",
  NOT_YOURS: "ほかの相談員が担当しています。",
  NOT_OPEN: "終了した相談は引き継げません。",
  BAD_TARGET: "その引き継ぎ先は選べません。",
  REGION_CLOSED: "その地域はいま受付時間外です。確かめてから、もう一度引き継いでください。",
  PASSWORD_TOO_SHORT: "パスワードは12文字以上にしてください。",
  LOGIN_TAKEN: "そのログイン名はすでに使われています。",
  REGION_REQUIRED: "相談員には担当地域が必要です。",
  SENDING_HELD: "相談者が終了の合図を送ったため、送信を止めています。",
  UNSAFE_FIRST_LINE: "1行目がロック画面に出ると危ない言葉を含んでいます。",
  ONCALL_NO_EMAIL: "この人は通知先のメールアドレスが未登録のため、当番にできません。",
  ONCALL_NOT_ELIGIBLE: "当番にできるのは、スーパーバイザーと管理者です。",
  ONCALL_OUT_OF_REGION: "この人はその地域の相談を見られないため、その地域の当番にできません。",
  FORBIDDEN_REGION: "自分の担当地域の当番だけを変更できます。",
  UNKNOWN_REGION: "その地域はありません。",
  LAST_MESSAGE_UNANSWERED:
    "相談者の最後のメッセージに返信していません。終了のメッセージを送るか、返信せずに終了することを確かめてください。",
  DUE_DATE_PAST: "期日は今日以降の日にしてください。",
  BAD_OWNER: "その人はこの地域のタスクを担当できません。",
  TASK_CLOSED: "このタスクはすでに完了しています。",
  TASK_OUT_OF_REGION: "自分の担当地域のタスクだけを作れます。",
  TASK_REGION_REQUIRED: "タスクの地域を選んでください。",
  TASK_FOLLOWS_ONE: "タスクが続く相談は一つだけ選んでください。",
  TASK_REGION_MISMATCH: "その記録は別の地域のものです。",
  NO_APPOINTMENT: "時刻を入れられるのは訪問と同行だけです。",
  NO_PARTNER: "同行先を選べるのは同行だけです。",
  UNKNOWN_PARTNER: "その同行先は登録されていません。",
  PARTNER_ARCHIVED: "その同行先はもう使われていません。",
  UNKNOWN_PERSON: "その仮名の相談者は見つかりません。",
  UNKNOWN_CASE: "そのケース番号の記録はこの地域にありません。",
  ENTRY_LINKED: "この記録はすでに相談者に紐付いています。先に紐付けを外してください。",
  ENTRY_NOT_LINKED: "この記録は相談者に紐付いていません。",
  CHAT_LIMIT_REACHED:
    "同時に対応できる相談の数に達しています。いまの相談を終えるか引き継いでから対応してください。",
  NO_COUNSELLOR: "この相談にはいま担当の相談員がいないため、ささやきは送れません。",
  UNKNOWN_PLACEHOLDER: "差し込みに使えるのは {{counsellorName}}（自分の表示名）だけです。",
  CANNED_REPLY_LIMIT: "自分の定型文はこれ以上保存できません。使わないものを削除してください。",
};

/** A Japanese sentence for an API error, for the person at the screen. */
export const describeError = (error) => describe(error, MESSAGES);
