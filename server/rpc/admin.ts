/**
 * hoosh.v1.AdminService: proto in, proto out. ReloadConfig runs the server's
 * reload (server/lifecycle: validate by building a new app, then swap it in);
 * VerifyAuditLog recomputes the configured audit log's hash chain
 * (server/observability/audit-chain.ts). The auth interceptor requires the
 * admin scope for both when [[keys]] are configured; WatchStats (rpc/watch-stats.ts)
 * accepts budgets:read too.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { AdminService, ReloadConfigResponseSchema, VerifyAuditLogResponseSchema } from "../../gen/ts/hoosh/v1/admin_pb.js";
import type { ReloadConfigRequest, ReloadConfigResponse, VerifyAuditLogResponse } from "../../gen/ts/hoosh/v1/admin_pb.js";
import { ConfigError } from "../config/index.js";
import type { VerifyResult } from "../observability/audit-chain.js";

/** What a reload reports (server/lifecycle's ReloadResult). */
export interface ReloadOutcome {
  source: string;
  providers: string[];
  budgets: string[];
  keys: string[];
}

export interface AdminDeps {
  /** The running server's reload; absent when the app runs without `hoosh serve` (in-process tests). */
  reload?: (configToml?: string) => Promise<ReloadOutcome>;
  /** The configured audit log's chain check. */
  verifyAudit: () => Promise<VerifyResult>;
  /** Records a successful admin action in the audit log. */
  audit?: (ctx: HandlerContext, action: string, details: Record<string, unknown>) => void;
  /** WatchStats (rpc/watch-stats.ts). */
  watchStats: ServiceImpl<typeof AdminService>["watchStats"];
}

export function createAdminService(deps: AdminDeps): ServiceImpl<typeof AdminService> {
  return {
    watchStats: deps.watchStats,

    async reloadConfig(req: ReloadConfigRequest, ctx: HandlerContext): Promise<ReloadConfigResponse> {
      if (!deps.reload) throw new ConnectError("config reload is only available in a server started with `hoosh serve`", Code.Unimplemented);
      let out: ReloadOutcome;
      try {
        out = await deps.reload(req.configToml);
      } catch (err) {
        if (err instanceof ConfigError) throw new ConnectError(`config rejected, the running config stays:\n${err.message}`, Code.InvalidArgument);
        throw ConnectError.from(err, Code.Internal);
      }
      deps.audit?.(ctx, "config.reload", { source: out.source, providers: out.providers, budgets: out.budgets, keys: out.keys });
      return create(ReloadConfigResponseSchema, out);
    },

    async verifyAuditLog(): Promise<VerifyAuditLogResponse> {
      const r = await deps.verifyAudit();
      if (r.ok) return create(VerifyAuditLogResponseSchema, { ok: true, entries: BigInt(r.entries), message: `ok: ${r.entries} entries verified` });
      return create(VerifyAuditLogResponseSchema, {
        ok: false,
        entries: BigInt(r.entries),
        brokenAt: BigInt(r.seq ?? r.entries + 1),
        message: `broken at seq ${r.seq ?? "?"} (line ${r.line}): ${r.reason}`,
      });
    },
  };
}
