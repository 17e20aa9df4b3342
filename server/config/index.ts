/** hoosh.toml configuration: schema, ${ENV} expansion, loading and errors. */
export { ConfigError, formatPath, type ConfigIssue } from "./errors.js";
export { expandEnv, type Env } from "./env.js";
export {
  DEFAULT_CONFIG_PATH,
  DEFAULT_CONFIG_SOURCE,
  loadConfigFile,
  loadDefaultConfig,
  parseConfig,
  type ParseOptions,
} from "./load.js";
export {
  BUDGET_PERIODS,
  configSchema,
  NAME_PATTERN,
  PROVIDER_TYPES,
  ROUTER_STRATEGIES,
  type BudgetConfig,
  type BudgetPeriod,
  type Config,
  type ConfigInput,
  type ProviderConfig,
  type ProviderTimeouts,
  type ProviderType,
  type RouterConfig,
  type RouterStrategy,
  type ServerConfig,
} from "./schema.js";
