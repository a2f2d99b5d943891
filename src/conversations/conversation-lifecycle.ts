/**
 * A conversation's life, in one table: the statuses it can be in, the moves between them, and
 * what each move is called in the audit log. Every status change in the service goes through
 * `conversation-repository.ts`, which looks the move up here. Pure, so the rules read in one
 * place and `README.md`'s diagram is generated from them (a test keeps the two the same).
 */

export const CONVERSATION_STATUSES = ["bot", "waiting", "active", "closed", "abandoned"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** A refusal the counsellor sees when a move does not fit the conversation's status. */
export interface Refusal {
  code: string;
  message: string;
  status: number;
}

export interface MoveSpec {
  /** Why this move happens, in a few words (the README's table). */
  when: string;
  /** From each status the move may start from, the status it leads to. */
  from: Partial<Record<ConversationStatus, ConversationStatus>>;
  /** The audit log's name for it. */
  audit: string;
  /** For moves a counsellor asks for: what she or he is told when it does not fit. */
  refusal?: Refusal;
}

export const MOVES = {
  handoff: {
    when: "triage is done, she asks for a person, or a risk word is seen",
    from: { bot: "waiting" },
    audit: "handoff",
  },
  claim: {
    when: "a counsellor takes her from the queue",
    from: { waiting: "active" },
    audit: "claim",
    refusal: { code: "ALREADY_TAKEN", message: "Someone else took this conversation", status: 409 },
  },
  "transfer-to-colleague": {
    when: "a counsellor hands her to a named colleague",
    from: { waiting: "active", active: "active" },
    audit: "transfer",
    refusal: {
      code: "NOT_OPEN",
      message: "Only an open conversation can be transferred",
      status: 409,
    },
  },
  "transfer-to-region": {
    when: "a counsellor puts her in another region's queue (her place kept)",
    from: { waiting: "waiting", active: "waiting" },
    audit: "transfer",
    refusal: {
      code: "NOT_OPEN",
      message: "Only an open conversation can be transferred",
      status: 409,
    },
  },
  "return-to-queue": {
    when: "her counsellor did not answer within the region's limit, or was deactivated",
    from: { active: "waiting" },
    audit: "returned-to-queue",
  },
  close: {
    when: "her counsellor closes the consultation with coding",
    from: { active: "closed" },
    audit: "close",
    refusal: { code: "NOT_ACTIVE", message: "Take the conversation before answering", status: 409 },
  },
  end: {
    when: "the flow ends (exit word, silence, done): a bot chat closes, a wait is abandoned",
    from: { bot: "closed", waiting: "abandoned" },
    audit: "end",
  },
  reopen: {
    when: "she writes again within the hour after a counsellor closed",
    from: { closed: "waiting" },
    audit: "reopen",
  },
  block: {
    when: "she blocks the account (a counsellor's chat stays open for coding)",
    from: { bot: "closed", waiting: "abandoned" },
    audit: "blocked",
  },
} as const satisfies Record<string, MoveSpec>;

export type Move = keyof typeof MOVES;

/** The table, read through its general shape. */
export function moveSpec(move: Move): MoveSpec {
  const table: Record<Move, MoveSpec> = MOVES;
  return table[move];
}

/** Where `move` leads from `status`; undefined when it is not allowed from there. */
export function nextStatus(move: Move, status: ConversationStatus): ConversationStatus | undefined {
  return moveSpec(move).from[status];
}

/** The statuses a conversation is open in (she can still be answered or handed on). */
export const OPEN_STATUSES = ["bot", "waiting", "active"] as const satisfies ConversationStatus[];

/** The table as a mermaid state diagram: `src/conversations/README.md` shows exactly this. */
export function lifecycleDiagram(): string {
  const lines = ["stateDiagram-v2", "    [*] --> bot: she writes or adds the account"];
  for (const move of Object.keys(MOVES) as Move[]) {
    const spec = moveSpec(move);
    for (const [from, to] of Object.entries(spec.from)) {
      lines.push(`    ${from} --> ${to}: ${move}`);
    }
  }
  return lines.join("\n");
}
