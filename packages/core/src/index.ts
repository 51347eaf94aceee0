export { ChainlmError, UsageError, ConfigError, formatError, type ConfigIssue } from './errors.js';
export { loadConfigFile, parseConfigText, validateConfig, mergeDeep, deepFreeze, type LoadConfigOptions } from './config/load-config.js';
export { applyEnvOverrides, snakeToCamel } from './config/env-overrides.js';
export { resolveHome, ensureHome, homeFolders, type ChainlmHome, type HomeFolder } from './home/home.js';
export {
  Registry,
  openRegistry,
  artifactKinds,
  type Artifact,
  type ArtifactKind,
  type RecordArtifactInput,
  type Lineage,
  type LineageEdge,
  type RegistryOptions,
} from './registry/registry.js';
export { EventBus, TaskHandle, type ChainlmEvent, type ChainlmEventType, type EventInput, type EventListener } from './events/events.js';
export { createProgressRenderer, formatCount, formatSeconds, type ProgressRendererOptions } from './events/progress-renderer.js';
export { toSseFrame, toJsonLine } from './events/sse.js';
export { createLogger, type Logger } from './logger.js';
export {
  defineCommand,
  runProgram,
  parseCommandArgs,
  programHelp,
  commandHelp,
  main,
  type Command,
  type CommandContext,
  type OptionSpec,
  type PositionalSpec,
  type Program,
  type OptionValues,
} from './cli/command.js';
export { parseNameValue } from './cli/name-value.js';
export { serveUntilStopped, type StoppableService } from './cli/serve-until-stopped.js';
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic, replaceDirAtomic } from './fs/atomic-write.js';
export { sha256, sha256File, stableHash, stableStringify } from './hash.js';
export { SeededRandom, mulberry32 } from './random.js';
export { builtModuleUrl } from './fs/built-module.js';
export { writeDocSection } from './fs/doc-section.js';
export { freePort, acceptsConnections } from './net/ports.js';
export { resolveInside, resolveInsideAny, isPathInside, PathOutsideRootError, type InsideRootOptions } from './fs/inside-root.js';
export {
  lockDownDuckDB,
  assertSingleSelect,
  runReadOnlySelect,
  defaultSqlLimits,
  SqlError,
  type SqlErrorCode,
  type LockDownOptions,
  type ReadOnlySqlLimits,
  type ReadOnlySqlResult,
} from './sql/read-only-sql.js';
export * from './auth/index.js';
export { skipUnlessPresent, inCi, type FixtureNeeds } from './testing/skip-unless-present.js';
