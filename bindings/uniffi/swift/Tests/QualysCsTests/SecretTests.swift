import QualysCs
import XCTest

/// A registry password never prints (mirrors the Kotlin RegistryTests' secret checks). Not run
/// on this project's CI machines (no Swift toolchain there).
final class SecretTests: XCTestCase {
    func testSecretsNeverPrint() {
        let value = "s3cret-pw-77"
        let credential = Credential(username: "ci-bot", password: Secret(value))
        for text in [
            String(describing: credential), String(reflecting: credential),
            String(describing: Secret(value)), String(reflecting: Secret(value)),
        ] {
            XCTAssertFalse(text.contains(value), text)
        }
        var dumped = ""
        dump(credential, to: &dumped)
        XCTAssertFalse(dumped.contains(value), dumped)
        XCTAssertEqual(credential.password?.expose(), value)
    }
}
