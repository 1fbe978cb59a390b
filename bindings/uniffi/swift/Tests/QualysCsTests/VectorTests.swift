import Foundation
import QualysCs
import XCTest

/// Every case of the shared vectors (tests/vectors/README.md), as the Kotlin suite runs them:
/// Rust decodes and evaluates through the binding, the comparison happens here.
final class VectorTests: XCTestCase {
    private func load(_ file: String, known: Set<String>) throws -> (doc: [String: Any], cases: [[String: Any]]) {
        let text = try String(contentsOf: vectorsDir.appendingPathComponent(file), encoding: .utf8)
        let doc = try XCTUnwrap(try JSON.parse(text) as? [String: Any])
        let cases = try XCTUnwrap(doc["cases"] as? [[String: Any]])
        XCTAssertFalse(cases.isEmpty, "\(file) has no cases")
        for c in cases {
            let unknown = Set(c.keys).subtracting(known)
            XCTAssertTrue(unknown.isEmpty, "\(file): case \(c["name"] ?? "?") has unknown keys \(unknown)")
        }
        return (doc, cases)
    }

    private func pairs(_ vs: [Violation]) -> [String] {
        vs.map { "\($0.path) \($0.code)" }.sorted()
    }

    private func expectedPairs(_ list: Any?) -> [String] {
        ((list as? [[String: Any]]) ?? []).map { "\($0["path"] as! String) \($0["code"] as! String)" }.sorted()
    }

    private func compare(_ errors: [Violation], _ warnings: [Violation], _ c: [String: Any], _ failures: inout [String]) {
        let name = c["name"] as! String
        if pairs(errors) != expectedPairs(c["errors"]) {
            failures.append("\(name): errors \(pairs(errors)), want \(expectedPairs(c["errors"]))")
        }
        if pairs(warnings) != expectedPairs(c["warnings"]) {
            failures.append("\(name): warnings \(pairs(warnings)), want \(expectedPairs(c["warnings"]))")
        }
        if (errors + warnings).contains(where: { $0.message.isEmpty }) {
            failures.append("\(name): a violation has an empty message")
        }
    }

    private func finish(_ file: String, _ count: Int, _ failures: [String]) {
        XCTAssertTrue(failures.isEmpty, "\(file): \(failures.count) of \(count) cases failed:\n" + failures.joined(separator: "\n"))
    }

    func testRequests() throws {
        let file = "requests.json"
        let (_, cases) = try load(file, known: ["name", "description", "input", "input_text", "errors", "warnings", "canonical"])
        var failures: [String] = []
        for c in cases {
            let name = c["name"] as! String
            do {
                if let text = c["input_text"] as? String {
                    do {
                        let request = try parseRequestJson(json: text)
                        let r = try validate(request: request)
                        compare(r.errors, r.warnings, c, &failures)
                    } catch let e as QualysCsError {
                        compare(e.violations(), [], c, &failures)
                    }
                } else {
                    let input = try JSON.write(c["input"])
                    let r = try validateJson(json: input)
                    compare(r.errors, r.warnings, c, &failures)
                    if let canonical = c["canonical"] {
                        let back = try JSON.parse(requestToJson(request: parseRequestJson(json: input)))
                        if !JSON.same(back, canonical) { failures.append("\(name): canonical \(back)") }
                    }
                }
            } catch {
                failures.append("\(name): unexpected \(error)")
            }
        }
        finish(file, cases.count, failures)
    }

    func testUpdates() throws {
        let file = "updates.json"
        let (_, cases) = try load(file, known: ["name", "description", "current", "next", "errors", "warnings"])
        var failures: [String] = []
        for c in cases {
            do {
                let current = try parseScheduleJson(json: JSON.write(c["current"]))
                let next = try parseRequestJson(json: JSON.write(c["next"]))
                let r = try validateUpdate(current: current, next: next)
                compare(r.errors, r.warnings, c, &failures)
            } catch {
                failures.append("\(c["name"]!): unexpected \(error)")
            }
        }
        finish(file, cases.count, failures)
    }

    private func decodeToJson(_ kind: String, _ body: String) throws -> String {
        switch kind {
        case "create": return "{\"schedule_uuid\": \"\(try decodeCreateResponse(body: body).scheduleUuid)\"}"
        case "schedule_page": return try schedulePageToJson(page: decodeSchedulePage(body: body))
        case "schedule_page_lenient": return try schedulePageToJson(page: decodeSchedulePage(body: body, lenient: true))
        case "registry_page": return try registryPageToJson(page: decodeRegistryPage(body: body))
        case "registry": return try registryDetailsToJson(details: decodeRegistryDetails(body: body))
        case "repository_page": return try repositoryPageToJson(page: decodeRepositoryPage(body: body))
        case "bulk_delete": return try bulkDeleteToJson(response: decodeBulkDelete(body: body))
        case "bulk_cancel": return try bulkCancelToJson(response: decodeBulkCancel(body: body))
        case "error_body": return try errorBodyToJson(body: decodeErrorBody(body: body))
        default: throw NSError(domain: "unknown kind \(kind)", code: 1)
        }
    }

    private func compareError(_ e: QualysCsError, _ expected: [String: Any], _ name: String, _ failures: inout [String]) {
        let variant = e.code().split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if !String(describing: e).hasPrefix(variant + "(") {
            failures.append("\(name): error \(e) is not the \(variant) case")
        }
        if e.message().isEmpty { failures.append("\(name): empty message") }
        let got: [String: Any?] = [
            "code": e.code(),
            "status": e.status().map { Int($0) },
            "qualys_error_code": e.qualysErrorCode(),
            "message": e.serverMessage(),
            "body": e.body(),
        ]
        for (k, want) in expected {
            guard let have = got[k] else {
                failures.append("\(name): expect_error key \(k) is not available")
                continue
            }
            let same: Bool
            switch want {
            case is NSNull: same = have == nil
            case let w as String: same = (have as? String) == w
            case let w as NSNumber: same = (have as? Int) == w.intValue
            default: same = false
            }
            if !same { failures.append("\(name): error field \(k) = \(String(describing: have)), want \(want)") }
        }
    }

    func testResponses() throws {
        let file = "responses.json"
        let (_, cases) = try load(file, known: ["name", "description", "kind", "status", "body", "expect", "expect_error"])
        var failures: [String] = []
        for c in cases {
            let name = c["name"] as! String
            let kind = c["kind"] as! String
            let body = c["body"] as! String
            if kind == "http_error" {
                let status = UInt16((c["status"] as! NSNumber).intValue)
                let e = errorFromHttp(status: status, requestId: nil, body: body, retryAfter: nil)
                compareError(e, c["expect_error"] as! [String: Any], name, &failures)
                continue
            }
            do {
                let text = try decodeToJson(kind, body)
                if c["expect_error"] != nil {
                    failures.append("\(name): decoded \(text), want an error")
                } else {
                    let parsed = try JSON.parse(text)
                    if !JSON.same(parsed, c["expect"]) { failures.append("\(name): got \(text)") }
                }
            } catch let e as QualysCsError {
                if let expected = c["expect_error"] as? [String: Any] {
                    compareError(e, expected, name, &failures)
                } else {
                    failures.append("\(name): unexpected \(e)")
                }
            }
        }
        finish(file, cases.count, failures)
    }

    func testNextRuns() throws {
        let file = "next_runs.json"
        let (_, cases) = try load(file, known: ["name", "description", "request", "created", "after", "n", "expect", "expect_error"])
        var failures: [String] = []
        for c in cases {
            let name = c["name"] as! String
            let created = JSON.date(c["created"] as! String)
            let after = JSON.date(c["after"] as! String)
            let n = UInt32((c["n"] as! NSNumber).intValue)
            do {
                let runs = try nextRuns(request: parseRequestJson(json: JSON.write(c["request"])), created: created, after: after, n: n)
                let want = ((c["expect"] as? [String]) ?? []).map(JSON.date)
                if c["expect_error"] != nil || runs != want { failures.append("\(name): runs \(runs), want \(want)") }
            } catch let e as QualysCsError {
                if e.code() != (c["expect_error"] as? String) { failures.append("\(name): error \(e)") }
            }
        }
        finish(file, cases.count, failures)
    }

    func testTimezones() throws {
        let file = "timezones.json"
        let (_, cases) = try load(file, known: ["name", "local_time", "week_day", "zone", "reference", "expect", "expect_error"])
        var failures: [String] = []
        for c in cases {
            let name = c["name"] as! String
            let day = c["week_day"] as? String
            let reference = JSON.date(c["reference"] as! String)
            do {
                let conv = try localToUtc(localTime: c["local_time"] as! String, weekDay: day, zone: c["zone"] as! String, reference: reference)
                guard let e = c["expect"] as? [String: Any] else {
                    failures.append("\(name): converted, want an error")
                    continue
                }
                if conv.utcTime != e["utc_time"] as? String { failures.append("\(name): utc_time \(conv.utcTime)") }
                if conv.utcWeekDay != e["utc_week_day"] as? String {
                    failures.append("\(name): utc_week_day \(String(describing: conv.utcWeekDay))")
                }
                if Int(conv.dayShift) != (e["day_shift"] as! NSNumber).intValue { failures.append("\(name): day_shift \(conv.dayShift)") }
                if Int(conv.offsetMinutes) != (e["offset_minutes"] as! NSNumber).intValue {
                    failures.append("\(name): offset_minutes \(conv.offsetMinutes)")
                }
                let want = e["warnings"] as! [[String: Any]]
                if want.count != conv.warnings.count {
                    failures.append("\(name): \(conv.warnings.count) warnings, want \(want.count)")
                    continue
                }
                for (w, g) in zip(want, conv.warnings) {
                    if g.code != w["code"] as? String { failures.append("\(name): warning code \(g.code)") }
                    if let sub = w["contains"] as? String, !g.message.contains(sub) {
                        failures.append("\(name): warning '\(g.message)' lacks '\(sub)'")
                    }
                }
            } catch let err as QualysCsError {
                if err.violations().first?.code != c["expect_error"] as? String { failures.append("\(name): error \(err)") }
            }
        }
        finish(file, cases.count, failures)
    }

    func testPlans() throws {
        let file = "plans.json"
        let (doc, cases) = try load(file, known: ["name", "desired", "actual", "prune", "expect", "expect_unmanaged"])
        let registryJson = try JSON.write(doc["registry"])
        let reference = JSON.date("2026-06-01T00:00:00Z")
        var failures: [String] = []
        for c in cases {
            let name = c["name"] as! String
            do {
                let desired = try parseDesiredState(text: JSON.write(c["desired"]), format: .json, source: name, reference: reference)
                let actual = try (c["actual"] as! [[String: Any]]).map { a in
                    ActualRegistry(
                        registry: try parseRegistryJson(json: registryJson),
                        schedules: try (a["schedules"] as! [Any]).map { try parseScheduleJson(json: JSON.write($0)) }
                    )
                }
                let p = try plan(desired: desired, actual: actual, options: PlanOptions(prune: (c["prune"] as? Bool) ?? false))
                let want = c["expect"] as! [[String: Any]]
                if want.count != p.items.count {
                    failures.append("\(name): \(p.items.count) items, want \(want.count):\n\(try planRenderText(plan: p))")
                    continue
                }
                for (w, item) in zip(want, p.items) {
                    if item.registry != w["registry"] as? String || item.name != w["name"] as? String
                        || "\(item.action)" != w["action"] as? String {
                        failures.append("\(name): got \(item.registry) \(item.name) \(item.action), want \(w)")
                    }
                    if let fields = w["fields"] as? [String], item.changes.map(\.field) != fields {
                        failures.append("\(name): changed fields \(item.changes.map(\.field)), want \(fields)")
                    }
                    if let unknown = w["unknown"] as? [String], item.changes.filter(\.unknown).map(\.field) != unknown {
                        failures.append("\(name): unknown fields \(item.changes.filter(\.unknown).map(\.field)), want \(unknown)")
                    }
                    if let sub = w["reason_contains"] as? String, !(item.reason ?? "").contains(sub) {
                        failures.append("\(name): reason \(String(describing: item.reason)) lacks \(sub)")
                    }
                }
                let unmanaged = (c["expect_unmanaged"] as? NSNumber)?.intValue ?? 0
                if Int(p.unmanaged) != unmanaged { failures.append("\(name): unmanaged \(p.unmanaged), want \(unmanaged)") }
                let rendered = try planRenderText(plan: p)
                if !rendered.contains("Plan: ") { failures.append("\(name): no summary line") }
            } catch {
                failures.append("\(name): unexpected \(error)")
            }
        }
        finish(file, cases.count, failures)
    }
}
