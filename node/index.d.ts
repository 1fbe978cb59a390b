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

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

declare global {
  interface __NapiRsAsyncGenerator<TOwner, T, TReturn, TNext> {
    next(...[value]: [] | [TNext]): globalThis.Promise<globalThis.IteratorResult<T, TReturn | undefined>>
    return(...[value]: [] | [TReturn]): globalThis.Promise<globalThis.IteratorResult<T, TReturn | undefined>>
    throw(exception?: unknown): globalThis.Promise<globalThis.IteratorResult<T, TReturn | undefined>>
    [globalThis.Symbol.asyncIterator](): this
  }
}

/**
 * The Qualys Container Security registry-schedule client. Every method returns a Promise;
 * failures reject with a `QualysCsError` (arguments of the wrong type too). Requests are
 * validated before they are sent, retried without ever duplicating a schedule, and paced by a
 * client-side rate limiter. One client is safe to use from many concurrent calls.
 * `util.inspect`, `JSON.stringify` and `String()` never show the password or the token.
 */
export declare class Client {
  /**
   * A client from explicit settings. A wrong or misspelt setting throws a `config`
   * `QualysCsError` naming it (and the nearest valid name).
   */
  constructor(options: ClientOptions)
  /**
   * A client from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`, `QUALYS_PLATFORM` and
   * `QUALYS_GATEWAY_URL` (empty values count as unset), read from `vars` when given or else
   * from the process environment; `options` are applied on top.
   */
  static fromEnv(vars?: Record<string, string | undefined> | null, options?: ClientOptions): Client
  /** The gateway base URL in use (no trailing slash). */
  get gatewayUrl(): string
  /** The username, when the client logs in with credentials. */
  get username(): string | null
  /** How many tokens this client fetched from `/auth` so far. */
  get tokenFetches(): number
  /**
   * The client without secrets: `Client { gatewayUrl: '…', username: '…', password: *** }`;
   * also what `util.inspect` shows.
   */
  toString(): string
  /** What `JSON.stringify` shows: the gateway and the username, never a secret. */
  toJSON(): { gatewayUrl: string; username: string | null }
  /**
   * Creates a schedule in a registry. The request (the API's JSON, or a `ScheduleBuilder`
   * result) is validated first: a request with errors is never sent (`validation` error
   * listing every problem); warnings are returned. A lost answer is recovered by looking the
   * schedule up, so a retry never creates it twice.
   */
  createSchedule(registryId: string, request: ScheduleRequest): Promise<Created>
  /** One page of the schedules of a registry: `{count, data, skipped}`. */
  listSchedules(registryId: string, options?: ListOptions): Promise<SchedulePage>
  /**
   * One schedule (through the list: there is no call by id); `not_found` when the registry
   * has no such schedule.
   */
  getSchedule(registryId: string, scheduleId: string): Promise<Schedule>
  /**
   * Updates an automatic schedule. The current schedule is fetched and the change checked
   * first (on-demand schedules, running jobs and changes of `onDemand`, a repo, a tag or
   * `days` are refused before anything is sent). Resolves with the validation warnings.
   */
  updateSchedule(registryId: string, scheduleId: string, request: ScheduleRequest): Promise<Violation[]>
  /**
   * Deletes a schedule (refused by the server while its job runs: `conflict`). A retry that
   * finds it already gone counts as success.
   */
  deleteSchedule(registryId: string, scheduleId: string): Promise<void>
  /** Cancels a schedule's job. */
  cancelSchedule(registryId: string, scheduleId: string): Promise<void>
  /**
   * Deletes schedules in bulk (a deletion job; Queued, Unknown and Running ones are skipped
   * by the server). A selector with neither ids nor filter is a `validation` error.
   */
  bulkDeleteSchedules(registryId: string, selector: BulkSelector): Promise<BulkDeleteResponse>
  /**
   * Cancels schedules in bulk (a cancel job; Finished, Unknown and Error ones are skipped by
   * the server). A selector with neither ids nor filter is a `validation` error.
   */
  bulkCancelSchedules(registryId: string, selector: BulkSelector): Promise<BulkCancelResponse>
  /** One page of registries: `{count, data, skipped}`. */
  listRegistries(options?: ListOptions): Promise<RegistryPage>
  /** A registry with its details. */
  getRegistry(registryId: string): Promise<RegistryDetails>
  /**
   * The registry whose `registryName` or `registryUri` is exactly `nameOrUri` (or whose id
   * it is): `not_found` when none, a `validation` error listing the candidates when several.
   */
  findRegistry(nameOrUri: string): Promise<Registry>
  /**
   * Polls a schedule until its status is terminal (or one of `options.until`) and resolves
   * with the schedule as last listed; a schedule that disappears is `not_found`, running out
   * of time is `timeout` (naming the last status). Works with the emulator's virtual clock.
   */
  waitForSchedule(registryId: string, scheduleId: string, options?: WaitOptions): Promise<Schedule>
  /**
   * Plans a desired-state document (YAML or JSON text, or the object form) against what
   * exists now: reads every registry and the schedules of the ones the document names.
   * Document problems reject with one `validation` error naming the line and the field.
   */
  plan(desired: string | Record<string, unknown>, options?: PlanOptions): Promise<Plan>
  /** One page of the repositories of a registry: `{count, data, skipped}`. */
  listRepositories(registryId: string, options?: ListOptions): Promise<RepositoryPage>
  /**
   * Every schedule of a registry matching `options.filter`, fetched page after page as you
   * iterate: `for await (const s of client.listSchedulesAll(id)) …`, or `.collect()`.
   */
  listSchedulesAll(registryId: string, options?: ListOptions): ScheduleIterator
  /** Every registry, page after page, as you iterate (`for await`), or `.collect()`. */
  listRegistriesAll(options?: ListOptions): RegistryIterator
  /** Every repository of a registry, page after page, as you iterate (`for await`). */
  listRepositoriesAll(registryId: string, options?: ListOptions): RepositoryIterator
  /**
   * Applies a plan (as `plan()` returned it): items run `options.concurrency` at a time, a
   * failed item does not stop the others, `onProgress` is called after each item (every call
   * happens before the Promise resolves), and the report keeps plan order. With `dryRun`
   * nothing is sent and each item lists the requests it would send.
   */
  apply(plan: Plan, options?: ApplyOptions, onProgress?: (progress: ApplyProgress) => void): Promise<ApplyReport>
  /**
   * Creates a registry (`POST /registry`). The request is validated first (a request with
   * errors is never sent); a lost answer is recovered by finding the registry by URI and
   * type, so a retry never creates it twice. Passwords and tokens are never logged.
   */
  createRegistry(request: Record<string, unknown>): Promise<{ registryUuid: string; warnings: Violation[]; recovered: boolean }>
  /**
   * Replaces a registry's settings (`PUT /registry/{id}`; type and URI cannot change).
   * Validated first like a create; resolves with the warnings.
   */
  updateRegistry(registryId: string, request: Record<string, unknown>): Promise<Violation[]>
  /**
   * Asks the service whether it would accept the registry (`POST /registry/validate`):
   * connector or account, credentials, not existing yet. A refusal resolves with
   * `valid: false` and the service's reason.
   */
  validateRegistry(request: Record<string, unknown>): Promise<{ valid: boolean; message: string | null; warnings: Violation[] }>
  /**
   * Deletes a registry and its schedules (refused while one is Running: `conflict`); a
   * retry that finds it gone counts as success.
   */
  deleteRegistry(registryId: string): Promise<void>
  /** Deletes several registries (a deletion job). No ids is a `validation` error. */
  bulkDeleteRegistries(registryIds: string[]): Promise<BulkDeleteResponse>
  /**
   * The connectors of a kind (`GET /registry/{acr,aws,gcp}/connectors`): what a registry's
   * `connectorId` or `aws.arn` names.
   */
  listConnectors(kind: 'acr' | 'aws' | 'gcp'): Promise<Array<Record<string, unknown>>>
}

/** Builds a daily request (`ScheduleBuilder.daily`). */
export declare class DailyScheduleBuilder {
  /**
   * Validates and returns the request (the API's JSON); throws a `validation`
   * `QualysCsError` listing every problem.
   */
  build(): ScheduleRequest
  /** The request as built, unchecked. */
  buildUnchecked(): ScheduleRequest
  /** Scan every tag of `repo`. */
  repo(repo: string): this
  /** Scan every tag of each repository. */
  repos(repos: string[]): this
  /** Scan the given tags of `repo`. */
  repoTags(repo: string, tags: string[]): this
  /** Only images created within the last `days` days (documented: 1-7 or 14). */
  createdWithinDays(days: number): this
  /** The registry's type. */
  registryType(registryType: RegistryType | (string & {})): this
  /** Only the latest `n` tags, newest first by creation date. */
  latestTags(n: number): this
}

/**
 * The embedded emulator of the Qualys CS API, started in this process on 127.0.0.1 and a free
 * port, for tests: same routes, same validation, same error shapes, a virtual clock and
 * injectable faults.
 *
 * ```ts
 * const emu = await Emulator.start()
 * const client = emu.client()
 * await client.createSchedule(emu.demoRegistryId, request)
 * await emu.stop()
 * ```
 */
export declare class Emulator {
  /** The gateway base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** The bound port. */
  readonly port: number
  /** The wire profile it answers in. */
  readonly wire: 'full' | 'oas2021'
  /** The demo registry's id. */
  readonly demoRegistryId: string
  /** The demo user's name. */
  readonly demoUsername: string
  /** The demo user's password (a public test value of the emulator). */
  readonly demoPassword: string
  /**
   * Starts an emulator (resolves once it listens). A misspelt option is a `config` error
   * naming it and the nearest valid one.
   */
  static start(options?: EmulatorOptions): Promise<Emulator>
  /**
   * A client of this emulator logged in as the demo user; `options` (as `new Client`) are
   * applied on top (e.g. `retry`, or `username`/`password` of another user).
   */
  client(options?: ClientOptions): Client
  /** Stops the server (open requests may finish) and frees the port. Idempotent. */
  stop(): Promise<void>
  /** The emulator clock now. */
  now(): Date
  /**
   * Moves the virtual clock forward by `ms` milliseconds: due automatic schedules fire and
   * jobs move through their statuses. Returns the new time.
   */
  advanceClock(ms: number): Date
  /** Adds a fault rule; returns its id. A wrong rule throws a `config` error naming the field. */
  addFault(rule: FaultRule): string
  /**
   * The request journal, oldest first, secrets redacted (`{method, path, query, status,
   * bodyRedacted, …}` per request).
   */
  requests(): JournalEntry[]
  /** Empties the request journal. */
  clearRequests(): void
  /** The emulator's own record of every schedule (every field, whatever the wire profile). */
  schedules(): Array<Record<string, unknown>>
  /**
   * Clears schedules, faults, the request journal and rate-limit counters (users and
   * registries stay).
   */
  reset(): void
}

/** Builds an every-N-days request (`ScheduleBuilder.everyDays`). */
export declare class EveryDaysScheduleBuilder {
  /**
   * Validates and returns the request (the API's JSON); throws a `validation`
   * `QualysCsError` listing every problem.
   */
  build(): ScheduleRequest
  /** The request as built, unchecked. */
  buildUnchecked(): ScheduleRequest
  /** Scan every tag of `repo`. */
  repo(repo: string): this
  /** Scan every tag of each repository. */
  repos(repos: string[]): this
  /** Scan the given tags of `repo`. */
  repoTags(repo: string, tags: string[]): this
  /** Only images created within the last `days` days (documented: 1-7 or 14). */
  createdWithinDays(days: number): this
  /** The registry's type. */
  registryType(registryType: RegistryType | (string & {})): this
  /** Only the latest `n` tags, newest first by creation date. */
  latestTags(n: number): this
  /**
   * Rescan every image, not only new ones (needs the subscription feature; automatic
   * schedules need an interval of 7 days or more, which `build` checks).
   */
  forceScan(on: boolean): this
}

/** Builds an on-demand request (`ScheduleBuilder.onDemand`). */
export declare class OnDemandScheduleBuilder {
  /**
   * Validates and returns the request (the API's JSON); throws a `validation`
   * `QualysCsError` listing every problem.
   */
  build(): ScheduleRequest
  /** The request as built, unchecked. */
  buildUnchecked(): ScheduleRequest
  /** Scan every tag of `repo`. */
  repo(repo: string): this
  /** Scan every tag of each repository. */
  repos(repos: string[]): this
  /** Scan the given tags of `repo`. */
  repoTags(repo: string, tags: string[]): this
  /** Only images created within the last `days` days (documented: 1-7 or 14). */
  createdWithinDays(days: number): this
  /** The registry's type. */
  registryType(registryType: RegistryType | (string & {})): this
  /** Only the latest `n` tags, newest first by creation date. */
  latestTags(n: number): this
  /**
   * Rescan every image, not only new ones (needs the subscription feature; automatic
   * schedules need an interval of 7 days or more, which `build` checks).
   */
  forceScan(on: boolean): this
}

/**
 * The error of every failed call (fields in `dts-header.d.ts`). This empty struct only makes
 * napi export the name: at module start the export is replaced by a real subclass of `Error`.
 */
export declare class QualysCsError {}

/**
 * Items page after page (`for await … of`), or all of them with `collect()`.
 *
 * This type implements JavaScript's async iterable protocol.
 * It can be used with `for await...of` loops.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Iteration_protocols#the_async_iterator_and_async_iterable_protocols
 */
export declare class RegistryIterator {
  /** Every remaining item, in one array (fetching every remaining page). */
  collect(): Promise<Registry[]>
  [globalThis.Symbol.asyncIterator](): globalThis.__NapiRsAsyncGenerator<RegistryIterator, Registry, void, undefined>
}

/**
 * Items page after page (`for await … of`), or all of them with `collect()`.
 *
 * This type implements JavaScript's async iterable protocol.
 * It can be used with `for await...of` loops.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Iteration_protocols#the_async_iterator_and_async_iterable_protocols
 */
export declare class RepositoryIterator {
  /** Every remaining item, in one array (fetching every remaining page). */
  collect(): Promise<Repository[]>
  [globalThis.Symbol.asyncIterator](): globalThis.__NapiRsAsyncGenerator<RepositoryIterator, Repository, void, undefined>
}

/**
 * Starts a schedule request of one kind; chain the options, then `build()`.
 *
 * ```ts
 * const request = ScheduleBuilder.weekly('nightly', 'THURSDAY').at('06:55').repo('library/nginx').build()
 * ```
 */
export declare class ScheduleBuilder {
  /** A one-off scan that runs at once. */
  static onDemand(name: string): OnDemandScheduleBuilder
  /** An automatic scan every `days` days (1..=365). Use `weekly` for 7 and `daily` for 1. */
  static everyDays(name: string, days: number): EveryDaysScheduleBuilder
  /**
   * An automatic scan every week on `day` (interval 7), at 00:00 UTC unless `.at()` is set.
   * A day that is not one (`'thursday'`) throws a `validation` error with a did-you-mean.
   */
  static weekly(name: string, day: WeekDay): WeeklyScheduleBuilder
  /** An automatic scan every day at `time` (`HH:MM`, UTC). */
  static daily(name: string, time: string): DailyScheduleBuilder
}

/**
 * Items page after page (`for await … of`), or all of them with `collect()`.
 *
 * This type implements JavaScript's async iterable protocol.
 * It can be used with `for await...of` loops.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Iteration_protocols#the_async_iterator_and_async_iterable_protocols
 */
export declare class ScheduleIterator {
  /** Every remaining item, in one array (fetching every remaining page). */
  collect(): Promise<Schedule[]>
  [globalThis.Symbol.asyncIterator](): globalThis.__NapiRsAsyncGenerator<ScheduleIterator, Schedule, void, undefined>
}

/** Builds a weekly request (`ScheduleBuilder.weekly`). */
export declare class WeeklyScheduleBuilder {
  /**
   * Validates and returns the request (the API's JSON); throws a `validation`
   * `QualysCsError` listing every problem.
   */
  build(): ScheduleRequest
  /** The request as built, unchecked. */
  buildUnchecked(): ScheduleRequest
  /** Scan every tag of `repo`. */
  repo(repo: string): this
  /** Scan every tag of each repository. */
  repos(repos: string[]): this
  /** Scan the given tags of `repo`. */
  repoTags(repo: string, tags: string[]): this
  /** Only images created within the last `days` days (documented: 1-7 or 14). */
  createdWithinDays(days: number): this
  /** The registry's type. */
  registryType(registryType: RegistryType | (string & {})): this
  /** Only the latest `n` tags, newest first by creation date. */
  latestTags(n: number): this
  /**
   * Rescan every image, not only new ones (needs the subscription feature; automatic
   * schedules need an interval of 7 days or more, which `build` checks).
   */
  forceScan(on: boolean): this
  /** Run at `time` (`HH:MM`, UTC) on the weekday. */
  at(time: string): this
}

/**
 * Decodes an answer body exactly as the client does and returns the API's JSON as decoded
 * (canonical names, unknown fields kept, dates as on the wire; `create` gives
 * `{scheduleUuid}`). Throws a `decode` error for a body that cannot be read, and for
 * `http_error` the error the status and body map to. For tools and the shared vectors.
 */
export declare function decodeResponse(kind: ResponseKind, body: string, status?: number | null): any

/**
 * Says in one sentence when a request runs (in UTC) and what it scans. Also takes a
 * schedule as listed (with `scheduleUuid`): a timing the server did not report is said,
 * not guessed.
 */
export declare function explain(request: ScheduleRequest | Schedule): string

/**
 * Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC
 * `schedule` (and shifted `weekDay`) Qualys runs on, with `dst_shift` warnings for each
 * daylight-saving change in the following year, at `reference` (default now).
 */
export declare function localToUtc(localTime: string, weekDay: WeekDay | null, zone: string, reference?: Date | number | string | null): LocalConversion

/** The version of the native module (the Rust crates' version). */
export declare function nativeVersion(): string

/**
 * The next `n` runs of an automatic schedule as `Date`s, strictly after `max(after,
 * created)` (`Date`s, epoch ms or RFC 3339 text); none for on demand. `zone` (an IANA
 * name) is checked (unknown: `validation`); show the Dates in it with `toLocaleString`.
 */
export declare function nextRuns(request: ScheduleRequest, created: Date | number | string, after: Date | number | string, n: number, zone?: string | null): Date[]

/**
 * The canonical wire JSON of a registry request (**secrets included**: the body as sent).
 * Throws a `validation` error for wrong JSON types (rules are `validateRegistry()`'s job).
 */
export declare function normalizeRegistryRequest(request: Record<string, unknown>): Record<string, unknown>

/**
 * The canonical JSON of a request: spec names (aliases resolved), `onDemand` written,
 * absent `days`, `tag` and `numberOfTags` omitted (never `null`), unknown fields kept.
 * Throws a `validation` error for wrong JSON types (rules are `validate()`'s job).
 */
export declare function normalizeRequest(request: ScheduleRequest): ScheduleRequest

/**
 * Parses a desired-state document (YAML or JSON text, or the object form) and plans it
 * against what exists (`actual`, as the API lists it; `Client.plan` reads it for you). Every
 * problem of the document (syntax, unknown keys, wrong types, rule violations) is thrown at
 * once in one `validation` error naming the line and the field.
 */
export declare function plan(desired: string | Record<string, unknown>, actual: ActualRegistry[], options?: PlanOptions): Plan

/**
 * A registry request with every password and token replaced by `'***'`: what to log or show.
 * Throws a `validation` error for wrong JSON types.
 */
export declare function redactRegistryRequest(request: Record<string, unknown>): Record<string, unknown>

/**
 * Every registry validation code with its severity, its source (`doc`: Qualys's pages, `oas`:
 * its OpenAPI file, `ours`) and a one-line description (`docs/registries.md`).
 */
export declare function registryRules(): Array<{ code: string; severity: 'error' | 'warning'; source: string; description: string }>

/**
 * The next `n` runs (`Date`s) of a schedule as listed, counted from its `created` date (or
 * `after` when it has none), strictly after `after` (a `Date`, epoch ms or RFC 3339 text).
 * Throws a `not_reported` error whose `fields` name what the answer left out (e.g.
 * `['weekDay']` for a schedule listed in Qualys's OpenAPI shape) instead of guessing.
 */
export declare function scheduleNextRuns(schedule: Schedule, after: Date | number | string, n: number): Date[]

/**
 * Checks a schedule request (the API's JSON) against every documented rule (spec §4)
 * without sending anything: every problem at once, each with a JSON pointer, a stable code
 * and a message; wrong JSON types are `wrong_type` errors. Never throws.
 */
export declare function validate(request: ScheduleRequest): ValidationReport

/**
 * Like `validate`, for a raw request body (JSON text): text that does not parse is one
 * `invalid_json` error at the root.
 */
export declare function validateJson(text: string): ValidationReport

/**
 * Checks a registry request (the API's JSON: `POST /registry`, `PUT /registry/{id}`) against
 * every per-type rule without sending anything: every problem at once, each with a JSON
 * pointer, a stable code and a message; wrong JSON types are `wrong_type` errors. Never throws.
 */
export declare function validateRegistry(request: Record<string, unknown>): ValidationReport

/**
 * Checks an update of the schedule `current` (as listed) to `next` (spec §3): only
 * automatic schedules, not while running, `onDemand`/`repo`/`tag`/`days` unchanged, plus
 * every create rule on `next`.
 */
export declare function validateUpdate(current: Schedule, next: ScheduleRequest): ValidationReport

/** Every validation rule of the core: code, severity (`error` or `warning`) and what it checks. */
export declare function validationRules(): ValidationRule[]
