import { readFileSync } from "node:fs";
import path from "node:path";
import {
  CONVERSATION_STATUSES,
  lifecycleDiagram,
  MOVES,
  moveSpec,
  nextStatus,
  OPEN_STATUSES,
  type Move,
} from "../../../src/conversations/conversation-lifecycle";

const README = readFileSync(
  path.resolve(__dirname, "../../../src/conversations/README.md"),
  "utf8",
);
const moves = Object.keys(MOVES) as Move[];

describe("the conversation lifecycle table", () => {
  it("is what src/conversations/README.md draws and lists", () => {
    expect(README).toContain("```mermaid\n" + lifecycleDiagram() + "\n```");
    for (const move of moves) {
      const spec = moveSpec(move);
      const fromTo = Object.entries(spec.from)
        .map(([from, to]) => `${from} → ${to}`)
        .join(", ");
      const row = new RegExp(
        `^\\| \`${move}\` +\\| ${fromTo} +\\| ${escape(spec.when)} +\\| \`${spec.audit}\` +\\|$`,
        "m",
      );
      expect(README).toMatch(row);
    }
  });

  it("never lets the bot or her blocking end a counsellor's chat", () => {
    for (const move of ["end", "block", "handoff", "reopen"] as const) {
      expect(nextStatus(move, "active")).toBeUndefined();
    }
    expect(nextStatus("close", "active")).toBe("closed");
    expect(nextStatus("return-to-queue", "active")).toBe("waiting");
  });

  it("lets only a waiting conversation be claimed, and a closed one only reopen", () => {
    const claimable = CONVERSATION_STATUSES.filter((s) => nextStatus("claim", s));
    expect(claimable).toEqual(["waiting"]);
    const fromClosed = moves.filter((m) => nextStatus(m, "closed"));
    expect(fromClosed).toEqual(["reopen"]);
    // Abandoned is final: she left the queue; her next message starts a new consultation.
    expect(moves.filter((m) => nextStatus(m, "abandoned"))).toEqual([]);
  });

  it("tells a counsellor why a move was refused, with the code clients rely on", () => {
    const transfer = {
      code: "NOT_OPEN",
      message: "Only an open conversation can be transferred",
      status: 409,
    };
    expect(Object.fromEntries(moves.map((m) => [m, moveSpec(m).refusal]))).toEqual({
      handoff: undefined,
      claim: { code: "ALREADY_TAKEN", message: "Someone else took this conversation", status: 409 },
      "transfer-to-colleague": transfer,
      "transfer-to-region": transfer,
      "return-to-queue": undefined,
      close: { code: "NOT_ACTIVE", message: "Take the conversation before answering", status: 409 },
      end: undefined,
      reopen: undefined,
      block: undefined,
    });
  });

  it("finds her open conversation among bot, waiting and active only", () => {
    expect(CONVERSATION_STATUSES).toEqual(["bot", "waiting", "active", "closed", "abandoned"]);
    expect(OPEN_STATUSES).toEqual(["bot", "waiting", "active"]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
