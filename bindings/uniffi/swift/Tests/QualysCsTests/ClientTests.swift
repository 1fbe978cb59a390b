import Foundation
import QualysCs
import XCTest

/// The async client against the embedded emulator (real HTTP on 127.0.0.1, a free port);
/// mirrors ClientTests.kt.
final class ClientTests: XCTestCase {
    private func weekly(_ name: String, _ day: WeekDay = "MONDAY") -> ScheduleRequest {
        ScheduleRequest(
            name: name, onDemand: false, scheduleIntervalInDays: 7, weekDay: day, schedule: "02:00",
            filters: [Filter(repoTags: [RepoTag(repo: "library/nginx")])]
        )
    }

    private func onDemand(_ name: String) -> ScheduleRequest {
        ScheduleRequest(name: name, filters: [Filter(repoTags: [RepoTag(repo: "library/redis", tag: "7")])])
    }

    /// The error `body` throws, failing the test when it throws none or another kind.
    private func expectError<T>(_ what: String, _ body: () async throws -> T) async -> QualysCsError? {
        do {
            _ = try await body()
            XCTFail("\(what): no error")
        } catch let e as QualysCsError {
            return e
        } catch {
            XCTFail("\(what): unexpected \(error)")
        }
        return nil
    }

    func testCreateListGetUpdateDelete() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        XCTAssertTrue(client.gatewayUrl().hasPrefix("http://127.0.0.1:"))

        let created = try await client.createSchedule(registryId: reg, request: weekly("nightly"))
        XCTAssertEqual(created.scheduleUuid.count, 36)
        XCTAssertFalse(created.recovered)
        XCTAssertEqual(created.warnings.map(\.code), [])

        let page = try await client.listSchedules(registryId: reg, options: ListOptions())
        XCTAssertEqual(page.count, 1)
        let listed = try XCTUnwrap(page.data.first)
        XCTAssertEqual(listed.scheduleUuid, created.scheduleUuid)
        XCTAssertEqual(listed.name, "nightly")
        XCTAssertEqual(listed.weekDay, "MONDAY")
        XCTAssertEqual(listed.filters.first?.repoTags.first?.repo, "library/nginx")
        XCTAssertNotNil(listed.created)

        let warnings = try await client.updateSchedule(registryId: reg, scheduleId: created.scheduleUuid, request: weekly("nightly", "FRIDAY"))
        XCTAssertEqual(warnings.map(\.code), [])
        let got = try await client.getSchedule(registryId: reg, scheduleId: created.scheduleUuid)
        XCTAssertEqual(got.weekDay, "FRIDAY")
        XCTAssertEqual(got.status, "Created")

        try await client.deleteSchedule(registryId: reg, scheduleId: created.scheduleUuid)
        let after = try await client.listSchedules(registryId: reg, options: ListOptions())
        XCTAssertEqual(after.count, 0)
        let e = await expectError("get after delete") {
            try await client.getSchedule(registryId: reg, scheduleId: created.scheduleUuid)
        }
        guard case let .NotFound(code, message, _, _, _, _, _, _, _)? = e else {
            return XCTFail("want NotFound, got \(String(describing: e))")
        }
        XCTAssertEqual(code, "not_found")
        XCTAssertTrue(message.contains(created.scheduleUuid), message)
    }

    func testValidationErrorCarriesCodeMessageAndViolations() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let bad = ScheduleRequest(name: " ", onDemand: false, scheduleIntervalInDays: 400)
        let e = await expectError("invalid create") { try await client.createSchedule(registryId: reg, request: bad) }
        guard case let .Validation(code, message, status, _, _, _, _, _, violations)? = e else {
            return XCTFail("want Validation, got \(String(describing: e))")
        }
        XCTAssertEqual(code, "validation")
        XCTAssertEqual(e?.code(), "validation")
        XCTAssertTrue(message.hasPrefix("invalid request: "), message)
        XCTAssertNil(status)
        let pairs = Set(violations.map { "\($0.path) \($0.code)" })
        XCTAssertTrue(pairs.contains("/scheduleIntervalInDays interval_out_of_range"), "\(pairs)")
        XCTAssertTrue(pairs.contains("/filters filters_required"), "\(pairs)")
        XCTAssertTrue(violations.allSatisfy { !$0.message.isEmpty })
        let page = try await client.listSchedules(registryId: reg, options: ListOptions())
        XCTAssertEqual(page.count, 0, "nothing was sent")

        let j = await expectError("JSON create") {
            try await client.createScheduleJson(registryId: reg, requestJson: #"{"name": "x", "onDemand": "yes", "filters": []}"#)
        }
        XCTAssertTrue(j?.violations().contains { $0.path == "/onDemand" && $0.code == "wrong_type" } ?? false)
        let id = await expectError("bad registry id") { try await client.listSchedules(registryId: "../etc", options: ListOptions()) }
        XCTAssertEqual(id?.violations().first?.code, "invalid_id")
    }

    func testServerErrorsCarryStatusQualysCodeAndRequestId() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let e = await expectError("unknown registry") {
            try await client.listSchedules(registryId: "00000000-0000-4000-8000-000000000000", options: ListOptions())
        }
        guard case let .NotFound(code, message, status, requestId, qualysErrorCode, _, _, _, _)? = e else {
            return XCTFail("want NotFound, got \(String(describing: e))")
        }
        XCTAssertEqual(code, "not_found")
        XCTAssertEqual(status, 404)
        XCTAssertNotNil(requestId)
        XCTAssertEqual(requestId, e?.requestId())
        XCTAssertTrue(qualysErrorCode?.hasPrefix("404") ?? false)
        XCTAssertTrue(message.contains("404"), message)
    }

    func testWrongPasswordIsAnAuthErrorThatHidesThePassword() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let secret = "not-the-password-41"
        let builder = ClientBuilder().gatewayUrl(url: emu.url()).credentials(username: emu.demoUsername(), password: secret)
        XCTAssertFalse(String(describing: builder).contains(secret))
        let client = try builder.build()
        XCTAssertFalse(String(describing: client).contains(secret))
        let e = await expectError("bad password") {
            try await client.listSchedules(registryId: emu.demoRegistryId(), options: ListOptions())
        }
        guard case let .Auth(code, message, status, _, _, _, _, _, _)? = e else {
            return XCTFail("want Auth, got \(String(describing: e))")
        }
        XCTAssertEqual(code, "auth")
        XCTAssertEqual(status, 401)
        XCTAssertFalse(message.contains(secret))
    }

    func testConfigurationErrorsNameTheSetting() async throws {
        let none = await expectError("no gateway") { try ClientBuilder().token(token: "t").build() }
        XCTAssertEqual(none?.code(), "config")
        XCTAssertTrue(none?.message().contains("gateway_url") ?? false)
        let http = await expectError("remote http") {
            try ClientBuilder().gatewayUrl(url: "http://example.invalid").token(token: "t").build()
        }
        XCTAssertTrue(http?.message().contains("allow_insecure_http") ?? false)
        XCTAssertEqual(platformGatewayUrl(platform: .us2), "https://gateway.qg2.apps.qualys.com")
        XCTAssertEqual(platformFromUsername(username: "acme2ab"), .us2)
    }

    func testTenCreatesAtOnce() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let ids = try await withThrowingTaskGroup(of: String.self) { group -> [String] in
            for i in 1...10 {
                let request = onDemand("burst-\(i)")
                group.addTask { try await client.createSchedule(registryId: reg, request: request).scheduleUuid }
            }
            var out: [String] = []
            for try await id in group { out.append(id) }
            return out
        }
        XCTAssertEqual(Set(ids).count, 10)
        let all = try await client.listSchedulesAll(registryId: reg, options: ListOptions(pageSize: 3))
        XCTAssertEqual(Set(all.map(\.scheduleUuid)), Set(ids))
        XCTAssertEqual(Set(all.map(\.name)), Set((1...10).map { "burst-\($0)" }))
    }

    func testRunningScheduleCannotBeDeleted() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let id = try await client.createSchedule(registryId: reg, request: onDemand("once")).scheduleUuid
        _ = try emu.advanceClock(by: 2)
        let running = try await client.getSchedule(registryId: reg, scheduleId: id)
        XCTAssertEqual(running.status, "Running")
        XCTAssertTrue(statusTraits(status: "Running").isRunning)
        let e = await expectError("delete while running") { try await client.deleteSchedule(registryId: reg, scheduleId: id) }
        XCTAssertEqual(e?.code(), "conflict")
        XCTAssertEqual(e?.status(), 409)
        _ = try emu.advanceClock(by: 10)
        let done = try await client.getSchedule(registryId: reg, scheduleId: id)
        XCTAssertEqual(done.status, "Completed")
        XCTAssertNotNil(done.jobCompletionDate)
        try await client.deleteSchedule(registryId: reg, scheduleId: id)
    }

    func testCancelAndBulkCancelRunningJobs() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let a = try await client.createSchedule(registryId: reg, request: onDemand("a")).scheduleUuid
        let b = try await client.createSchedule(registryId: reg, request: onDemand("b")).scheduleUuid
        _ = try emu.advanceClock(by: 2)
        try await client.cancelSchedule(registryId: reg, scheduleId: a)
        let ca = try await client.getSchedule(registryId: reg, scheduleId: a)
        XCTAssertEqual(ca.status, "Canceled")
        let job = try await client.bulkCancelSchedules(registryId: reg, selector: BulkSelector(scheduleIds: [b]))
        XCTAssertEqual(job.cancelJobId.count, 36)
        let cb = try await client.getSchedule(registryId: reg, scheduleId: b)
        XCTAssertEqual(cb.status, "Canceled")
        let again = await expectError("cancel a canceled job") { try await client.cancelSchedule(registryId: reg, scheduleId: a) }
        XCTAssertEqual(again?.code(), "conflict")
        XCTAssertTrue(again?.message().contains("Canceled") ?? false, "\(String(describing: again))")
    }

    func testRegistriesRepositoriesAndBulkDelete() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let regs = try await client.listRegistriesAll(options: ListOptions())
        XCTAssertTrue(regs.contains { $0.registryUuid == reg })
        let details = try await client.getRegistry(registryId: reg)
        XCTAssertEqual(details.registry.registryUuid, reg)
        if let name = details.registry.registryName {
            let found = try await client.findRegistry(nameOrUri: name)
            XCTAssertEqual(found.registryUuid, reg)
        }
        _ = try await client.listRepositories(registryId: reg, options: ListOptions())
        for i in 1...3 { _ = try await client.createSchedule(registryId: reg, request: onDemand("bulk-\(i)")) }
        let job = try await client.bulkDeleteSchedules(registryId: reg, selector: BulkSelector(filter: "scheduleUuid:*"))
        XCTAssertEqual(job.deletionJobId.count, 36)
        let empty = await expectError("empty selector") { try await client.bulkDeleteSchedules(registryId: reg, selector: BulkSelector()) }
        XCTAssertEqual(empty?.violations().first?.code, "selector_required")
    }

    func testWaiterReturnsOnceTerminalAndTimesOutNamingTheStatus() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let id = try await client.createSchedule(registryId: reg, request: onDemand("waited")).scheduleUuid
        let waiter = Task {
            try await client.waitForSchedule(
                registryId: reg, scheduleId: id, options: WaitOptions(until: .terminal, timeout: 20, interval: 0.02))
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        _ = try emu.advanceClock(by: 10)
        let done = try await waiter.value
        XCTAssertEqual(done.status, "Completed")
        let e = await expectError("waiting for Failed") {
            try await client.waitForSchedule(
                registryId: reg, scheduleId: id, options: WaitOptions(until: .any(["Failed"]), timeout: 0.15, interval: 0.02))
        }
        XCTAssertEqual(e?.code(), "timeout")
        XCTAssertTrue((e?.message() ?? "").contains("Completed"), "\(String(describing: e))")
    }

    final class Recorder: ApplyProgressListener, @unchecked Sendable {
        private let lock = NSLock()
        private var items: [ApplyProgress] = []
        func onProgress(progress: ApplyProgress) {
            lock.lock()
            items.append(progress)
            lock.unlock()
        }
        var seen: [ApplyProgress] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }
    }

    func testPlanAndApplyADesiredState() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let yaml = """
            version: 1
            registries:
              - registry: \(reg)
                schedules:
                  - name: nightly
                    daily: "02:00"
                    repos: [library/nginx]
                  - name: weekly
                    weekly: {day: MONDAY, at: "03:00"}
                    repos: [app]
            """
        let desired = try parseDesiredState(text: yaml, format: .yaml, source: "schedules.yaml", reference: JSON.date("2026-06-01T00:00:00Z"))
        let p = try await client.plan(desired: desired, options: PlanOptions())
        XCTAssertEqual(p.items.map { "\($0.name) \($0.action)" }, ["nightly create", "weekly create"])

        let dry = try await client.apply(plan: p, options: ApplyOptions(dryRun: true), progress: nil)
        XCTAssertEqual(dry.items.map(\.outcome), [.dryRun, .dryRun])
        XCTAssertEqual(dry.items.first?.requests.first?.method, "POST")
        let none = try await client.listSchedules(registryId: reg, options: ListOptions())
        XCTAssertEqual(none.count, 0, "dry run sent nothing")

        let recorder = Recorder()
        let report = try await client.apply(plan: p, options: ApplyOptions(concurrency: 2), progress: recorder)
        XCTAssertEqual(report.applied, 2)
        XCTAssertEqual(report.failed, 0)
        XCTAssertEqual(recorder.seen.map(\.done).sorted(), [1, 2])
        let names = try await client.listSchedulesAll(registryId: reg, options: ListOptions()).map(\.name).sorted()
        XCTAssertEqual(names, ["nightly", "weekly"])
        let again = try await client.plan(desired: desired, options: PlanOptions())
        XCTAssertTrue(try planIsEmpty(plan: again))
    }

    func testApplyReportsAFailedItemAndGoesOn() async throws {
        let emu = try Emulator()
        defer { emu.stop() }
        let client = try emu.client()
        let reg = emu.demoRegistryId()
        let desired = try parseDesiredState(
            text: #"{"registries": [{"registry": "\#(reg)", "schedules": [{"name": "nightly", "daily": "02:00", "repos": ["library/nginx"]}, {"name": "fresh", "onDemand": true, "repos": ["app"]}]}]}"#,
            format: .json, source: "inline.json", reference: JSON.date("2026-06-01T00:00:00Z"))
        let ghost = try parseScheduleJson(json: #"{"scheduleUuid": "11111111-1111-4111-8111-111111111111", "name": "nightly", "onDemand": false, "scheduleIntervalInDays": 1, "schedule": "05:00", "status": "Completed", "filters": [{"days": null, "repoTags": [{"repo": "library/nginx", "tag": null}]}]}"#)
        let registry = try await client.getRegistry(registryId: reg).registry
        let p = try plan(desired: desired, actual: [ActualRegistry(registry: registry, schedules: [ghost])], options: PlanOptions())
        XCTAssertEqual(p.items.map { "\($0.name) \($0.action)" }, ["fresh create", "nightly update"])
        let report = try await client.apply(plan: p, options: ApplyOptions(), progress: nil)
        XCTAssertEqual(report.items.map(\.outcome), [.applied, .failed])
        XCTAssertEqual(report.items.last?.error?.code(), "not_found")
        XCTAssertEqual(report.failed, 1)
    }

    func testCoreFunctionsThroughTheBinding() throws {
        let req = weekly("w", .thursday)
        XCTAssertEqual(try validate(request: req).errors, [])
        XCTAssertTrue(try explain(request: req).hasPrefix("Runs every Thursday at 02:00 UTC"))
        let t0 = JSON.date("2026-01-01T00:00:00Z")
        let runs = try nextRuns(request: req, created: t0, after: t0, n: 2)
        XCTAssertEqual(runs, [JSON.date("2026-01-01T02:00:00Z"), JSON.date("2026-01-08T02:00:00Z")])
        XCTAssertThrowsError(try parseWeekDay(text: "FUNDAY"))
        XCTAssertEqual(try parseWeekDay(text: "THURSDAY"), "THURSDAY")
        var withExtra = req
        withExtra.extra = ["owner": "\"team-a\""]
        XCTAssertTrue(try requestToJson(request: withExtra).contains("\"owner\":\"team-a\""))
        XCTAssertEqual(errorCodes().count, 14)
        XCTAssertTrue(rules().contains { $0.code == "interval_out_of_range" && $0.isError })
    }
}
