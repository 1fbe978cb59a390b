//! `GET /openapi.json`: an OpenAPI 3.0 description of every route the emulator serves (auth,
//! CS, control), hand-written to match the routes in `app/`.

use crate::app::{
    REGISTRY_FILTER_FIELDS, REGISTRY_SORT_FIELDS, REPOSITORY_FILTER_FIELDS, REPOSITORY_SORT_FIELDS,
    SCHEDULE_FILTER_FIELDS, SCHEDULE_SORT_FIELDS,
};
use crate::query::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use serde_json::{Value, json};

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn p(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn resp(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

/// The standard error answers of a CS operation, plus its own.
fn cs_responses(own: Value, with_404: bool, with_409: bool, with_body: bool) -> Value {
    let mut m = own.as_object().cloned().unwrap_or_default();
    m.insert("400".into(), resp("BadRequest"));
    m.insert("401".into(), resp("Unauthorized"));
    m.insert("403".into(), resp("Forbidden"));
    if with_404 {
        m.insert("404".into(), resp("NotFound"));
    }
    if with_409 {
        m.insert("409".into(), resp("Conflict"));
    }
    if with_body {
        m.insert("408".into(), resp("RequestTimeout"));
        m.insert("413".into(), resp("PayloadTooLarge"));
    }
    m.insert("429".into(), resp("TooManyRequests"));
    m.insert("500".into(), resp("ServerError"));
    m.insert("502".into(), resp("GatewayError"));
    m.insert("503".into(), resp("GatewayError"));
    Value::Object(m)
}

/// Characters Rust's `char::is_whitespace` accepts (the filter parser splits on them), as a
/// regex class body.
const WS: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// A regex matching exactly the filters the parser accepts with these fields (a subset: only
/// spaces between terms), so generated "valid" values are valid.
pub fn filter_pattern(fields: &[&str]) -> String {
    let field = format!("({})", fields.join("|"));
    let value = format!(r#"(\*|"([^"\\]|\\[\s\S])*"|`[^`]*`|[^{WS}"`]+)"#);
    let term = format!("{field}:{value}");
    format!("^ *({term}( +(and|AND|And) +{term})*)? *$")
}

/// A regex matching the sort values the parser accepts with these fields.
pub fn sort_pattern(fields: &[&str]) -> String {
    let key = format!("({})(:(asc|desc|ASC|DESC))?", fields.join("|"));
    format!("^({key}(,{key})*)?$")
}

fn filter_param(name: &str, fields: &[&str], description: String) -> Value {
    json!({
        "name": name, "in": "query", "required": false,
        "description": description,
        "schema": { "type": "string", "pattern": filter_pattern(fields) }
    })
}

fn list_params(filter_fields: &[&str], sort_fields: &[&str]) -> Vec<Value> {
    vec![
        filter_param(
            "filter",
            filter_fields,
            format!(
                "Qualys query subset: field:value terms joined by `and`; quoted values (\"a b\" or `a b`); field:* for any value; * inside a value is a wildcard. Fields: {}.",
                filter_fields.join(", ")
            ),
        ),
        json!({
            "name": "sort", "in": "query", "required": false,
            "description": format!("field:asc or field:desc (comma-separated for several). Fields: {}.", sort_fields.join(", ")),
            "schema": { "type": "string", "pattern": sort_pattern(sort_fields) }
        }),
        p("pageNumber"),
        p("pageSize"),
    ]
}

/// The create/update body: the kinds of schedule core accepts, as alternatives (a subset of
/// what core accepts: e.g. only spaces count as blank names here too).
fn schedule_request_schema() -> Value {
    let cc = r"\x00-\x1F\x7F-\x9F";
    let name = json!({ "type": "string", "pattern": format!("^[^{cc}]*[^{cc}{WS}][^{cc}]*$"), "example": "nightly-scan" });
    let hhmm = |nullable: bool| json!({ "type": "string", "nullable": nullable, "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "06:55" });
    let absent = json!({ "nullable": true, "enum": [null], "description": "absent or null" });
    let any_bool = json!({ "type": "boolean", "nullable": true });
    let no_force = json!({ "type": "boolean", "nullable": true, "enum": [false, null] });
    let week_day = json!({ "type": "string", "enum": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] });
    let automatic = json!({ "type": "boolean", "enum": [false] });
    let variant = |title: &str, required: &[&str], kind: Value| {
        let mut props = json!({
            "name": name,
            "registryType": { "type": "string", "nullable": true, "example": "V2" },
            "filters": { "type": "array", "minItems": 1, "items": r("RequestFilter") },
            "additionalFilters": r("RequestAdditionalFilters")
        });
        if let (Some(m), Some(k)) = (props.as_object_mut(), kind.as_object()) {
            m.extend(k.clone());
        }
        let mut req = vec!["name", "filters"];
        req.extend_from_slice(required);
        json!({ "title": title, "type": "object", "required": req, "properties": props })
    };
    json!({
        "description": "Validated by qualys-cs-core (every rule of spec section 4). The docs' spellings `OnDemand` and `scheduleScanIntervalInDays` are accepted as aliases; unknown fields are kept (warnings).",
        "anyOf": [
            variant("on demand", &[], json!({
                "onDemand": { "type": "boolean", "nullable": true, "enum": [true, null], "default": true },
                "scheduleIntervalInDays": absent, "weekDay": absent,
                "schedule": hhmm(true), "forceScan": any_bool
            })),
            variant("daily", &["onDemand", "scheduleIntervalInDays", "schedule"], json!({
                "onDemand": automatic, "scheduleIntervalInDays": { "type": "integer", "enum": [1] },
                "weekDay": absent, "schedule": hhmm(false), "forceScan": no_force
            })),
            variant("weekly", &["onDemand", "scheduleIntervalInDays", "weekDay"], json!({
                "onDemand": automatic, "scheduleIntervalInDays": { "type": "integer", "enum": [7] },
                "weekDay": week_day, "schedule": hhmm(true), "forceScan": any_bool
            })),
            variant("every 2-6 days", &["onDemand", "scheduleIntervalInDays"], json!({
                "onDemand": automatic, "scheduleIntervalInDays": { "type": "integer", "minimum": 2, "maximum": 6 },
                "weekDay": absent, "schedule": hhmm(true), "forceScan": no_force
            })),
            variant("every 8-365 days", &["onDemand", "scheduleIntervalInDays"], json!({
                "onDemand": automatic, "scheduleIntervalInDays": { "type": "integer", "minimum": 8, "maximum": 365 },
                "weekDay": absent, "schedule": hhmm(true), "forceScan": any_bool
            }))
        ]
    })
}

/// The document.
pub fn document() -> Value {
    let cs_security = json!([{ "bearerAuth": [] }]);
    let date = json!({ "type": "string", "nullable": true, "description": "epoch milliseconds as a string", "example": "1735689600000" });

    let schemas = json!({
        "ErrorBody": {
            "type": "object",
            "required": ["errorCode", "message", "timestamp"],
            "properties": {
                "errorCode": { "type": "string", "example": "403 FORBIDDEN" },
                "message": { "type": "string" },
                "timestamp": { "type": "integer", "format": "int64", "description": "epoch ms (emulator clock)" }
            }
        },
        "RepoTag": {
            "type": "object",
            "properties": {
                "repo": { "type": "string", "example": "library/nginx" },
                "tag": { "type": "string", "nullable": true, "description": "comma-separated tags; null = all tags" }
            }
        },
        "Filter": {
            "type": "object",
            "properties": {
                "days": { "type": "integer", "nullable": true },
                "repoTags": { "type": "array", "nullable": true, "items": r("RepoTag") }
            }
        },
        "AdditionalFilters": {
            "type": "object",
            "nullable": true,
            "properties": {
                "numberOfTags": { "type": "integer", "nullable": true },
                "sortCriteria": { "type": "string", "nullable": true, "example": "createdDate" }
            }
        },
        "ScheduleRequest": schedule_request_schema(),
        "RequestRepoTag": {
            "type": "object",
            "required": ["repo"],
            "properties": {
                "repo": { "type": "string", "pattern": format!("^[^{WS}]+$"), "example": "library/nginx" },
                "tag": {
                    "type": "string", "nullable": true,
                    "pattern": format!("^[^,]*[^,{WS}][^,]*(,[^,]*[^,{WS}][^,]*)*$"),
                    "description": "comma-separated tags; null = all tags"
                }
            }
        },
        "RequestFilter": {
            "type": "object",
            "required": ["repoTags"],
            "properties": {
                "days": { "type": "integer", "nullable": true, "minimum": 1, "description": "documented: 1-7 or 14 (others get a warning)" },
                "repoTags": { "type": "array", "minItems": 1, "items": r("RequestRepoTag") }
            }
        },
        "RequestAdditionalFilters": {
            "type": "object",
            "nullable": true,
            "required": ["numberOfTags"],
            "properties": {
                "numberOfTags": { "type": "integer", "minimum": 1 },
                "sortCriteria": { "type": "string", "nullable": true, "example": "createdDate" }
            }
        },
        "JobError": {
            "type": "object",
            "properties": {
                "errorCode": {},
                "errorMessage": { "type": "string", "nullable": true },
                "contextParams": {}
            }
        },
        "Schedule": {
            "type": "object",
            "required": ["scheduleUuid", "name", "status", "filters", "errors"],
            "properties": {
                "scheduleUuid": { "type": "string", "format": "uuid" },
                "name": { "type": "string" },
                "onDemand": { "type": "boolean" },
                "scheduleIntervalInDays": { "type": "integer" },
                "weekDay": { "type": "string" },
                "schedule": { "type": "string" },
                "forceScan": { "type": "boolean" },
                "registryType": { "type": "string" },
                "status": { "type": "string", "example": "Completed" },
                "filters": { "type": "array", "items": r("Filter") },
                "additionalFilters": r("AdditionalFilters"),
                "errors": { "type": "array", "items": r("JobError") },
                "created": date, "updated": date,
                "jobStartDate": date, "jobCompletionDate": date,
                "jobListingStartDate": date, "jobListingCompletionDate": date,
                "jobScanningStartDate": date, "jobScanningCompletionDate": date
            }
        },
        "SchedulePage": {
            "type": "object", "required": ["count", "data"],
            "properties": { "count": { "type": "integer" }, "data": { "type": "array", "items": r("Schedule") } }
        },
        "Registry": {
            "type": "object",
            "required": ["registryUuid"],
            "properties": {
                "registryUuid": { "type": "string", "format": "uuid" },
                "registryName": { "type": "string" },
                "registryUri": { "type": "string" },
                "registryType": { "type": "string" },
                "repoCount": { "type": "integer" },
                "created": date, "updated": date, "lastScanned": date
            }
        },
        "RegistryPage": {
            "type": "object", "required": ["count", "data"],
            "properties": { "count": { "type": "integer" }, "data": { "type": "array", "items": r("Registry") } }
        },
        "RegistryDetails": {
            "allOf": [
                r("Registry"),
                {
                    "type": "object",
                    "properties": {
                        "credentialType": { "type": "string" },
                        "schedules": { "type": "array", "items": r("Schedule") }
                    }
                }
            ]
        },
        "Repository": {
            "type": "object",
            "required": ["repoName"],
            "properties": {
                "repoName": { "type": "string" },
                "totalImages": { "type": "integer", "nullable": true },
                "totalScannedImages": { "type": "integer", "nullable": true },
                "totalVulnerableImages": { "type": "integer", "nullable": true }
            }
        },
        "RepositoryPage": {
            "type": "object", "required": ["count", "data"],
            "properties": { "count": { "type": "integer" }, "data": { "type": "array", "items": r("Repository") } }
        },
        "CreateResponse": {
            "type": "object", "required": ["scheduleUuid"],
            "properties": { "scheduleUuid": { "type": "string", "format": "uuid" } }
        },
        "RegistryRequest": {
            "type": "object",
            "description": "Checked by qualys-cs-core's registry rules (per-type required fields); a password or token is never answered, logged or stored",
            "required": ["registryType", "registryUri"],
            "properties": {
                "registryType": { "type": "string" },
                "registryUri": { "type": "string" },
                "credentialType": { "type": "string" },
                "credential": {
                    "type": "object",
                    "properties": {
                        "username": { "type": "string" },
                        "password": { "type": "string", "format": "password", "writeOnly": true },
                        "accessToken": { "type": "string", "format": "password", "writeOnly": true }
                    }
                },
                "aws": {
                    "type": "object",
                    "properties": {
                        "accountId": { "type": "string" }, "arn": { "type": "string" },
                        "region": { "type": "string" },
                        "accountType": { "type": "string", "enum": ["Global", "US_Gov"] }
                    }
                },
                "connectorId": { "type": "string" },
                "projectId": { "type": "string" },
                "location": { "type": "string" },
                "registry": { "type": "string" },
                "dockerHubOrgName": { "type": "string" }
            }
        },
        "RegistryCreated": {
            "type": "object", "required": ["registryUuid"],
            "properties": { "registryUuid": { "type": "string", "format": "uuid" } }
        },
        "RegistryDeleteRequest": {
            "type": "object", "required": ["registryIds"],
            "properties": { "registryIds": { "type": "array", "items": { "type": "string", "format": "uuid" } } }
        },
        "Connector": {
            "type": "object",
            "properties": {
                "connectorId": { "type": "string" }, "name": { "type": "string" },
                "description": { "type": "string" }, "arn": { "type": "string" },
                "accountId": { "type": "string" }, "accountType": { "type": "string" },
                "projectId": { "type": "string" }
            }
        },
        "BulkDeleteResponse": {
            "type": "object", "required": ["deletionJobId"],
            "properties": { "deletionJobId": { "type": "string", "format": "uuid" } }
        },
        "BulkCancelResponse": {
            "type": "object", "required": ["CancelJobId"],
            "properties": { "CancelJobId": { "type": "string", "format": "uuid" } }
        },
        "Clock": {
            "type": "object", "required": ["now", "nowMs", "mode"],
            "properties": {
                "now": { "type": "string", "description": "RFC 3339" },
                "nowMs": { "type": "integer", "format": "int64" },
                "mode": { "type": "string", "enum": ["virtual", "realtime"] },
                "stamp": { "type": "string", "description": "RFC 3339: what created/updated/Date say now (virtual: now + real time since the clock last moved)" },
                "stampMs": { "type": "integer", "format": "int64" }
            }
        },
        "AdvanceBody": {
            "type": "object", "required": ["seconds"], "additionalProperties": false,
            "properties": { "seconds": { "type": "number", "minimum": 0, "maximum": 3.2e9 } }
        },
        "FaultRule": {
            "type": "object", "required": ["kind"], "additionalProperties": false,
            "properties": {
                "method": { "type": "string", "example": "POST" },
                "path": { "type": "string", "description": "glob, * = any characters; absent = any /csapi/ route", "example": "/csapi/v1.3/registry/*/schedule" },
                "kind": { "type": "string", "enum": ["status", "drop", "latency", "late", "twin"] },
                "status": { "type": "integer", "enum": [429, 500, 502, 503] },
                "stage": { "type": "string", "enum": ["before", "after"] },
                "latencyMs": { "type": "integer", "minimum": 0, "maximum": 600000 },
                "twin": { "type": "string", "enum": ["different", "identical"], "description": "kind twin: the other client's schedule (default different: same name, on demand, repo twin/other)" },
                "count": { "type": "integer", "minimum": 1 },
                "probability": { "type": "number", "minimum": 0, "maximum": 1 },
                "seed": { "type": "integer", "minimum": 0 },
                "retryAfterSec": { "type": "integer", "minimum": 0 }
            }
        },
        "FaultRuleState": {
            "allOf": [
                { "type": "object", "properties": {
                    "method": { "type": "string" }, "path": { "type": "string" },
                    "kind": { "type": "string" }, "status": { "type": "integer" },
                    "stage": { "type": "string" }, "latencyMs": { "type": "integer" },
                    "twin": { "type": "string" },
                    "count": { "type": "integer" }, "probability": { "type": "number" },
                    "seed": { "type": "integer" }, "retryAfterSec": { "type": "integer" }
                } },
                { "type": "object", "required": ["id", "matched", "fired"], "properties": {
                    "id": { "type": "string" },
                    "remaining": { "type": "integer", "nullable": true },
                    "matched": { "type": "integer" },
                    "fired": { "type": "integer" }
                } }
            ]
        },
        "JournalEntry": {
            "type": "object",
            "required": ["seq", "requestId", "timeMs", "method", "path", "status", "dropped", "ms"],
            "properties": {
                "seq": { "type": "integer" },
                "requestId": { "type": "string" },
                "timeMs": { "type": "integer", "format": "int64" },
                "method": { "type": "string" },
                "path": { "type": "string" },
                "query": { "type": "string", "nullable": true },
                "status": { "type": "integer", "nullable": true },
                "dropped": { "type": "boolean" },
                "ms": { "type": "integer" },
                "user": { "type": "string" },
                "authorization": { "type": "string", "example": "Bearer ***" },
                "headers": { "type": "object", "additionalProperties": { "type": "string" }, "description": "request headers, secret-looking ones ***" },
                "faults": { "type": "array", "items": { "type": "string" } },
                "bodyRedacted": { "description": "the body, secret-looking values replaced by ***, cut at 64 KiB" }
            }
        },
        "JournalStats": {
            "type": "object", "required": ["entries", "bytes", "maxEntries", "maxBytes", "maxBodyBytes", "evicted"],
            "properties": {
                "entries": { "type": "integer" }, "bytes": { "type": "integer" },
                "maxEntries": { "type": "integer" }, "maxBytes": { "type": "integer" },
                "maxBodyBytes": { "type": "integer" }, "evicted": { "type": "integer" }
            }
        },
        "RawSchedule": {
            "allOf": [
                r("Schedule"),
                { "type": "object", "required": ["registryUuid", "emulator"], "properties": {
                    "registryUuid": { "type": "string" },
                    "emulator": { "type": "object", "properties": {
                        "seq": { "type": "integer" },
                        "phase": { "type": "string", "nullable": true },
                        "nextStepMs": { "type": "integer", "nullable": true },
                        "nextRunMs": { "type": "integer", "nullable": true },
                        "nextRun": { "type": "string", "nullable": true },
                        "runs": { "type": "integer" },
                        "request": { "type": "object" }
                    } }
                } }
            ]
        },
        "Settings": {
            "type": "object",
            "properties": {
                "jobStepSeconds": { "type": "number" },
                "jobOutcome": { "type": "string", "enum": ["Completed", "Failed"] },
                "tokenTtlSecs": { "type": "integer" },
                "rateLimit": { "type": "object", "properties": { "limit": { "type": "integer" }, "windowSecs": { "type": "number" } } },
                "clockMode": { "type": "string", "enum": ["virtual", "realtime"] },
                "wire": { "type": "string", "enum": ["full", "oas2021"] },
                "controlToken": { "type": "boolean", "description": "the control routes need a token" },
                "headerReadTimeoutSecs": { "type": "number" },
                "bodyReadTimeoutSecs": { "type": "number" },
                "users": { "type": "array", "items": { "type": "string" } },
                "dataFile": { "type": "string", "nullable": true }
            }
        },
        "SettingsBody": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "jobStepSeconds": { "type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 86400 },
                "jobOutcome": { "type": "string", "enum": ["Completed", "Failed"] }
            }
        }
    });

    let err = |d: &str| json!({ "description": d, "content": json_content(r("ErrorBody")) });
    let rate_headers = json!({
        "X-RateLimit-Limit": { "schema": { "type": "integer" } },
        "X-RateLimit-Window-Sec": { "schema": { "type": "integer" } },
        "X-RateLimit-Remaining": { "schema": { "type": "integer" } },
        "X-Request-Id": { "schema": { "type": "string" } }
    });
    let responses = json!({
        "BadRequest": err("invalid input; the message lists every violation as `path: message (code)` lines"),
        "Unauthorized": err("missing, invalid or expired bearer token, or bad credentials"),
        "Forbidden": err("the user lacks the Container Security API permission"),
        "NotFound": err("unknown registry or schedule"),
        "Conflict": err("the schedule's state forbids the operation (e.g. its job is running)"),
        "PayloadTooLarge": err("the body is larger than 1 MiB"),
        "RequestTimeout": err("the body did not arrive within the body read timeout (30 s by default); the connection is closed"),
        "ControlUnauthorized": err("the emulator has a control token and the request does not carry it (Authorization: Bearer <control token> or X-Emulator-Control-Token)"),
        "TooManyRequests": {
            "description": "rate limit exceeded (or an injected fault)",
            "headers": {
                "Retry-After": { "schema": { "type": "integer", "minimum": 1 } },
                "X-RateLimit-ToWait-Sec": { "schema": { "type": "integer", "minimum": 1 } }
            },
            "content": json_content(r("ErrorBody"))
        },
        "ServerError": err("internal error or injected fault"),
        "GatewayError": {
            "description": "injected gateway fault; the body is HTML text, not JSON",
            "content": { "text/html": { "schema": { "type": "string" } } }
        }
    });
    let parameters = json!({
        "registryId": { "name": "registryId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" }, "example": crate::DEMO_REGISTRY_ID },
        "scheduleId": { "name": "scheduleId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
        "pageNumber": { "name": "pageNumber", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": crate::query::MAX_PAGE_NUMBER, "default": 1 } },
        "pageSize": { "name": "pageSize", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE } },
        "scheduleIds": {
            "name": "scheduleIds", "in": "query", "required": false, "style": "form", "explode": true,
            "description": "schedule ids (repeat the parameter); win over filter when both are given. One of scheduleIds and filter is required (400 otherwise).",
            "schema": { "type": "array", "items": { "type": "string", "format": "uuid" } }
        },
        "bulkFilter": filter_param(
            "filter",
            SCHEDULE_FILTER_FIELDS,
            format!("which schedules (e.g. scheduleUuid:* for all); fields: {}", SCHEDULE_FILTER_FIELDS.join(", ")),
        )
    });

    let ok = |d: &str, schema: Value| json!({ "description": d, "headers": rate_headers, "content": json_content(schema) });
    let ctl_ok =
        |d: &str, schema: Value| json!({ "description": d, "content": json_content(schema) });
    let bad = resp("BadRequest");
    let with_registry =
        |rest: Vec<Value>| -> Vec<Value> { std::iter::once(p("registryId")).chain(rest).collect() };
    let repo_params = with_registry(list_params(
        REPOSITORY_FILTER_FIELDS,
        REPOSITORY_SORT_FIELDS,
    ));
    let schedule_params = with_registry(list_params(SCHEDULE_FILTER_FIELDS, SCHEDULE_SORT_FIELDS));

    let paths = json!({
        "/auth": {
            "post": {
                "tags": ["auth"],
                "summary": "Get a token (JWT, HS256)",
                "operationId": "auth",
                "requestBody": {
                    "required": true,
                    "content": { "application/x-www-form-urlencoded": { "schema": {
                        "type": "object", "required": ["username", "password", "token"],
                        "properties": {
                            "username": { "type": "string" },
                            "password": { "type": "string", "format": "password" },
                            "token": { "type": "string", "enum": ["true"] },
                            "permissions": { "type": "string" }
                        }
                    } } }
                },
                "responses": {
                    "201": { "description": "the JWT as text", "content": { "text/plain": { "schema": { "type": "string" } } } },
                    "400": bad, "401": resp("Unauthorized"), "408": resp("RequestTimeout"),
                    "413": resp("PayloadTooLarge"),
                    "429": resp("TooManyRequests"), "500": resp("ServerError"),
                    "502": resp("GatewayError"), "503": resp("GatewayError")
                }
            }
        },
        "/csapi/v1.3/registry": {
            "get": {
                "tags": ["registries"], "operationId": "listRegistries", "summary": "List registries",
                "security": cs_security, "parameters": list_params(REGISTRY_FILTER_FIELDS, REGISTRY_SORT_FIELDS),
                "responses": cs_responses(json!({ "200": ok("a page of registries", r("RegistryPage")) }), false, false, false)
            },
            "post": {
                "tags": ["registries"], "operationId": "createRegistry",
                "summary": "Create a registry (409 when one with the same registryUri and registryType exists)",
                "security": cs_security,
                "requestBody": { "required": true, "content": json_content(r("RegistryRequest")) },
                "responses": cs_responses(json!({ "200": ok("created", r("RegistryCreated")) }), false, true, true)
            },
            "delete": {
                "tags": ["registries"], "operationId": "bulkDeleteRegistries",
                "summary": "Delete several registries and their schedules (unknown ones and those with a Running schedule are skipped)",
                "security": cs_security,
                "parameters": [{ "name": "registryIds", "in": "query", "required": false, "explode": true,
                                 "schema": { "type": "array", "items": { "type": "string", "format": "uuid" } } }],
                "requestBody": { "required": false, "content": json_content(r("RegistryDeleteRequest")) },
                "responses": cs_responses(json!({ "200": ok("the deletion job", r("BulkDeleteResponse")) }), false, false, true)
            }
        },
        "/csapi/v1.3/registry/{registryId}": {
            "get": {
                "tags": ["registries"], "operationId": "getRegistry", "summary": "Get a registry with its schedules",
                "security": cs_security, "parameters": [p("registryId")],
                "responses": cs_responses(json!({ "200": ok("the registry", r("RegistryDetails")) }), true, false, false)
            },
            "put": {
                "tags": ["registries"], "operationId": "updateRegistry",
                "summary": "Update a registry (registryType and registryUri are required and cannot change)",
                "security": cs_security, "parameters": [p("registryId")],
                "requestBody": { "required": true, "content": json_content(r("RegistryRequest")) },
                "responses": cs_responses(json!({ "200": ok("updated", r("RegistryCreated")) }), true, false, true)
            },
            "delete": {
                "tags": ["registries"], "operationId": "deleteRegistry",
                "summary": "Delete a registry and its schedules (not while one of them is Running)",
                "security": cs_security, "parameters": [p("registryId")],
                "responses": cs_responses(json!({
                    "204": { "description": "deleted (full profile)", "headers": rate_headers },
                    "200": ok("deleted (oas2021 profile): the id", json!({ "type": "string" }))
                }), true, true, false)
            }
        },
        "/csapi/v1.3/registry/validate": {
            "post": {
                "tags": ["registries"], "operationId": "validateRegistry",
                "summary": "Check a registry request: core's rules, the connector, the credentials (emulator rule: a password or token starting with \"reject\" is refused) and whether it exists",
                "security": cs_security,
                "requestBody": { "required": true, "content": json_content(r("RegistryRequest")) },
                "responses": cs_responses(json!({ "200": ok("acceptable", json!({ "type": "boolean" })) }), false, false, true)
            }
        },
        "/csapi/v1.3/registry/aws-base": {
            "get": {
                "tags": ["registries"], "operationId": "getAwsBase", "summary": "The AWS account and external id Qualys assumes roles with",
                "security": cs_security,
                "responses": cs_responses(json!({ "200": ok("the account", json!({ "type": "object", "properties": { "accountId": { "type": "string" }, "externalId": { "type": "string" } } })) }), false, false, false)
            }
        },
        "/csapi/v1.3/registry/{kind}/connectors": {
            "get": {
                "tags": ["registries"], "operationId": "listConnectors", "summary": "The connectors of a kind (acr, aws, gcp)",
                "security": cs_security,
                "parameters": [{ "name": "kind", "in": "path", "required": true, "schema": { "type": "string", "enum": ["acr", "aws", "gcp"] } }],
                "responses": cs_responses(json!({ "200": ok("the connectors", json!({ "type": "array", "items": r("Connector") })) }), true, false, false)
            }
        },
        "/csapi/v1.3/registry/aws/connectors/{accountId}": {
            "get": {
                "tags": ["registries"], "operationId": "listAwsConnectorsOfAccount", "summary": "The AWS connectors of an account",
                "security": cs_security,
                "parameters": [{ "name": "accountId", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": cs_responses(json!({ "200": ok("the connectors", json!({ "type": "array", "items": r("Connector") })) }), false, false, false)
            }
        },
        "/csapi/v1.3/registry/{kind}/connector/{connectorId}": {
            "get": {
                "tags": ["registries"], "operationId": "getConnector", "summary": "One ACR or GCP connector",
                "security": cs_security,
                "parameters": [
                    { "name": "kind", "in": "path", "required": true, "schema": { "type": "string", "enum": ["acr", "gcp"] } },
                    { "name": "connectorId", "in": "path", "required": true, "schema": { "type": "string" } }
                ],
                "responses": cs_responses(json!({ "200": ok("the connector", r("Connector")) }), true, false, false)
            }
        },
        "/csapi/v1.3/registry/{registryId}/repository": {
            "get": {
                "tags": ["registries"], "operationId": "listRepositories", "summary": "List a registry's repositories",
                "security": cs_security,
                "parameters": repo_params,
                "responses": cs_responses(json!({ "200": ok("a page of repositories", r("RepositoryPage")) }), true, false, false)
            }
        },
        "/csapi/v1.3/registry/{registryId}/schedule": {
            "get": {
                "tags": ["schedules"], "operationId": "listSchedules", "summary": "List schedules",
                "security": cs_security,
                "parameters": schedule_params,
                "responses": cs_responses(json!({ "200": ok("a page of schedules", r("SchedulePage")) }), true, false, false)
            },
            "post": {
                "tags": ["schedules"], "operationId": "createSchedule", "summary": "Create a schedule (duplicate names are allowed)",
                "security": cs_security, "parameters": [p("registryId")],
                "requestBody": { "required": true, "content": json_content(r("ScheduleRequest")) },
                "responses": cs_responses(json!({ "200": ok("created", r("CreateResponse")) }), true, false, true)
            }
        },
        "/csapi/v1.3/registry/{registryId}/schedule/bulk": {
            "delete": {
                "tags": ["schedules"], "operationId": "bulkDeleteSchedules",
                "summary": "Delete several schedules (Queued, Unknown and Running ones are skipped)",
                "security": cs_security, "parameters": [p("registryId"), p("scheduleIds"), p("bulkFilter")],
                "responses": cs_responses(json!({ "200": ok("the deletion job", r("BulkDeleteResponse")) }), true, false, false)
            }
        },
        "/csapi/v1.3/registry/{registryId}/schedule/cancel": {
            "post": {
                "tags": ["schedules"], "operationId": "bulkCancelSchedules",
                "summary": "Cancel several schedules (Finished, Unknown, Error and other non-cancelable ones are skipped)",
                "security": cs_security, "parameters": [p("registryId"), p("scheduleIds"), p("bulkFilter")],
                "responses": cs_responses(json!({ "200": ok("the cancel job", r("BulkCancelResponse")) }), true, false, false)
            }
        },
        "/csapi/v1.3/registry/{registryId}/schedule/{scheduleId}": {
            "put": {
                "tags": ["schedules"], "operationId": "updateSchedule",
                "summary": "Update an automatic schedule (onDemand, repo, tag and days cannot change; not while Running)",
                "security": cs_security, "parameters": [p("registryId"), p("scheduleId")],
                "requestBody": { "required": true, "content": json_content(r("ScheduleRequest")) },
                "responses": cs_responses(json!({ "200": ok("updated", r("CreateResponse")) }), true, true, true)
            },
            "delete": {
                "tags": ["schedules"], "operationId": "deleteSchedule", "summary": "Delete a schedule (not while Running)",
                "security": cs_security, "parameters": [p("registryId"), p("scheduleId")],
                "responses": cs_responses(json!({ "204": { "description": "deleted", "headers": rate_headers } }), true, true, false)
            }
        },
        "/csapi/v1.3/registry/{registryId}/schedule/{scheduleId}/cancel": {
            "post": {
                "tags": ["schedules"], "operationId": "cancelSchedule",
                "summary": "Cancel a schedule's job (from Created, Queued, Paused, Running, BaselineQueued, BaselineRunning)",
                "security": cs_security, "parameters": [p("registryId"), p("scheduleId")],
                "responses": cs_responses(json!({ "201": { "description": "canceled", "headers": rate_headers } }), true, true, false)
            }
        },
        "/_emulator/reset": {
            "post": {
                "tags": ["control"], "operationId": "reset",
                "summary": "Clear schedules, faults, the journal and rate-limit counters; registries go back to the configured ones (users stay)",
                "responses": { "200": ctl_ok("reset", json!({ "type": "object", "properties": { "reset": { "type": "boolean" } } })), "500": resp("ServerError") }
            }
        },
        "/_emulator/clock": {
            "get": {
                "tags": ["control"], "operationId": "getClock", "summary": "The emulator clock",
                "responses": { "200": ctl_ok("the clock", r("Clock")) }
            }
        },
        "/_emulator/clock/advance": {
            "post": {
                "tags": ["control"], "operationId": "advanceClock",
                "summary": "Move the clock forward; due automatic schedules fire and jobs move",
                "requestBody": { "required": true, "content": json_content(r("AdvanceBody")) },
                "responses": { "200": ctl_ok("the new clock", r("Clock")), "400": bad, "500": resp("ServerError") }
            }
        },
        "/_emulator/faults": {
            "post": {
                "tags": ["control"], "operationId": "addFault", "summary": "Add a fault rule",
                "requestBody": { "required": true, "content": json_content(r("FaultRule")) },
                "responses": {
                    "201": ctl_ok("added", json!({ "type": "object", "required": ["id"], "properties": { "id": { "type": "string" } } })),
                    "400": bad
                }
            },
            "get": {
                "tags": ["control"], "operationId": "listFaults", "summary": "The fault rules with their counters",
                "responses": { "200": ctl_ok("rules", json!({ "type": "array", "items": r("FaultRuleState") })) }
            },
            "delete": {
                "tags": ["control"], "operationId": "clearFaults", "summary": "Remove every fault rule",
                "responses": { "204": { "description": "cleared" } }
            }
        },
        "/_emulator/requests": {
            "get": {
                "tags": ["control"], "operationId": "listRequests", "summary": "The request journal (secrets redacted)",
                "responses": { "200": ctl_ok("entries, oldest first", json!({ "type": "array", "items": r("JournalEntry") })) }
            },
            "delete": {
                "tags": ["control"], "operationId": "clearRequests", "summary": "Clear the journal",
                "responses": { "204": { "description": "cleared" } }
            }
        },
        "/_emulator/requests/stats": {
            "get": {
                "tags": ["control"], "operationId": "requestStats", "summary": "Entries and bytes of the journal, with its bounds",
                "responses": { "200": ctl_ok("sizes", r("JournalStats")) }
            }
        },
        "/_emulator/registries": {
            "get": {
                "tags": ["control"], "operationId": "rawRegistries",
                "summary": "Every registry with what the API left of its requests (username, credentialRevision, connector; never a secret)",
                "responses": { "200": ctl_ok("registries", json!({ "type": "array", "items": r("RegistryDetails") })) }
            }
        },
        "/_emulator/schedules": {
            "get": {
                "tags": ["control"], "operationId": "rawSchedules", "summary": "Every schedule of every registry with its raw state",
                "responses": { "200": ctl_ok("schedules", json!({ "type": "array", "items": r("RawSchedule") })), "500": resp("ServerError") }
            }
        },
        "/_emulator/settings": {
            "get": {
                "tags": ["control"], "operationId": "getSettings", "summary": "Job timing, outcome and limits",
                "responses": { "200": ctl_ok("settings", r("Settings")) }
            },
            "put": {
                "tags": ["control"], "operationId": "putSettings", "summary": "Change job timing or outcome",
                "requestBody": { "required": true, "content": json_content(r("SettingsBody")) },
                "responses": { "200": ctl_ok("settings", r("Settings")), "400": bad }
            }
        },
        "/openapi.json": {
            "get": {
                "tags": ["control"], "operationId": "openapi", "summary": "This document",
                "responses": { "200": ctl_ok("OpenAPI 3.0 document", json!({ "type": "object" })) }
            }
        }
    });

    // With a control token, every control route may answer 401.
    let mut paths = paths;
    if let Some(m) = paths.as_object_mut() {
        for (p, item) in m.iter_mut() {
            if !p.starts_with("/_emulator") {
                continue;
            }
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                if let Some(rs) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    rs.insert("401".into(), resp("ControlUnauthorized"));
                }
            }
        }
    }

    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "qualys-cs-emulator",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Local emulator of the Qualys Container Security registry-schedule API v1.3, with control routes (/_emulator) for tests."
        },
        "servers": [{ "url": "/" }],
        "tags": [
            { "name": "auth" }, { "name": "registries" }, { "name": "schedules" },
            { "name": "control", "description": "emulator control: not rate limited, no JWT; a control token (Authorization: Bearer or X-Emulator-Control-Token) when the emulator has one" }
        ],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearerAuth": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } },
            "schemas": schemas,
            "parameters": parameters,
            "responses": responses
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` resolves.
    #[test]
    fn refs_resolve() {
        let doc = document();
        fn walk(v: &Value, doc: &Value, n: &mut usize) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        let ptr = r.trim_start_matches('#');
                        assert!(doc.pointer(ptr).is_some(), "dangling {r}");
                        *n += 1;
                    }
                    m.values().for_each(|x| walk(x, doc, n));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, doc, n)),
                _ => {}
            }
        }
        let mut n = 0;
        walk(&doc, &doc, &mut n);
        assert!(n > 50);
    }
}
