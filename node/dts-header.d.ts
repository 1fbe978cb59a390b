/* The JSON shapes of qualys-cs, written once here; `napi build` puts this file at the top of the
 * generated index.d.ts (classes and functions follow, generated from the rustdoc of
 * bindings/node). Checked against live values by test/package.test.mjs and by
 * `tsc --strict` over examples/ in node/test.sh. */
/* eslint-disable */

// ---- Enumerations (the known wire values) ------------------------------------------------------

/** Day of the week of weekly schedules (`weekDay`). */
export type WeekDay = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY'
/** Registry types Container Security documents (`registryType`); others are passed as given. */
export type RegistryType = 'V2' | 'V2_PRIVATE' | 'DockerHub' | 'AWS' | 'Azure' | 'GCP' | 'GOOGLE_ARTIFACT_REGISTRY'
/** Statuses of a schedule's job (`status`) that this version knows; others are kept as given. */
export type ScheduleStatus = 'Created' | 'Queued' | 'Paused' | 'Running' | 'Completed' | 'Finished' | 'Error' | 'Failed'
  | 'BaselineCreated' | 'BaselineQueued' | 'BaselineRunning' | 'BaselineCompleted' | 'Canceled' | 'Unknown'
/** Every value of `QualysCsError.code`. */
export type ErrorCode = 'validation' | 'auth' | 'permission' | 'not_found' | 'conflict' | 'bad_request' | 'rate_limited'
  | 'server' | 'http' | 'transport' | 'timeout' | 'decode' | 'not_reported' | 'config'
/** Kinds of answers `decodeResponse` reads. */
export type ResponseKind = 'create' | 'schedule_page' | 'schedule_page_lenient' | 'registry_page' | 'registry'
  | 'repository_page' | 'bulk_delete' | 'bulk_cancel' | 'error_body' | 'http_error'
/** How `createSchedule` makes sure a retried create never duplicates a schedule (docs/create-guarantee.md). */
export type CreateRecoveryMode = 'creation_cutoff' | 'snapshot' | 'assume_unique_names'
/** What a plan does with one schedule. */
export type PlanAction = 'create' | 'update' | 'replace' | 'delete' | 'unchanged' | 'skip'
/** What happened to one plan item. */
export type ApplyOutcome = 'applied' | 'no_op' | 'dry_run' | 'failed'

// ---- The error ---------------------------------------------------------------------------------

/**
 * The error of every failed call: a subclass of `Error` whose `code` is the stable code of the
 * Rust core. Passwords and tokens never appear in any field, in `message`, in `util.inspect` or
 * in `JSON.stringify` of it.
 */
export interface QualysCsError extends Error {
  /** The core error code. */
  code: ErrorCode
  /** HTTP status of the answer (errors that come from an answer). */
  status?: number
  /** Request id the server sent back (`X-Request-Id`), when any. */
  requestId?: string
  /** Qualys `errorCode` of the error body, e.g. `"403 FORBIDDEN"`. */
  qualysErrorCode?: string
  /** The server's message: Qualys `message` of the error body. */
  serverMessage?: string
  /** The raw answer text when it was not a Qualys JSON error body (truncated). */
  body?: string
  /** How long the server asked to wait (`rate_limited`), in milliseconds. */
  retryAfterMs?: number
  /** Every problem found (`validation`); empty for the other codes. */
  violations: Violation[]
  /** The setting at fault (`config`), as this package spells it, e.g. `requestTimeoutMs`. */
  field?: string
  /** True when the request certainly never reached the server (`transport`). */
  notSent?: boolean
  /** The fields the server's answer left out (`not_reported`), e.g. `['weekDay']`. */
  fields?: string[]
}

/** One problem found by validation. */
export interface Violation {
  /** JSON pointer to the offending value, e.g. `/filters/0/repoTags/1/repo`; `""` is the whole request. */
  path: string
  /** Stable snake_case code, e.g. `interval_out_of_range`. */
  code: string
  /** A sentence a person can act on. */
  message: string
}

// ---- Requests (the API's own JSON) -------------------------------------------------------------

/**
 * The body of create and update (spec §4), in the API's own JSON. Build one as an object literal
 * or with `ScheduleBuilder`; `validate()` checks it. Unknown fields are sent as given (with a warning).
 */
export interface ScheduleRequest {
  /** Schedule name (required, not blank). */
  name: string
  /** `true` (the default) runs once, now; `false` is an automatic (recurring) schedule. */
  onDemand?: boolean
  /** Automatic schedules: run every N days, 1..=365 (7 needs `weekDay`, 1 needs `schedule`). */
  scheduleIntervalInDays?: number
  /** Weekly schedules (interval 7): the day to run. */
  weekDay?: WeekDay
  /** Daily schedules (interval 1), and weekly ones: start time `HH:MM` in UTC. */
  schedule?: string
  /** Rescan every image, not only new ones (automatic schedules: interval 7 or more). */
  forceScan?: boolean
  /** Type of the registry. */
  registryType?: RegistryType | (string & {})
  /** What to scan: at least one filter. */
  filters: Filter[]
  /** Limit the scan to the latest N tags; `null` or absent = no limit. */
  additionalFilters?: AdditionalFilters | null
}

/** One filter: repositories (and tags) plus an optional image age. */
export interface Filter {
  /** Only images created within this many days (documented: 1-7 or 14); `null` = any age. */
  days?: number | null
  /** Repositories and their tags (at least one). */
  repoTags: RepoTag[]
}

/** A repository and, optionally, comma-separated tags (`null` = every tag). */
export interface RepoTag {
  /** Repository name, e.g. `library/nginx`. */
  repo: string
  /** Comma-separated tags, e.g. `"latest,1.25"`; `null` or absent = every tag. */
  tag?: string | null
}

/** Limit the scan to the latest N tags (`additionalFilters`). */
export interface AdditionalFilters {
  /** How many tags, at least 1. */
  numberOfTags?: number | null
  /** Ordering used to pick them; the documented value is `createdDate`. */
  sortCriteria?: string
}

// ---- Answers -----------------------------------------------------------------------------------
// Dates are `Date`s (`null` when the answer has none); each keeps the wire value (epoch
// milliseconds as text, as Container Security sends it) in `<name>Raw`.

/** One error reported on a schedule's job (`errors[]`). */
export interface JobError {
  errorCode?: unknown
  errorMessage?: string | null
  contextParams?: unknown
}

/** A schedule as listed (spec §6); fields the API adds later are kept as given. */
export interface Schedule {
  /** The schedule's id (UUID). */
  scheduleUuid: string
  name: string
  /** On demand (`true`) or automatic (`false`), when the answer carries it. */
  onDemand?: boolean
  /** Interval in days (automatic schedules), when the answer carries it. */
  scheduleIntervalInDays?: number
  /** Weekday (weekly schedules), when the answer carries it. */
  weekDay?: WeekDay | (string & {})
  /** Start time `HH:MM` UTC, when the answer carries it. */
  schedule?: string
  forceScan?: boolean
  registryType?: RegistryType | (string & {})
  /** Status of the schedule's job. */
  status?: ScheduleStatus | (string & {})
  filters: Filter[]
  additionalFilters?: AdditionalFilters
  /** Errors of the last job. */
  errors: JobError[]
  created: Date | null
  createdRaw?: string | null
  updated: Date | null
  updatedRaw?: string | null
  jobStartDate: Date | null
  jobStartDateRaw?: string | null
  jobCompletionDate: Date | null
  jobCompletionDateRaw?: string | null
  jobListingStartDate: Date | null
  jobListingStartDateRaw?: string | null
  jobListingCompletionDate: Date | null
  jobListingCompletionDateRaw?: string | null
  jobScanningStartDate: Date | null
  jobScanningStartDateRaw?: string | null
  jobScanningCompletionDate: Date | null
  jobScanningCompletionDateRaw?: string | null
}

/** A registry as listed. */
export interface Registry {
  /** The registry's id (UUID). */
  registryUuid: string
  /** Display name, when the tenant gave one. */
  registryName?: string
  /** Registry URI, e.g. `https://registry.example.com`. */
  registryUri?: string
  registryType?: RegistryType | (string & {})
  /** Number of repositories. */
  repoCount?: number
  created?: Date | null
  createdRaw?: string | null
  updated?: Date | null
  updatedRaw?: string | null
  lastScanned?: Date | null
  lastScannedRaw?: string | null
}

/** A registry with its details (`getRegistry`). */
export interface RegistryDetails extends Registry {
  /** Credential type, e.g. `None`, `BasicAuth`, `Token`. */
  credentialType?: string
  /** Schedules of this registry, when the answer includes them. */
  schedules?: Schedule[]
}

/** A repository of a registry. */
export interface Repository {
  repoName: string
  totalImages: number | null
  totalScannedImages: number | null
  totalVulnerableImages: number | null
}

/** An item of a list answer that could not be decoded and was skipped (`lenient: true`). */
export interface SkippedItem {
  /** Its index in the page's `data` (from 0). */
  index: number
  /** Its page number, when known. */
  pageNumber?: number
  /** Why it could not be read. */
  message: string
  /** The item as received. */
  raw: unknown
}

/** One page: `count` is the total across pages, `skipped` the items lenient decoding skipped. */
export interface Page<T> {
  count: number
  data: T[]
  skipped: SkippedItem[]
}
export interface SchedulePage extends Page<Schedule> {}
export interface RegistryPage extends Page<Registry> {}
export interface RepositoryPage extends Page<Repository> {}

/** The answer of a bulk delete: the deletion job. */
export interface BulkDeleteResponse {
  deletionJobId: string
}

/** The answer of a bulk cancel: the cancel job (note the capital `C`, as on the wire). */
export interface BulkCancelResponse {
  CancelJobId: string
}

// ---- The SDK's own values ----------------------------------------------------------------------

/** The result of `validate()`: errors stop a request, warnings never do. */
export interface ValidationReport {
  valid: boolean
  errors: Violation[]
  warnings: Violation[]
}

/** A validation rule of the core. */
export interface ValidationRule {
  code: string
  severity: 'error' | 'warning'
  description: string
}

/** The result of `createSchedule`. */
export interface Created {
  /** The new schedule's id. */
  scheduleUuid: string
  /** Validation warnings of the request (it was sent anyway). */
  warnings: Violation[]
  /** True when the answer was lost and the schedule was found instead; it exists exactly once either way. */
  recovered: boolean
  /** Identical schedules a late first attempt made and this call deleted. */
  removedSurplus: string[]
}

/** Query options of the list calls. An unknown key is a `config` error naming the nearest. */
export interface ListOptions {
  /** Qualys query, e.g. `name:"nightly"` or `scheduleUuid:<id>`. */
  filter?: string | null
  /** Page number, from 1 (default 1). */
  pageNumber?: number | null
  /** Items per page (default 50). */
  pageSize?: number | null
  /** `field:asc` or `field:desc`. */
  sort?: string | null
  /** Skip items that cannot be decoded (listed in the page's `skipped`) instead of failing. */
  lenient?: boolean | null
}

/** Which schedules a bulk delete or cancel acts on: ids, or a Qualys filter (`scheduleUuid:*` = all). */
export interface BulkSelector {
  scheduleIds?: string[] | null
  filter?: string | null
}

/** A local run time converted to the UTC fields Qualys needs (`localToUtc`). */
export interface LocalConversion {
  zone: string
  localTime: string
  localWeekDay: WeekDay | null
  /** The UTC `schedule` value to send. */
  utcTime: string
  /** The UTC `weekDay` to send (shifted when the conversion crosses midnight). */
  utcWeekDay: WeekDay | null
  /** Days the UTC run is shifted from the local day: -1, 0 or +1. */
  dayShift: number
  /** The zone's UTC offset used for the conversion, in minutes. */
  offsetMinutes: number
  /** `dst_shift` warnings: when daylight-saving time moves the local run time. */
  warnings: Violation[]
}

// ---- Settings (durations in milliseconds) --------------------------------------------------------

/**
 * Settings of a `Client` (read by the client crate's `ClientConfig`). Give a `platform` or a
 * `gatewayUrl`, and `username` + `password` or a `token`. A misspelt key is a `config` error
 * naming it and the nearest valid one.
 */
export interface ClientOptions {
  /** The Qualys platform, e.g. `US2` or `EU1` (case-insensitive). */
  platform?: string | null
  /** The gateway base URL; wins over `platform`. Plain `http://` only for loopback unless `allowInsecureHttp`. */
  gatewayUrl?: string | null
  username?: string | null
  /** Never printed. */
  password?: string | null
  /** A ready token (JWT). Never printed. */
  token?: string | null
  /** Default 10000. */
  connectTimeoutMs?: number | null
  /** One HTTP request, answer included. Default 60000. */
  requestTimeoutMs?: number | null
  /** `http://`, `https://` or `socks5://` proxy instead of the `HTTPS_PROXY`/`NO_PROXY` environment. */
  proxy?: string | null
  /** Use no proxy at all. */
  noProxy?: boolean | null
  /** Extra CA certificates to trust (PEM), on top of the system's. */
  rootCertificates?: string | string[] | null
  /** Appended to the `User-Agent` header, e.g. `my-tool/1.2`. */
  userAgentSuffix?: string | null
  retry?: RetryOptions | null
  rateLimit?: RateLimitOptions | null
  /** Duplicate protection of retried creates. Default `creation_cutoff`. */
  createRecovery?: CreateRecoveryMode | null
  /** After an ambiguous create failure, how long to look for the schedule before sending again. */
  createSettleWindowMs?: number | null
  /** Allow plain `http://` to a non-loopback gateway (credentials travel unencrypted). */
  allowInsecureHttp?: boolean | null
}

/** Retry settings (exponential backoff with full jitter; `Retry-After` is honoured). */
export interface RetryOptions {
  /** Attempts in all, the first included (1 = never retry). Default 5. */
  maxAttempts?: number | null
  /** Default 200. */
  baseDelayMs?: number | null
  /** Default 20000. */
  maxDelayMs?: number | null
  /** Give up when the next retry would start later than this after the first attempt. Default 60000. */
  maxElapsedMs?: number | null
}

/** Client-side rate limiting of `/csapi` calls (it learns the server's budget from its headers). */
export interface RateLimitOptions {
  /** Default 16. */
  maxConcurrency?: number | null
  /** Calls per window until the server's headers say otherwise. Default 1000. */
  initialLimit?: number | null
  /** Default 60000. */
  initialWindowMs?: number | null
  /** `false` turns the limiter off. */
  enabled?: boolean | null
}

/** What `waitForSchedule` waits for. */
export interface WaitOptions {
  /** The statuses to wait for; absent = any terminal status. */
  until?: Array<ScheduleStatus | (string & {})>
  /** Give up after this long (a `timeout` error naming the last status). Default 30 minutes. */
  timeoutMs?: number
  /** Time between polls. Default 10000. */
  intervalMs?: number
}

// ---- The emulator ------------------------------------------------------------------------------

/** Settings of `Emulator.start`; a misspelt key is a `config` error naming the nearest valid one. */
export interface EmulatorOptions {
  /** Default `127.0.0.1`. */
  host?: string
  /** Default 0: a free port. */
  port?: number
  /** Keep data in SQLite files in this folder instead of memory. */
  dataDir?: string
  users?: Array<{ username: string; password: string }>
  /** Users that get 403 on every Container Security route. */
  usersWithoutPermission?: Array<{ username: string; password: string }>
  noDemoUser?: boolean
  /** Token lifetime (default 4 h). */
  tokenTtlMs?: number
  /** Default 1000 calls per 60000 ms. */
  rateLimit?: { limit: number; windowMs: number }
  /** Run the clock in real time instead of a virtual clock moved by `advanceClock`. */
  realtimeClock?: boolean
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { certPem: string; keyPem: string }
  /** A registries seed file (JSON or TOML). */
  configFile?: string
  /** How long each job step takes on the emulator clock (default 1000). */
  jobStepMs?: number
  /** Make every job end in `Failed`. */
  failJobs?: boolean
  /** Where the virtual clock starts. */
  clockStart?: Date | number | string
  /** `'full'` (default) or `'oas2021'` (Qualys's 2021 OpenAPI shape). */
  wire?: 'full' | 'oas2021'
}

/** A fault the emulator injects. */
export interface FaultRule {
  /** HTTP method to match (any when absent). */
  method?: string
  /** Path glob (`*` = any characters); absent = any Container Security route. */
  path?: string
  /** `status` answers `status`, `drop` closes the connection, `latency` waits `latencyMs` first. */
  kind: 'status' | 'drop' | 'latency'
  /** The status to answer (kind `status`): 429, 500, 502 or 503. */
  status?: number
  /** `before` (the request is not processed, the default) or `after`. */
  stage?: 'before' | 'after'
  latencyMs?: number
  /** A late twin of a create (see the emulator's README). */
  twin?: string
  /** The next `count` matching requests (default 1 without a probability). */
  count?: number
  /** Fire with this probability per matching request (0..=1). */
  probability?: number
  seed?: number
  /** For status 429: the `Retry-After` header, whole seconds as on the wire. */
  retryAfterSec?: number
}

/** One request of the emulator's journal (secrets redacted). */
export interface JournalEntry {
  method: string
  path: string
  query?: string | null
  status: number
  bodyRedacted?: unknown
  [field: string]: unknown
}

// ---- Schedules as code -------------------------------------------------------------------------

/** The registries and schedules that exist, as `plan()` compares them. */
export interface ActualRegistry {
  registry: Registry | { registryUuid: string }
  schedules: Schedule[]
}

/** Options of `plan()` and `Client.plan()`. */
export interface PlanOptions {
  /** Delete existing schedules the file does not list (in the registries it lists). */
  prune?: boolean
  /** The format of desired-state text: `yaml` (default; also reads JSON) or `json`. */
  format?: 'yaml' | 'json'
  /** The file name used in messages (and, without `format`, to choose it). */
  source?: string
  /** The instant local times are converted at (default now). */
  reference?: Date | number | string
}

/** One changed field of a plan item. */
export interface PlanChange {
  /** The request field (canonical JSON name), e.g. `scheduleIntervalInDays`. */
  field: string
  from: unknown
  to: unknown
  /** True when Qualys cannot update this field in place (the item is a replace). */
  forcesReplacement: boolean
  /** True when the server's answer did not carry this field (`from` is then `null`). */
  unknown: boolean
}

/** One line of a plan. */
export interface PlanItem {
  registry: string
  registryId: string | null
  name: string
  action: PlanAction
  scheduleId: string | null
  /** The body to send (create, update, replace). */
  request: ScheduleRequest | null
  changes: PlanChange[]
  /** Why (skip), or a note. */
  reason: string | null
}

/** Counts per action. */
export interface PlanSummary {
  create: number
  update: number
  replace: number
  delete: number
  unchanged: number
  skip: number
}

/** A whole plan: the difference between a desired-state file and what exists. */
export interface Plan {
  items: PlanItem[]
  /** Existing schedules that the file does not list and that were kept (no pruning). */
  unmanaged: number
  /** Warnings of the desired state, each naming the file, the line and the field. */
  warnings: Violation[]
  summary: PlanSummary
  /** True when applying would send no write. */
  empty: boolean
  /** Registry actions (desired-state entries with `manage:`), in file order. */
  registries?: RegistryPlanItem[]
  /** A readable rendering, like a terraform plan. */
  text: string
}

/** A registry action of a plan (an entry with `manage:`). */
export interface RegistryPlanItem {
  registry: string
  registryId: string | null
  action: PlanAction
  /** The registry as the file describes it (secrets never included). */
  manage: Record<string, unknown>
  changes: PlanChange[]
  /** Fields the server cannot show (e.g. credentials), so not compared. */
  unverified: string[]
  reason: string | null
}

/** How to apply a plan. */
export interface ApplyOptions {
  /** Items worked on at once (the client's rate limiter still bounds the requests). Default 4. */
  concurrency?: number
  /** Send nothing; report what would be sent. */
  dryRun?: boolean
}

/** Progress of an apply, given to the callback after each item. */
export interface ApplyProgress {
  done: number
  total: number
  /** The item just finished, as `registry/name`. */
  item: string
  action: PlanAction
  ok: boolean
}

/** A request a plan item sends (or, in a dry run, would send). */
export interface PlannedRequest {
  method: string
  path: string
  body: ScheduleRequest | null
}

/** The result of one plan item. */
export interface ItemResult {
  registry: string
  name: string
  action: PlanAction
  outcome: ApplyOutcome
  /** The schedule's id after the item (the new id for create and replace). */
  scheduleId: string | null
  requests: PlannedRequest[]
  /** The error, when the item failed. */
  error?: QualysCsError
}

/** What happened to one registry action of a plan. */
export interface RegistryResult {
  registry: string
  registryId: string | null
  action: PlanAction
  outcome: ApplyOutcome
  requests: PlannedRequest[]
  /** The error (`code`, `message`), when the action failed. */
  error?: { code: ErrorCode; message: string }
}

/** The result of an apply: one entry per plan item, in plan order. */
export interface ApplyReport {
  items: ItemResult[]
  /** Registry actions (desired-state entries with `manage:`), in plan order. */
  registries?: RegistryResult[]
  applied: number
  failed: number
  success: boolean
}
