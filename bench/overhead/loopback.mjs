// Preloaded into peer gateways (`node --import ./loopback.mjs ...`) whose start
// command has no bind-address option: a listen() without a host binds to
// 127.0.0.1 instead of every interface, so benchmarks stay on loopback.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    if (args[1] === undefined || typeof args[1] === "function") args.splice(1, args[1] === undefined ? 1 : 0, "127.0.0.1");
  } else if (first && typeof first === "object" && first.path === undefined && first.host === undefined && !(first instanceof net.Server)) {
    args[0] = { ...first, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
