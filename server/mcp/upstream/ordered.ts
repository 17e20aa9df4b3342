// Delivery order for messages from an MCP server. The SDK runs a notification's
// handler one microtask after the message arrives, but settles a response at
// once; when a server's last progress notification and its answer arrive in one
// read, the answer would come first and the progress be dropped (its handler is
// gone once the request is settled). Each message is handed to the SDK one
// microtask after the previous one, so handlers run in the order the server sent.
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";

export function ordered<T extends Transport>(inner: T): T {
  let chain: Promise<void> = Promise.resolve();
  let handler: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  const deliver = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
    chain = chain.then(() => handler?.(message, extra));
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(inner, {
    set(target, prop, value: unknown) {
      if (prop !== "onmessage") return Reflect.set(target, prop, value);
      handler = value as typeof handler;
      return Reflect.set(target, prop, value === undefined ? undefined : deliver);
    },
    get(target, prop) {
      if (prop === "onmessage") return handler;
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      let b = bound.get(prop);
      if (b === undefined) bound.set(prop, (b = (v as (...a: unknown[]) => unknown).bind(target)));
      return b;
    },
  });
}
