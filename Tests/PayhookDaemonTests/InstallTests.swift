import Glibc
import Testing

@testable import PayhookDaemon

/// scripts/install.sh, staged into a temporary folder with --destdir.
@Suite struct InstallTests {
    typealias S = ConfigTestSupport

    func install(_ dest: String, prefix: String = "/usr") -> ConfigTestSupport.ProcessResult {
        S.run(
            ["/bin/bash", S.repoRoot + "/scripts/install.sh", "--destdir", dest, "--prefix", prefix, "--binary", S.binary],
            environment: ["PATH": S.toolPath])
    }

    func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    @Test("installs binary, units (ExecStart follows --prefix) and config; a second run keeps the edited config")
    func staged() {
        let dest = S.makeTempDir()
        defer { S.removeTree(dest) }
        let first = install(dest, prefix: "/usr/local")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(mode(dest + "/usr/local/bin/payhookd") == 0o755)
        #expect(mode(dest + "/etc/payhookd/payhookd.toml") == 0o640)
        let unit = S.read(dest + "/etc/systemd/system/payhookd.service")
        #expect(unit.contains("ExecStart=/usr/local/bin/payhookd serve"))
        #expect(!unit.contains("/usr/bin/payhookd"))
        #expect(S.exists(dest + "/etc/systemd/system/payhookd.socket") && S.exists(dest + "/etc/systemd/system/payhookd-admin.socket"))
        S.write(dest + "/etc/payhookd/payhookd.toml", "# edited by the operator\n", mode: 0o640)
        let second = install(dest, prefix: "/usr/local")
        #expect(second.status == 0)
        #expect(S.read(dest + "/etc/payhookd/payhookd.toml") == "# edited by the operator\n")
        #expect(second.stderr.contains("keeping the existing"))
    }

    @Test("refuses an unknown argument with exit 2")
    func badArgument() {
        let r = S.run(["/bin/bash", S.repoRoot + "/scripts/install.sh", "--bogus"], environment: ["PATH": S.toolPath])
        #expect(r.status == 2 && r.stderr.contains("unknown argument --bogus"))
    }
}
