import PayhookCore
/// HTTP/1.1 parser and writer (RFC 9112).
public enum HTTP1 {}
