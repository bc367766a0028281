import Glibc
import PayhookNATS
import Testing

/// NATS credentials of a `nats_url` hook against servers that demand them: each test also
/// shows that without the credential nothing is delivered (the server really checks).
@Suite(.serialized)
struct NATSHookCredentialTests {
    let base = NATSHookIntegrationTests()
    let failures = NATSHookFailureIntegrationTests()

    func delivered(_ nats: NATSServer, extra: String, dir: String? = nil, configure: (inout NATSConnectOptions) -> Void = { _ in }) throws -> Bool {
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: base.natsHook(nats, extra: extra), sources: fixtureSources, dir: dir)
        defer { d.signal(SIGKILL) }
        try failures.post(d, payments: ["k1"], statuses: ["invoice:paid"])
        let ok = base.waitFor(4000) { ((try? base.hookStatus(d))??["delivered"]?.numberText) == "1" }
        if ok { #expect(try nats.messages("PAY", configure: configure).count == 1) }
        return ok
    }

    @Test("nats_token: delivered with the server's token, refused with another")
    func token() throws {
        let nats = try NATSServer(extraArgs: ["--auth", "s3cret-token"])
        defer { nats.stop() }
        #expect(try !delivered(nats, extra: "nats_token = \"other\""))
        #expect(try delivered(nats, extra: "nats_token = \"s3cret-token\"") { $0.token = "s3cret-token" })
    }

    @Test("nats_nkey + nats_nkey_seed_file: the seed signs the server's nonce; a wrong public key is refused")
    func nkey() throws {
        let creds = try NATSServer.makeCredentials()
        let pub = try DaemonProcess.readFile(creds + "/user.pub")
        try DaemonProcess.writeFile(creds + "/server.conf", "authorization { users = [ { nkey: \"\(pub)\" } ] }\n")
        let nats = try NATSServer(extraArgs: ["-c", creds + "/server.conf"])
        defer { nats.stop() }
        let configure: (inout NATSConnectOptions) -> Void = {
            $0.nkey = pub
            $0.nkeySeedFile = creds + "/user.nk"
        }
        #expect(try !delivered(nats, extra: "nats_nkey = \"UAAAAAAA\"\nnats_nkey_seed_file = \"\(creds)/user.nk\""))
        #expect(try delivered(nats, extra: "nats_nkey = \"\(pub)\"\nnats_nkey_seed_file = \"user.nk\"", dir: creds, configure: configure))
    }

    @Test("TLS with client certificates: delivered with CA, cert and key; refused without a client certificate")
    func tls() throws {
        let creds = try NATSServer.makeCredentials()
        let nats = try NATSServer(extraArgs: [
            "--tlsverify", "--tlscert", creds + "/server.pem", "--tlskey", creds + "/server.key", "--tlscacert", creds + "/ca.pem",
        ])
        defer { nats.stop() }
        let configure: (inout NATSConnectOptions) -> Void = {
            $0.tlsCAFile = creds + "/ca.pem"
            $0.tlsCertFile = creds + "/client.pem"
            $0.tlsKeyFile = creds + "/client.key"
        }
        #expect(try !delivered(nats, extra: "nats_tls_ca_file = \"\(creds)/ca.pem\""))
        let files = "nats_tls_ca_file = \"ca.pem\"\nnats_tls_cert_file = \"client.pem\"\nnats_tls_key_file = \"client.key\""
        #expect(try delivered(nats, extra: files, dir: creds, configure: configure))
    }
}
