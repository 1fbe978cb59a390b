import Foundation

/// JSON helpers of the tests (Foundation's JSONSerialization; numbers compared by value).
enum JSON {
    static func parse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func write(_ value: Any?) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// Structural equality: key order ignored, numbers compared by value.
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil):
            return true
        case (is NSNull, is NSNull):
            return true
        case let (x as [String: Any], y as [String: Any]):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0], y[$0]) }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0.0, $0.1) }
        case let (x as String, y as String):
            return x == y
        case let (x as NSNumber, y as NSNumber):
            return x.isEqual(to: y)
        default:
            return false
        }
    }

    static func date(_ text: String) -> Date {
        guard let d = ISO8601DateFormatter().date(from: text) else {
            fatalError("not an RFC 3339 instant: \(text)")
        }
        return d
    }
}

/// The vectors folder of the repository (tests/vectors).
let vectorsDir: URL = {
    var u = URL(fileURLWithPath: #filePath)
    for _ in 0..<6 { u.deleteLastPathComponent() }  // Tests/QualysCsTests/x.swift -> repo root
    return u.appendingPathComponent("tests/vectors")
}()
