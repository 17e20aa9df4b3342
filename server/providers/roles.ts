// hoosh.v1 roles as the lowercase names OpenAI-style APIs use (OpenAI, Ollama).
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";

export type ChatRoleName = "system" | "user" | "assistant" | "tool";

const NAMES: Record<Role, ChatRoleName | undefined> = {
  [Role.UNSPECIFIED]: undefined,
  [Role.SYSTEM]: "system",
  [Role.USER]: "user",
  [Role.ASSISTANT]: "assistant",
  [Role.TOOL]: "tool",
};

/** The wire name of a role (validation has already rejected ROLE_UNSPECIFIED). */
export function roleName(role: Role): ChatRoleName {
  return NAMES[role] ?? "user";
}
