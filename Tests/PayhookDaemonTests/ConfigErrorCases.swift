import Testing

/// Every way a config is refused, with the exact `F:line: message` expected (`F` is the config's
/// path). Used by the unit tests (ConfigErrorTests) and by the binary tests (CLICheckConfigTests).
struct ConfigErrorCase: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    var files: [String: String] = [:]
    let expected: String
    var testDescription: String { name }
}

/// The minimal valid source (6 lines), to put around what each case breaks.
let source = ConfigTestSupport.nonstopaySource
let hookPrefix = source + "\n[[hooks]]\nname = \"h\"\n"  // [[hooks]] on line 7, name on 8

func sourceWith(_ replacing: String, by line: String) -> String {
    source.split(separator: "\n").map { $0.hasPrefix(replacing) ? Substring(line) : $0 }.joined(separator: "\n")
}

let configErrorCases: [ConfigErrorCase] = [
    // Syntax.
    .init(
        name: "TOML syntax", text: "[server]\nmax_connections = = 1",
        expected: "F:2: expected a value (string, number, boolean, array or inline table)"),
    .init(
        name: "TOML duplicate key", text: "[server]\nmax_connections = 1\nmax_connections = 2",
        expected: "F:3: duplicate key `server.max_connections` (first defined at line 2)"),
    // Unknown keys, with and without suggestions.
    .init(name: "unknown top-level key", text: "[sever]\n", expected: "F:1: unknown key `sever` in the top level (did you mean `server`?)"),
    .init(
        name: "unknown server key", text: "[server]\n\nmax_conections = 5",
        expected: "F:3: unknown key `max_conections` in [server] (did you mean `max_connections`?)"),
    .init(name: "unknown storage key", text: "[storage]\ndirectory = \"/x\"", expected: "F:2: unknown key `directory` in [storage]"),
    .init(
        name: "unknown source key", text: source + "\nsecrets = \"x\"", expected: "F:7: unknown key `secrets` in [[sources]] (did you mean `secret`?)"
    ),
    .init(
        name: "unknown hook key", text: hookPrefix + "url = \"http://127.0.0.1/x\"\ntimeout = 5",
        expected: "F:10: unknown key `timeout` in [[hooks]] (did you mean `timeout_ms`?)"),
    // Wrong types.
    .init(
        name: "string for integer", text: "[server]\nmax_body_bytes = \"1m\"",
        expected: "F:2: `max_body_bytes` in [server] must be an integer, not a string"),
    .init(
        name: "float for integer", text: "[storage]\nretention_days = 1.5",
        expected: "F:2: `retention_days` in [storage] must be an integer, not a float"),
    .init(name: "integer for string", text: "[storage]\ndir = 5", expected: "F:2: `dir` in [storage] must be a string, not an integer"),
    .init(
        name: "string for list", text: "[server]\ningest = \"127.0.0.1:1\"",
        expected: "F:2: `ingest` in [server] must be a list of strings, not a string"),
    .init(
        name: "list element type", text: "[server]\ntrusted_proxies = [\n\"::1\",\n1]",
        expected: "F:4: `trusted_proxies` in [server] must be a list of strings; found an integer"),
    .init(name: "section not a table", text: "server = 1", expected: "F:1: `server` in the top level must be a table, not an integer"),
    .init(name: "sources not tables", text: "sources = [1]", expected: "F:1: `sources` must hold tables ([[sources]]); found an integer"),
    .init(
        name: "sources a table", text: "[sources]\nname = \"x\"",
        expected: "F:1: `sources` in the top level must be an array of tables ([[sources]]), not a table"),
    .init(
        name: "boolean for string", text: sourceWith("provider", by: "provider = true"),
        expected: "F:3: `provider` in [[sources]] must be a string, not a boolean"),
    // Names.
    .init(name: "duplicate source", text: source + "\n" + source, expected: "F:8: duplicate source name `pay` (first at line 1)"),
    .init(
        name: "duplicate hook", text: hookPrefix + "command = [\"/bin/true\"]\n[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]",
        expected: "F:11: duplicate hook name `h` (first at line 7)"),
    .init(
        name: "source name with slash", text: sourceWith("name", by: "name = \"a/b\""),
        expected: "F:2: source name `a/b` must use only letters, digits, `-`, `_`, `.`, `~` (it is part of a URL path)"),
    .init(
        name: "source name dot-dot", text: sourceWith("name", by: "name = \"..\""),
        expected: "F:2: source name `..` must use only letters, digits, `-`, `_`, `.`, `~` (it is part of a URL path)"),
    .init(
        name: "source name with space", text: sourceWith("name", by: "name = \"a b\""),
        expected: "F:2: source name `a b` must use only letters, digits, `-`, `_`, `.`, `~` (it is part of a URL path)"),
    .init(name: "source name empty", text: sourceWith("name", by: "name = \"\""), expected: "F:2: source name must be 1 to 64 bytes long"),
    .init(name: "source without name", text: "\n[[sources]]\nprovider = \"noventiq\"\nsecret = \"k\"", expected: "F:2: [[sources]] needs `name`"),
    .init(
        name: "hook name with percent", text: source + "\n[[hooks]]\nname = \"h%20\"\ncommand = [\"/bin/true\"]",
        expected: "F:8: hook name `h%20` must use only letters, digits, `-`, `_`, `.`, `~` (it is part of a URL path)"),
    // Provider, kind, signature.
    .init(
        name: "unknown provider", text: sourceWith("provider", by: "provider = \"stripe\""),
        expected: "F:3: unknown provider `stripe` (nonstopay | noventiq)"),
    .init(
        name: "kind mismatch nonstopay", text: sourceWith("kind", by: "kind = \"payment\""),
        expected: "F:4: kind `payment` does not fit provider nonstopay (payin | nft | payout)"),
    .init(
        name: "kind mismatch noventiq", text: "[[sources]]\nname = \"q\"\nprovider = \"noventiq\"\nkind = \"payin\"\nsecret = \"k\"",
        expected: "F:4: kind `payin` does not fit provider noventiq (payment)"),
    .init(name: "nonstopay without kind", text: sourceWith("kind", by: ""), expected: "F:1: source `pay` needs `kind` (payin | nft | payout)"),
    .init(
        name: "nonstopay without signature", text: sourceWith("signature", by: ""),
        expected:
            "F:1: nonstopay source `pay` needs `signature` (hmac-sha256-hex | hmac-sha256-base64 | hmac-sha512-hex | hmac-sha512-base64 | rsa-sha256 | none): Nonstopay does not document its scheme"
    ),
    .init(
        name: "unknown signature", text: sourceWith("signature", by: "signature = \"hmac-md5\""),
        expected:
            "F:5: unknown signature `hmac-md5` (hmac-sha256-hex | hmac-sha256-base64 | hmac-sha512-hex | hmac-sha512-base64 | rsa-sha256 | sha512-fields | none)"
    ),
    .init(
        name: "noventiq with hmac", text: "[[sources]]\nname = \"q\"\nprovider = \"noventiq\"\nsignature = \"hmac-sha256-hex\"\nsecret = \"k\"",
        expected: "F:4: noventiq signs with sha512-fields (its only scheme); remove `signature` or set it to \"sha512-fields\""),
    .init(
        name: "nonstopay with sha512-fields", text: sourceWith("signature", by: "signature = \"sha512-fields\""),
        expected: "F:5: sha512-fields is Noventiq's scheme; nonstopay sources use an hmac-* scheme, rsa-sha256 or none"),
    .init(
        name: "none without allow_from", text: sourceWith("signature", by: "signature = \"none\""),
        expected: "F:5: signature = \"none\" needs a non-empty allow_from (unsigned callbacks are only accepted from listed addresses)"),
    .init(
        name: "none with empty allow_from", text: sourceWith("signature", by: "signature = \"none\"\nallow_from = []"),
        expected: "F:5: signature = \"none\" needs a non-empty allow_from (unsigned callbacks are only accepted from listed addresses)"),
    .init(
        name: "rsa without PEM", text: sourceWith("signature", by: "signature = \"rsa-sha256\""),
        expected: "F:6: rsa-sha256 needs PEM RSA public keys (-----BEGIN PUBLIC KEY-----); secret #1 is not one"),
    .init(
        name: "rsa with a broken PEM",
        text: sourceWith("signature", by: "signature = \"rsa-sha256\"").replacingSecret(with: "secret_file = \"k.pem\""),
        files: ["k.pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"],
        expected: "F:6: rsa-sha256 needs PEM RSA public keys (-----BEGIN PUBLIC KEY-----); secret #1 is not one"),
    .init(
        name: "event_secrets on nonstopay", text: source + "\n[sources.event_secrets]\n\"x\" = \"y\"",
        expected: "F:7: `event_secrets` applies to noventiq sources only (Nonstopay signs every event alike)"),
    .init(
        name: "event secret wrong type",
        text: "[[sources]]\nname = \"q\"\nprovider = \"noventiq\"\nsecret = \"k\"\n[sources.event_secrets]\n\"order.created\" = 5",
        expected: "F:6: `order.created` in [sources.event_secrets] must be a string or a list of strings, not an integer"),
    .init(
        name: "event secret empty list",
        text: "[[sources]]\nname = \"q\"\nprovider = \"noventiq\"\nsecret = \"k\"\n[sources.event_secrets]\n\"order.created\" = []",
        expected: "F:6: event `order.created` has no secret"),
    // Secrets.
    .init(name: "no secret", text: sourceWith("secret", by: ""), expected: "F:1: source `pay` has no secret: set secret_file (or secret)"),
    .init(name: "empty literal secret", text: sourceWith("secret", by: "secret = \"\""), expected: "F:6: `secret` must not be empty"),
    .init(
        name: "missing secret file", text: sourceWith("secret", by: "secret_file = \"missing.key\""),
        expected: "F:6: cannot read secret file `missing.key` (tried `D/missing.key`): No such file or directory"),
    .init(
        name: "secret file is a folder", text: sourceWith("secret", by: "secret_file = \".\""),
        expected: "F:6: cannot read secret file `.` (tried `D`): Is a directory"),
    .init(
        name: "empty secret file", text: sourceWith("secret", by: "secret_file = \"e.key\""), files: ["e.key": "\n"],
        expected: "F:6: secret file `D/e.key` is empty"),
    .init(
        name: "second secret file missing", text: sourceWith("secret", by: "secret_file = [\"a.key\",\n  \"b.key\"]"), files: ["a.key": "a"],
        expected: "F:7: cannot read secret file `b.key` (tried `D/b.key`): No such file or directory"),
    .init(
        name: "missing event secret file",
        text: "[[sources]]\nname = \"q\"\nprovider = \"noventiq\"\n[sources.event_secret_files]\n\"order.created\" = \"c.key\"",
        expected: "F:5: cannot read secret file `c.key` (tried `D/c.key`): No such file or directory"),
    // Listeners and addresses.
    .init(
        name: "listen without port", text: "[server]\ningest = [\"127.0.0.1\"]",
        expected: "F:2: invalid ingest address `127.0.0.1`: missing `:PORT` (expected HOST:PORT, [V6]:PORT or unix:/path)"),
    .init(
        name: "listen port range", text: "[server]\nadmin = [\"127.0.0.1:70000\"]",
        expected: "F:2: invalid admin address `127.0.0.1:70000`: port must be a number from 0 to 65535 (expected HOST:PORT, [V6]:PORT or unix:/path)"),
    .init(
        name: "listen host name", text: "[server]\ningest = [\"example.com:80\"]",
        expected:
            "F:2: invalid ingest address `example.com:80`: host must be a numeric IPv4 address or localhost (IPv6 goes in brackets) (expected HOST:PORT, [V6]:PORT or unix:/path)"
    ),
    .init(
        name: "listen bad IPv6", text: "[server]\ningest = [\"[::g]:1\"]",
        expected: "F:2: invalid ingest address `[::g]:1`: `::g` is not an IPv6 address (expected HOST:PORT, [V6]:PORT or unix:/path)"),
    .init(
        name: "listen relative unix", text: "[server]\ningest = [\n\"127.0.0.1:1\",\n\"unix:run.sock\"]",
        expected: "F:4: invalid ingest address `unix:run.sock`: unix socket path must be absolute (expected HOST:PORT, [V6]:PORT or unix:/path)"),
    .init(name: "listen empty list", text: "[server]\ningest = []", expected: "F:2: `ingest` needs at least one address"),
    .init(
        name: "ingest and admin share", text: "[server]\ningest = [\"127.0.0.1:1\"]\nadmin = [\"127.0.0.1:1\"]",
        expected: "F:3: `127.0.0.1:1` is listed twice (first at line 2): each address is bound once"),
    .init(
        name: "ingest twice", text: "[server]\ningest = [\"127.0.0.1:1\",\n\"127.0.0.1:1\"]",
        expected: "F:3: `127.0.0.1:1` is listed twice (first at line 2): each address is bound once"),
    .init(
        name: "admin public without token", text: "[server]\nadmin = [\"127.0.0.1:8481\", \"0.0.0.0:8481\"]",
        expected:
            "F:2: admin address `0.0.0.0:8481` is not loopback: set admin_token_file (or admin_token), or listen on 127.0.0.1, [::1] or a unix socket"
    ),
    .init(
        name: "admin token and file", text: "[server]\nadmin_token = \"abcdefghijklmnopq\"\nadmin_token_file = \"t\"",
        expected: "F:2: set either admin_token or admin_token_file, not both"),
    .init(
        name: "admin token with space", text: "[server]\nadmin_token = \"abcdefgh ijklmnopq\"",
        expected: "F:2: the admin token must be printable ASCII without spaces (it goes in an HTTP header)"),
    .init(
        name: "admin token file missing", text: "[server]\nadmin_token_file = \"admin.token\"",
        expected: "F:2: cannot read secret file `admin.token` (tried `D/admin.token`): No such file or directory"),
    .init(
        name: "allow_from host bits", text: source + "\nallow_from = [\"10.0.0.1/8\"]",
        expected: "F:7: invalid address or CIDR block `10.0.0.1/8` in `allow_from` (e.g. 203.0.113.0/24, 2001:db8::/32; host bits must be zero)"),
    .init(
        name: "allow_from prefix", text: source + "\nallow_from = [\"10.0.0.0/33\"]",
        expected: "F:7: invalid address or CIDR block `10.0.0.0/33` in `allow_from` (e.g. 203.0.113.0/24, 2001:db8::/32; host bits must be zero)"),
    .init(
        name: "trusted_proxies junk", text: "[server]\ntrusted_proxies = [\"nginx\"]",
        expected: "F:2: invalid address or CIDR block `nginx` in `trusted_proxies` (e.g. 203.0.113.0/24, 2001:db8::/32; host bits must be zero)"),
    .init(
        name: "reserve not below max", text: "[server]\nmax_connections = 10\nadmin_reserve_connections = 10",
        expected: "F:3: admin_reserve_connections (10) must be below max_connections (10)"),
    // Hooks.
    .init(
        name: "hook non-loopback", text: hookPrefix + "url = \"http://10.1.2.3:9000/x\"",
        expected:
            "F:9: hook `h`: invalid url `http://10.1.2.3:9000/x`: hooks may only target loopback addresses (127.0.0.0/8, ::1, localhost) or unix sockets"
    ),
    .init(
        name: "hook https", text: hookPrefix + "url = \"https://127.0.0.1/x\"",
        expected:
            "F:9: hook `h`: invalid url `https://127.0.0.1/x`: must be `http://` to a loopback address or `unix:/socket:/path` (https is not supported for local hooks)"
    ),
    .init(
        name: "hook url without path", text: hookPrefix + "url = \"http://127.0.0.1:9000\"",
        expected: "F:9: hook `h`: invalid url `http://127.0.0.1:9000`: missing path after the host"),
    .init(
        name: "hook unix without path", text: hookPrefix + "url = \"unix:/run/a.sock\"",
        expected: "F:9: hook `h`: invalid url `unix:/run/a.sock`: expected `unix:/socket/path:/http/path`"),
    .init(
        name: "hook both", text: hookPrefix + "url = \"http://127.0.0.1/x\"\ncommand = [\"/bin/true\"]",
        expected: "F:10: hook `h` has both `url` and `command`; keep one"),
    .init(name: "hook neither", text: hookPrefix + "timeout_ms = 1000", expected: "F:7: hook `h` needs `url`, `command` or `nats_url`"),
    .init(name: "hook command empty", text: hookPrefix + "command = []", expected: "F:9: hook `h`: command is empty"),
    .init(
        name: "hook command relative", text: hookPrefix + "command = [\"notify\", \"x\"]",
        expected: "F:9: hook `h`: command must start with an absolute program path (no shell, no PATH lookup)"),
    .init(
        name: "hook unknown source", text: hookPrefix + "command = [\"/bin/true\"]\nsources = [\"pya\"]",
        expected: "F:10: hook `h` names unknown source `pya` (did you mean `pay`?)"),
    .init(
        name: "hook unknown status", text: hookPrefix + "command = [\"/bin/true\"]\nstatuses = [\"paid\"]",
        expected: "F:10: hook `h` names unknown status `paid` (created | pending | failed | expired | cancelled | succeeded | refunded | unknown)"),
    .init(
        name: "hook bad duration", text: hookPrefix + "command = [\"/bin/true\"]\nretry_max_age = \"3 days\"",
        expected: "F:10: retry_max_age `3 days` is not a duration (e.g. \"72h\", \"30m\", \"10s\", \"1h30m\")"),
    .init(
        name: "hook duration as integer", text: hookPrefix + "command = [\"/bin/true\"]\nretry_max_age = 72",
        expected: "F:10: `retry_max_age` in [[hooks]] must be a string, not an integer"),
    .init(
        name: "hook signing both", text: hookPrefix + "command = [\"/bin/true\"]\nsigning_secret = \"a\"\nsigning_secret_file = \"b\"",
        expected: "F:11: set either signing_secret or signing_secret_file, not both"),
    .init(
        name: "hook signing file missing", text: hookPrefix + "command = [\"/bin/true\"]\nsigning_secret_file = \"hook.key\"",
        expected: "F:10: cannot read secret file `hook.key` (tried `D/hook.key`): No such file or directory"),
]
