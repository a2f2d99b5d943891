// What a conversation's status and its assignment let me do with it.
import { isSupervising, state } from "../state.js";

export const isOpen = (conv) => conv.status === "waiting" || conv.status === "active";
export const isMine = (conv) => conv.assignedTo?.id === state.me.id;
export const canAnswer = (conv) => conv.status === "active" && (isMine(conv) || isSupervising());
