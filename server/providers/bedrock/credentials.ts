// AWS credentials of a bedrock provider, found at startup in the order the AWS
// SDKs use: the provider's own keys, a profile it names, the standard
// environment variables, then the shared credentials file's profile
// (AWS_PROFILE or "default"). Secrets go to the signer only, never to messages.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ConfigError, type Env } from "../../config/index.js";
import type { CredentialsConfig } from "../../config/upstream.js";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Where they came from, for logs and errors (never the values). */
  source: string;
}

/** The profiles of an INI credentials file: [name] sections of key = value lines. */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const profiles = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = {};
      profiles.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current && eq > 0) current[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return profiles;
}

function fromProfile(file: string, profile: string): AwsCredentials | string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return `no shared credentials file at ${file}`;
  }
  const p = parseIni(text).get(profile);
  if (!p) return `no profile "${profile}" in ${file}`;
  if (!p.aws_access_key_id || !p.aws_secret_access_key) return `profile "${profile}" in ${file} has no aws_access_key_id / aws_secret_access_key`;
  return { accessKeyId: p.aws_access_key_id, secretAccessKey: p.aws_secret_access_key, sessionToken: p.aws_session_token || undefined, source: `profile "${profile}" in ${file}` };
}

export function resolveAwsCredentials(creds: CredentialsConfig | undefined, env: Env, where: string, source: string): AwsCredentials {
  if (creds?.access_key_id && creds.secret_access_key) {
    return { accessKeyId: creds.access_key_id, secretAccessKey: creds.secret_access_key, sessionToken: creds.session_token, source: `${where}.credentials` };
  }
  const file = creds?.shared_credentials_file ?? env.AWS_SHARED_CREDENTIALS_FILE ?? join(env.HOME ?? homedir(), ".aws", "credentials");
  if (creds?.profile) {
    const found = fromProfile(file, creds.profile);
    if (typeof found !== "string") return found;
    throw new ConfigError(source, [{ path: `${where}.credentials.profile`, message: found }]);
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined, source: "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY" };
  }
  const found = fromProfile(file, env.AWS_PROFILE || "default");
  if (typeof found !== "string") return found;
  throw new ConfigError(source, [
    {
      path: `${where}.credentials`,
      message: `no AWS credentials found: none in the config, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY unset, and ${found}; set credentials.access_key_id and secret_access_key, credentials.profile, or the environment`,
    },
  ]);
}
