#!/usr/bin/env python3
"""Writes fixtures/segment-library/ (customers placed around each boundary of the segment library)
and expected.json: which customers each library segment should write, computed here from the rules
in the segments descriptions, independently of audience. test/segment-library.e2e.test.ts holds the
same lists, written out. Run: python3 scripts/make-segment-library-fixture.py"""
import datetime as dt, csv, io, json
AS_OF = dt.date(2026, 6, 30)
def ago(n): return (AS_OF - dt.timedelta(days=n)).isoformat()
C = []  # customers
def cust(id, signup=400, channel="instagram", email=True, phone=True, ec="yes", sc="yes", wc="", orders=(), events=(), lists=(), known=True):
    C.append(dict(id=id, signup=signup, channel=channel, email=email, phone=phone, ec=ec, sc=sc, wc=wc, orders=list(orders), events=list(events), lists=list(lists), known=known))
def o(days, total=20.0, status="paid", channel="", lines=None):
    return dict(days=days, total=total, status=status, channel=channel, lines=lines or [("Crème de jour", "Crème", 1, total)])
# lifecycle: new sign-ups
cust("signup-0d", signup=0)
cust("signup-29d", signup=29)
cust("signup-30d", signup=30)
cust("signup-29d-buyer", signup=29, orders=[o(5)])
cust("signup-29d-cancelled", signup=29, orders=[o(5, status="cancelled")])
# first order
cust("first-29d", orders=[o(29)])
cust("first-30d", orders=[o(30)])
cust("two-recent", orders=[o(20), o(10)])
# second order
cust("second-29d", orders=[o(121), o(29)])
cust("second-30d", orders=[o(121), o(30)])
cust("three-recent", orders=[o(40), o(20), o(12)])
# one-time lapsed
cust("one-59d", orders=[o(59)])
cust("one-60d", orders=[o(60)])
cust("one-61d", orders=[o(61)])
# repeat lapsed
cust("repeat-89d", orders=[o(272), o(89)])
cust("repeat-90d", orders=[o(272), o(90)])
cust("repeat-91d", orders=[o(272), o(91)])
# value: channels
cust("channel-referral", channel="referral", orders=[o(45)])
cust("channel-store", channel="store")
cust("channel-referral-caps", channel="Referral")
cust("channel-google", channel="google_ads", orders=[o(46)])
# RFM (fixed thresholds: recency [30, 90, 180, 365], frequency [1, 2, 3, 5], monetary [50, 100, 250, 500])
cust("risk-180d", orders=[o(400), o(300), o(180)])      # R2 F3 at_risk
cust("risk-179d", orders=[o(400), o(300), o(179)])      # R3 F3 need_attention
cust("cantlose-400d", orders=[o(700 - 40 * i) for i in range(5)] + [o(400)])  # 6 orders, R1 F5
cust("champ-4-29d", orders=[o(200), o(150), o(100), o(29)])   # R5 F4 champions
cust("champ-4-30d", orders=[o(201), o(151), o(101), o(30)])   # R4 F4 loyal
cust("champ-3-10d", orders=[o(200), o(150), o(10)])           # R5 F3 potential_loyalists
cust("sleep-100d", orders=[o(100)])                             # R3 F1 about_to_sleep
cust("big-500", orders=[o(48, total=500.0)])
cust("big-500.01", orders=[o(47, total=500.01)])
cust("occ-1-364", orders=[o(364)])
cust("occ-1-365", orders=[o(365)])
cust("occ-2-100", orders=[o(300), o(100)])
cust("inactive-366", orders=[o(366)])
# sales channels
cust("web-only", orders=[o(50, channel="web"), o(40, channel="WEB")])
cust("store-only", orders=[o(51, channel="store")])
cust("web-and-store", orders=[o(52, channel="web"), o(41, channel="store")])
# whatsapp
cust("wb-6m", orders=[o((AS_OF - dt.date(2025, 12, 30)).days)], wc="yes")
cust("wb-6m-minus-1d", orders=[o((AS_OF - dt.date(2025, 12, 31)).days)], wc="yes")
cust("wb-unhandled", orders=[o(300)], wc="yes", events=[("whatsapp_inbound", "2026-06-20T10:00:00Z", "no")])
cust("wb-handled", orders=[o(301)], wc="yes", events=[("whatsapp_inbound", "2026-06-20T10:00:00Z", "yes")])
cust("wb-no-consent", orders=[o(302)], sc="no", wc="no")
cust("vip-3-read-89d", orders=[o(100), o(80), o(60)], wc="yes", events=[("whatsapp_read", "2026-04-02T12:00:00Z", "")])
cust("vip-3-read-90d", orders=[o(100), o(80), o(61)], wc="yes", events=[("whatsapp_read", "2026-04-01T12:00:00Z", "")])
cust("vip-3-read-tz", orders=[o(100), o(80), o(62)], wc="yes", events=[("whatsapp_read", "2026-04-01T22:30:00Z", "")])
cust("vip-spent-300", orders=[o(70, total=150.0), o(65, total=150.0)], wc="yes", events=[("whatsapp_read", "2026-06-01T12:00:00Z", "")])
cust("vip-spent-300.01", orders=[o(70, total=150.0), o(66, total=150.01)], wc="yes", events=[("whatsapp_read", "2026-06-01T12:00:00Z", "")])
cust("lead-contact", wc="yes", events=[("whatsapp_inbound", "2026-06-10T09:00:00Z", "no")])
cust("lead-buyer", orders=[o(67)], wc="yes", events=[("whatsapp_inbound", "2026-06-10T09:00:00Z", "yes")])
cust("lead-unknown-phone", email=False, known=False, ec="", sc="", events=[("whatsapp_inbound", "2026-06-11T09:00:00Z", "no")])
serum = lambda days, status="paid": o(days, total=39.9, status=status, lines=[("Sérum éclat", "Sérum", 1, 39.9)])
cust("fc-serum-29d", wc="yes", lists=["Intérêt Gamme Visage"], orders=[serum(29)])
cust("fc-serum-30d", wc="yes", lists=["Intérêt Gamme Visage"], orders=[serum(30)])
cust("fc-serum-31d", wc="yes", lists=["Intérêt Gamme Visage"], orders=[serum(31)])
cust("fc-creme-1d", wc="yes", lists=["Intérêt Gamme Visage"], orders=[o(1)])
cust("fc-list-lowercase", wc="yes", lists=["intérêt gamme visage"])
cust("fc-serum-cancelled", wc="yes", lists=["Intérêt Gamme Visage"], orders=[serum(10, status="cancelled")])
cust("fc-serum-second-line", wc="yes", lists=["Intérêt Gamme Visage"], orders=[o(15, total=49.9, lines=[("Crème de jour", "Crème", 1, 10.0), ("Sérum éclat", "Sérum", 1, 39.9)])])
cust("fc-not-member", wc="yes")
# post-purchase
for d in [0, 1, 2, 3, 6, 7, 8, 20, 21, 22]:
    cust(f"pp-{d}d", orders=[o(d)])
cust("pp-0d-no-consent", ec="no", orders=[o(0)])
cust("pp-7d-no-consent", ec="no", orders=[o(7)])

# ---- write files ----
idx = {c["id"]: i for i, c in enumerate(C)}
def phone_of(i): return f"06 39 98 {10 + i // 100:02d} {i % 100:02d}"
contacts = io.StringIO(); w = csv.writer(contacts, lineterminator="\n")
w.writerow(["customer_id","email","phone","first_name","last_name","created_at","acquisition_channel","email_consent","sms_consent","whatsapp_consent"])
orders = io.StringIO(); wo = csv.writer(orders, lineterminator="\n")
wo.writerow(["order_id","customer_id","created_at","status","channel","total","product","category","quantity","price"])
events = io.StringIO(); we = csv.writer(events, lineterminator="\n")
we.writerow(["customer_id","phone","type","occurred_at","handled"])
lists = io.StringIO(); wl = csv.writer(lists, lineterminator="\n")
wl.writerow(["list","customer_id"])
oid = 1000
for i, c in enumerate(C):
    if c["known"]:
        w.writerow([c["id"], f'{c["id"].replace(".", "-")}@example.com' if c["email"] else "", phone_of(i) if c["phone"] else "", "Test", c["id"], ago(c["signup"]) + " 10:00:00", c["channel"], c["ec"], c["sc"], c["wc"]])
    for od in sorted(c["orders"], key=lambda x: -x["days"]):
        oid += 1
        for k, (p, cat, q, pr) in enumerate(od["lines"]):
            wo.writerow([oid, c["id"], ago(od["days"]) + " 12:00:00", od["status"] if k == 0 else "", od["channel"] if k == 0 else "", f'{od["total"]:.2f}' if k == 0 else "", p, cat, q, f"{pr:.2f}"])
    for (t, when, handled) in c["events"]:
        if c["known"]: we.writerow([c["id"], "", t, when, handled])
        else: we.writerow(["", "+33" + phone_of(i).replace(" ", "")[1:], t, when, handled])
    for l in c["lists"]:
        wl.writerow([l, c["id"]])
import os
base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "segment-library") + "/"
open(base + "contacts.csv", "w").write(contacts.getvalue())
open(base + "orders.csv", "w").write(orders.getvalue())
open(base + "events.csv", "w").write(events.getvalue())
open(base + "lists.csv", "w").write(lists.getvalue())

# ---- independent expectations ----
excluded = {"cancelled", "canceled", "refunded", "voided"}
def counted(c): return [od for od in c["orders"] if od["status"] not in excluded]
def n(c): return len(counted(c))
def last(c): return min((od["days"] for od in counted(c)), default=None)
def first(c): return max((od["days"] for od in counted(c)), default=None)
def spent(c): return round(sum(od["total"] for od in counted(c)), 2)
def R(days): return 1 + sum(1 for x in [30, 90, 180, 365] if x > days)
def F(k): return 1 + sum(1 for x in [1, 2, 3, 5] if x < k)
def M(v): return 1 + sum(1 for x in [50, 100, 250, 500] if x < v)
MAP = {1: ["hibernating","hibernating","at_risk","at_risk","cant_lose"], 2: ["hibernating","hibernating","at_risk","at_risk","cant_lose"], 3: ["about_to_sleep","about_to_sleep","need_attention","loyal_customers","loyal_customers"], 4: ["promising","potential_loyalists","potential_loyalists","loyal_customers","loyal_customers"], 5: ["new_customers","potential_loyalists","potential_loyalists","champions","champions"]}
def seg(c): return MAP[R(last(c))][F(n(c)) - 1] if n(c) else "prospects"
all_spent = sorted(spent(c) for c in C if n(c) > 0)
def pct(c): return 100 * sum(1 for s in all_spent if s < spent(c)) / len(all_spent)
def ev(c, typ, pred=lambda e: True):
    out = 0
    for (t, when, handled) in c["events"]:
        d = dt.datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(dt.timezone(dt.timedelta(hours=2))).date()
        if t == typ and d <= AS_OF and pred((d, handled)): out += 1
    return out
def email_reach(c, ignore=False): return c["known"] and c["email"] and (ignore or c["ec"] == "yes")
def wa_reach(c): return c["phone"] and (c["wc"] == "yes" or (c["wc"] == "" and c["sc"] == "yes"))
def serum30(c): return sum(1 for od in counted(c) if od["days"] <= 29 and any(cat == "Sérum" for (_, cat, _, _) in od["lines"]))
rules = {
  "new-signups-no-order": (lambda c: c["known"] and c["signup"] < 30 and n(c) == 0, "email"),
  "first-order-no-repeat": (lambda c: n(c) == 1 and first(c) < 30, "email"),
  "second-order-recent": (lambda c: n(c) == 2 and last(c) < 30, "email"),
  "one-time-lapsed": (lambda c: n(c) == 1 and last(c) >= 60, "email"),
  "repeat-lapsed": (lambda c: n(c) >= 2 and last(c) >= 90, "email"),
  "top-customers": (lambda c: n(c) > 0 and pct(c) >= 80, "email"),
  "best-channel-customers": (lambda c: (c["channel"].lower() if c["known"] else "") in ("referral", "store"), "email"),
  "at-risk": (lambda c: seg(c) in ("at_risk", "cant_lose"), "email"),
  "whatsapp-win-back": (lambda c: n(c) >= 1 and (AS_OF - dt.timedelta(days=last(c))) <= dt.date(2025, 12, 30) and ev(c, "whatsapp_inbound", lambda e: e[1] == "no") == 0, "whatsapp"),
  "whatsapp-vip": (lambda c: (n(c) >= 3 or spent(c) > 300) and ev(c, "whatsapp_read", lambda e: e[0] >= dt.date(2026, 4, 2)) >= 1, "whatsapp"),
  "whatsapp-leads": (lambda c: ev(c, "whatsapp_inbound") >= 1 and n(c) == 0, "whatsapp"),
  "face-care-cross-sell": (lambda c: any(l.lower() == "intérêt gamme visage" for l in c["lists"]) and serum30(c) == 0, "whatsapp"),
  "post-purchase-thank-you": (lambda c: n(c) > 0 and last(c) == 0, "email-ignore"),
  "post-purchase-delivery-check": (lambda c: n(c) > 0 and last(c) == 2, "email-ignore"),
  "post-purchase-how-to": (lambda c: n(c) > 0 and last(c) == 7, "email"),
  "post-purchase-review": (lambda c: n(c) > 0 and last(c) == 21, "email"),
  "rfm-vip": (lambda c: seg(c) == "champions", "email"),
  "rfm-big-spenders": (lambda c: n(c) > 0 and M(spent(c)) == 5, "email"),
  "rfm-occasional": (lambda c: 1 <= n(c) <= 2 and last(c) <= 365, "email"),
  "rfm-at-risk": (lambda c: seg(c) in ("at_risk", "cant_lose", "about_to_sleep"), "email"),
  "rfm-inactive": (lambda c: n(c) >= 1 and last(c) > 365, "email"),
  "web-only-buyers": (lambda c: any(od["channel"].lower() == "web" for od in counted(c)) and not any(od["channel"].lower() == "store" for od in counted(c)), "email"),
  "store-only-buyers": (lambda c: any(od["channel"].lower() == "store" for od in counted(c)) and not any(od["channel"].lower() == "web" for od in counted(c)), "email"),
}
expected = {}
for sid, (rule, ch) in rules.items():
    matched = [c for c in C if rule(c)]
    if ch == "email": reach = [c for c in matched if email_reach(c)]
    elif ch == "email-ignore": reach = [c for c in matched if email_reach(c, True)]
    else: reach = [c for c in matched if wa_reach(c)]
    expected[sid] = dict(matched=len(matched), written=sorted(c["id"] for c in reach))
json.dump(expected, open(base + "expected.json", "w"), indent=1, ensure_ascii=False)
print(len(C), "customers;", len(all_spent), "buyers")
for k, v in expected.items(): print(k, v["matched"], v["written"])
