#!/usr/bin/env python3
"""Writes the variant fixtures (bodies + variants.json) next to this script.

Signatures are computed here with Python's hashlib/hmac, independently of the Swift code under
test. The RSA case reuses ../rsa/nonstopay-payin-paid.sig.b64, made once with
`openssl dgst -sha256 -sign <test-only private key, not committed> ../nonstopay-payin-paid.json`.
"""
import base64, hashlib, hmac, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
NSP = "nonstopay-test-secret"
NVQ = "secret_key"
cases = []

def write(name, body):
    data = body if isinstance(body, bytes) else body.encode()
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    return data

def mac(scheme, secret, data):
    algo = hashlib.sha256 if "sha256" in scheme else hashlib.sha512
    d = hmac.new(secret.encode(), data, algo).digest()
    return d.hex() if scheme.endswith("hex") else base64.b64encode(d).decode()

def nonstopay(name, body, expect, kind="payin", scheme="hmac-sha256-hex", secrets=(NSP,), sign_with=NSP,
              signature=None, note=""):
    file = name + ".json"
    data = write(file, body)
    sig = signature if signature is not None else mac(scheme, sign_with, data)
    headers = {"Content-Type": "application/json"}
    if sig is not False:
        headers["X-Signature"] = sig
    cases.append({"name": name, "source": "nonstopay-" + kind, "provider": "nonstopay", "kind": kind,
                  "scheme": scheme, "secrets": list(secrets), "body_file": "variants/" + file,
                  "headers": headers, "expect": expect, "note": note})

def noventiq_sig(secret, obj):
    pm = (obj.get("payment") or {}).get("payment_method")
    if pm is None:
        pm = obj.get("payment_method")
    fields = [obj.get("event"), obj.get("order_id"), obj.get("create_date"), pm, obj.get("currency"),
              (obj.get("customer") or {}).get("email")]
    text = ";".join([secret] + ["" if v is None else str(v) for v in fields])
    return hashlib.sha512(text.encode()).hexdigest()

def noventiq(name, obj, expect, secrets=(NVQ,), event_secrets=None, sign_with=NVQ, raw=None, note=""):
    file = name + ".json"
    data = write(file, raw if raw is not None else json.dumps(obj, ensure_ascii=False))
    headers = {"Content-Type": "application/json", "signature": noventiq_sig(sign_with, obj)}
    case = {"name": name, "source": "noventiq", "provider": "noventiq", "kind": "payment",
            "scheme": "sha512-fields", "secrets": list(secrets), "body_file": "variants/" + file,
            "headers": headers, "expect": expect, "note": note}
    if event_secrets:
        case["event_secrets"] = event_secrets
    cases.append(case)

paid = open(os.path.join(HERE, "..", "nonstopay-payin-paid.json"), "rb").read()
paid_expect = {"http": 200, "payment_id": "1736", "status": "succeeded", "provider_status": "invoice:paid",
               "amount": "5", "currency": "USD", "merchant_ref": None}

# Every Nonstopay scheme over the same body.
for scheme in ["hmac-sha256-base64", "hmac-sha512-hex", "hmac-sha512-base64"]:
    nonstopay("nonstopay-scheme-" + scheme, paid, dict(paid_expect, verified_by=scheme), scheme=scheme)
rsa_sig = open(os.path.join(HERE, "..", "rsa", "nonstopay-payin-paid.sig.b64")).read().strip()
nonstopay("nonstopay-scheme-rsa-sha256", paid, dict(paid_expect, verified_by="rsa-sha256"), scheme="rsa-sha256",
          secrets=["file:rsa/test-public.pem"], signature=rsa_sig)
nonstopay("nonstopay-rsa-wrong-key", paid, {"http": 401, "reject": "signature_mismatch"}, scheme="rsa-sha256",
          secrets=["file:rsa/other-public.pem"], signature=rsa_sig)
nonstopay("nonstopay-hex-uppercase", paid, dict(paid_expect), signature=mac("hmac-sha256-hex", NSP, paid).upper(),
          note="hex signatures compare case-insensitively")
nonstopay("nonstopay-rotation-old", paid, dict(paid_expect), secrets=["new-secret", NSP], note="old secret still passes")
nonstopay("nonstopay-rotation-new", paid, dict(paid_expect), secrets=[NSP, "new-secret"], sign_with="new-secret",
          note="new secret passes")
nonstopay("nonstopay-missing-signature-empty", paid, {"http": 401, "reject": "missing_signature"}, signature="  ")
nonstopay("nonstopay-malformed-hex", paid, {"http": 401, "reject": "malformed_signature"}, signature="zz" * 32)
nonstopay("nonstopay-short-hex", paid, {"http": 401, "reject": "malformed_signature"}, signature="ab" * 31)
nonstopay("nonstopay-sha256-sig-for-sha512", paid, {"http": 401, "reject": "malformed_signature"},
          scheme="hmac-sha512-hex", signature=mac("hmac-sha256-hex", NSP, paid))
nonstopay("nonstopay-malformed-base64", paid, {"http": 401, "reject": "malformed_signature"},
          scheme="hmac-sha256-base64", signature="not base64!")

# Body shapes.
nonstopay("nonstopay-wrapped-data",
          '{"data":{"status":"invoice:paid","id":2001,"devise":"EUR","amount":"12.50","callbackJson":"ref-2001","datetime":"2023-07-01 12:00:00"}}',
          {"http": 200, "payment_id": "2001", "status": "succeeded", "provider_status": "invoice:paid", "amount": "12.50",
           "currency": "EUR", "merchant_ref": "ref-2001", "occurred_at": "2023-07-01 12:00:00",
           "id": "nonstopay-payin:2001:invoice%3Apaid"})
nonstopay("nonstopay-big-id", '{"status":"invoice:opened","id":123456789012345678901234567890,"devise":"USD","amount":1.10}',
          {"http": 200, "payment_id": "123456789012345678901234567890", "status": "pending",
           "provider_status": "invoice:opened", "amount": "1.10", "currency": "USD"})
nonstopay("nonstopay-unicode",
          '{"status":"invoice:paid","id":"ünï-42","devise":"USD","amount":"3","callbackJson":"заказ-№7 😀","description":"caf\\u00e9"}',
          {"http": 200, "payment_id": "ünï-42", "status": "succeeded", "merchant_ref": "заказ-№7 😀", "amount": "3",
           "currency": "USD"})
nonstopay("nonstopay-payout-fund-pending",
          '{"status":"fund:pending","id":20,"amount":"250.5","status_date":"2024-06-12 11:50:00","merchant_data":"w-20"}',
          {"http": 200, "payment_id": "fund:20", "status": "pending", "provider_status": "fund:pending", "amount": "250.5",
           "currency": None, "merchant_ref": "w-20", "occurred_at": "2024-06-12 11:50:00"}, kind="payout")
nonstopay("nonstopay-exponent-amount", '{"status":"invoice:paid","id":7,"devise":"USD","amount":1e2}',
          {"http": 200, "payment_id": "7", "status": "succeeded", "amount": None})
for name, body, reason in [
    ("not-json", "status=invoice:paid&id=1", "not_json"),
    ("not-object", '[{"status":"invoice:paid","id":1}]', "not_object"),
    ("missing-status", '{"id":1,"amount":5}', "missing_field:status"),
    ("status-number", '{"status":3,"id":1}', "wrong_type:status"),
    ("missing-id", '{"status":"invoice:paid","amount":5}', "missing_field:id"),
    ("id-bool", '{"status":"invoice:paid","id":true}', "wrong_type:id"),
    ("id-fraction", '{"status":"invoice:paid","id":1.5}', "wrong_type:id"),
    ("id-empty", '{"status":"invoice:paid","id":""}', "empty_field:id"),
    ("id-control", '{"status":"invoice:paid","id":"a\\nb"}', "invalid_field:id"),
    ("duplicate-key", '{"status":"invoice:paid","id":1,"id":2}', "not_json"),
    ("data-not-object", '{"data":"x"}', "missing_field:status"),
]:
    nonstopay("nonstopay-quarantine-" + name, body, {"http": 200, "quarantined": reason})

# Noventiq.
base = json.loads(open(os.path.join(HERE, "..", "noventiq-payment-succeeded.json")).read())
flat_pm = {k: v for k, v in base.items() if k != "payment"}
flat_pm["payment_method"] = "PayPal"
noventiq("noventiq-top-level-payment-method", flat_pm,
         {"http": 200, "payment_id": "5555555", "status": "succeeded", "provider_status": "paid", "currency": "EUR",
          "merchant_ref": "TEST12025", "occurred_at": "2021-08-13T09:20:00+03:00",
          "id": "noventiq:5555555:order.payment.succeeded"})
no_email = dict(base, customer={})
noventiq("noventiq-missing-email", no_email, {"http": 200, "payment_id": "5555555", "status": "succeeded"},
         note="a missing signed value counts as the empty string")
noventiq("noventiq-event-secret", base, {"http": 200, "status": "succeeded", "verified_by": "sha512-fields"},
         secrets=[NVQ], event_secrets={"order.payment.succeeded": ["evt-secret"]}, sign_with="evt-secret")
noventiq("noventiq-default-with-event-secrets", base, {"http": 200, "status": "succeeded"},
         secrets=[NVQ], event_secrets={"order.payment.succeeded": ["evt-secret"]})
noventiq("noventiq-other-event-secret", base, {"http": 401, "reject": "signature_mismatch"},
         secrets=[NVQ], event_secrets={"order.created": ["evt-secret"]}, sign_with="evt-secret",
         note="a secret for another event does not apply")
noventiq("noventiq-rotation-new", base, {"http": 200, "status": "succeeded"}, secrets=["old", NVQ])
big = dict(base, order_id=98765432109876543210987, external_id="Заказ-1 ✓")
noventiq("noventiq-big-order-id-unicode", big,
         {"http": 200, "payment_id": "98765432109876543210987", "merchant_ref": "Заказ-1 ✓", "status": "succeeded"})
noventiq("noventiq-string-order-id", dict(base, order_id="5555556"), {"http": 200, "payment_id": "5555556"})
noventiq("noventiq-checkout-event", dict(base, event="product.delivered", status="paid"),
         {"http": 200, "status": "unknown", "provider_status": "paid", "id": "noventiq:5555555:product.delivered"})
noventiq("noventiq-deleted", dict(base, event="order.deleted", status="deleted"),
         {"http": 200, "status": "cancelled", "status_after_succeeded": "refunded"})
noventiq("noventiq-amount", dict(base, amount="100.00"), {"http": 200, "amount": "100.00"})
noventiq("noventiq-missing-order-id", {k: v for k, v in base.items() if k != "order_id"},
         {"http": 200, "quarantined": "missing_field:order_id"})
noventiq("noventiq-order-id-text", dict(base, order_id="A-1"), {"http": 200, "quarantined": "wrong_type:order_id"})
noventiq("noventiq-missing-event", {k: v for k, v in base.items() if k != "event"},
         {"http": 200, "quarantined": "missing_field:event"})
noventiq("noventiq-not-json", base, {"http": 401, "reject": "unverifiable_body"}, raw="event=order.created")
noventiq("noventiq-signed-field-object", dict(base, currency={"code": "EUR"}), {"http": 401, "reject": "unverifiable_body"})
noventiq("noventiq-uppercase-hex", base, {"http": 200, "status": "succeeded"})
cases[-1]["headers"]["signature"] = cases[-1]["headers"]["signature"].upper()

with open(os.path.join(HERE, "variants.json"), "w") as f:
    json.dump({"cases": cases}, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(len(cases), "variants")
