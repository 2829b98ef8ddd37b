//! The decision table: rules and facts in, decision and explanation out.

use crate::support::{at, case, own, run, Case};
use chrono::Duration;
use jitadmin_decide::{AnswerFact, Denial, Device, Fallback, Manager, Outcome, RuleVerdict};

use Outcome::{Approve, Deny, Route};
use RuleVerdict::{Error, Matched, NotMatched};

fn cases() -> Vec<Case> {
    vec![
        case(
            "it staff with a ticket are approved",
            |_| {},
            Approve,
            Some("approve-it-ticket"),
        )
        .explains("deny-guests", NotMatched, "false: requestor.userType == 'Guest'")
        .explains("deny-recent-denial", NotMatched, "false: has(history.lastDenial)")
        .explains("approve-it-ticket", Matched, "matched")
        .check(|d| {
            assert_eq!(d.reason, "IT staff with ticket, approved for 4h.");
            assert_eq!(d.explanation.rules.len(), 8);
        }),
        case(
            "guests are denied",
            |f| f.target.user_type = "Guest".into(),
            Deny,
            Some("deny-guests"),
        )
        .explains("deny-guests", Matched, "matched")
        .check(|d| {
            assert_eq!(d.reason, "Guests cannot be administrators.");
            assert_eq!(d.explanation.rules.len(), 1);
        }),
        case(
            "disabled accounts are denied",
            |f| f.target.account_enabled = false,
            Deny,
            Some("deny-disabled"),
        )
        .explains("deny-disabled", Matched, "matched"),
        case(
            "an active elevation is denied",
            |f| f.history.active_elevation = true,
            Deny,
            Some("deny-active"),
        ),
        case(
            "a denial half an hour ago is denied again, with its reason",
            |f| {
                f.history.last_denial = Some(Denial {
                    date_time: f.now - Duration::minutes(30),
                    reason: "no ticket".into(),
                    rule: "x".into(),
                })
            },
            Deny,
            Some("deny-recent-denial"),
        )
        .check(|d| {
            assert_eq!(
                d.reason,
                "Denied less than an hour ago (no ticket); wait before asking again."
            )
        }),
        case(
            "a denial two days ago does not block",
            |f| {
                f.history.last_denial = Some(Denial {
                    date_time: f.now - Duration::days(2),
                    ..Denial::default()
                })
            },
            Approve,
            Some("approve-it-ticket"),
        )
        .explains(
            "deny-recent-denial",
            NotMatched,
            "false: now.time - history.lastDenial.dateTime < duration('1h')",
        ),
        case(
            "no devices at all are denied",
            |f| f.devices.clear(),
            Deny,
            Some("deny-no-device"),
        )
        .explains("deny-no-device", Matched, "matched"),
        case(
            "a non-compliant Windows device is denied",
            |f| f.devices[0].compliance_state = "noncompliant".into(),
            Deny,
            Some("deny-no-device"),
        ),
        case(
            "a compliant Mac does not count",
            |f| {
                f.devices[0].operating_system = "macOS".into();
            },
            Deny,
            Some("deny-no-device"),
        ),
        case(
            "one compliant Windows device among others is enough",
            |f| {
                let mut other = f.devices[0].clone();
                other.compliance_state = "noncompliant".into();
                f.devices.insert(0, other);
                f.devices.push(Device {
                    operating_system: "iOS".into(),
                    ..Device::default()
                });
            },
            Approve,
            Some("approve-it-ticket"),
        )
        .explains(
            "deny-no-device",
            NotMatched,
            "false: !devices.exists(d, d.operatingSystem == 'Windows' && d.complianceState == 'compliant')",
        ),
        case(
            "saturdays are routed to on-call",
            |f| f.now = at("2026-01-10T10:00:00Z"),
            Route,
            Some("route-off-hours"),
        )
        .explains(
            "route-off-hours",
            Matched,
            "matched: now.weekday in ['Saturday', 'Sunday']",
        )
        .check(|d| {
            assert_eq!(d.route_to.as_deref(), Some("on-call"));
            assert_eq!(d.reason, "Outside office hours (Saturday 11h).");
        }),
        case(
            "early mornings are routed",
            |f| f.now = at("2026-01-06T05:30:00Z"),
            Route,
            Some("route-off-hours"),
        )
        .explains("route-off-hours", Matched, "matched: now.hour < 7"),
        case(
            "evenings are routed",
            |f| f.now = at("2026-01-06T20:00:00Z"),
            Route,
            Some("route-off-hours"),
        )
        .explains("route-off-hours", Matched, "matched: now.hour >= 20"),
        case(
            "18:30 UTC is 20:30 in Paris in summer (routed)",
            |f| f.now = at("2026-07-07T18:30:00Z"),
            Route,
            Some("route-off-hours"),
        )
        .check(|d| assert_eq!(d.reason, "Outside office hours (Tuesday 20h).")),
        case(
            "18:30 UTC is 19:30 in Paris in winter (not routed)",
            |f| f.now = at("2026-01-06T18:30:00Z"),
            Approve,
            Some("approve-it-ticket"),
        )
        .explains("route-off-hours", NotMatched, "false: none of 3 alternatives held"),
        case(
            "accounts created ten days ago are routed",
            |f| f.target.created_date_time = Some(f.now - Duration::days(10)),
            Route,
            Some("route-new-accounts"),
        ),
        case(
            "an unknown creation date is not a new account",
            |f| f.target.created_date_time = None,
            Approve,
            Some("approve-it-ticket"),
        )
        .explains(
            "route-new-accounts",
            NotMatched,
            "false: has(requestor.createdDateTime)",
        ),
        case(
            "sales staff are routed by default",
            |f| f.target.department = "Sales".into(),
            Route,
            None,
        )
        .explains("approve-it-ticket", NotMatched, "false: requestor.department == 'IT'")
        .check(|d| {
            assert_eq!(d.explanation.fell_back, Some(Fallback::Default));
            assert_eq!(d.route_to.as_deref(), Some("it-approvers"));
            assert_eq!(d.short(), "route by default: Routed by default.");
        }),
        case(
            "it staff without a ticket are routed",
            |f| f.request.justification = "please".into(),
            Route,
            None,
        )
        .explains(
            "approve-it-ticket",
            NotMatched,
            "false: request.justification.matches(r'(?i)\\b(INC|REQ|CHG)[0-9]{4,}')",
        ),
        case(
            "ticket numbers match case-insensitively",
            |f| f.request.justification = "see chg004211".into(),
            Approve,
            Some("approve-it-ticket"),
        ),
        case(
            "a three-digit ticket is not a ticket",
            |f| f.request.justification = "INC123".into(),
            Route,
            None,
        ),
        case(
            "twelve hours is over the limit and falls through",
            |f| f.request.end = Some(f.request.start + Duration::hours(12)),
            Route,
            None,
        )
        .explains(
            "approve-it-ticket",
            NotMatched,
            "the request is for 12h, over this rule's limit of 8h",
        ),
        case(
            "exactly eight hours is within the limit",
            |f| f.request.end = Some(f.request.start + Duration::hours(8)),
            Approve,
            Some("approve-it-ticket"),
        ),
        case(
            "an open-ended request is never auto-approved",
            |f| f.request.end = None,
            Route,
            None,
        )
        .explains(
            "approve-it-ticket",
            NotMatched,
            "the request has no end, and this rule approves at most 8h",
        ),
        case(
            "unavailable devices fall back to on_error",
            |f| f.mark_unavailable("devices", "Graph 503"),
            Route,
            None,
        )
        .explains("deny-recent-denial", NotMatched, "false: has(history.lastDenial)")
        .explains(
            "deny-no-device",
            Error,
            "error in !devices.exists(d, d.operatingSystem == 'Windows' && d.complianceState == 'compliant'): \
             reads `devices`, which could not be fetched: Graph 503",
        )
        .check(|d| {
            assert_eq!(d.explanation.fell_back, Some(Fallback::OnError));
            assert_eq!(d.reason, "Facts missing; an approver decides.");
            assert_eq!(d.short(), "route on error: Facts missing; an approver decides.");
        }),
        case(
            "unavailable history stops at the first rule reading it",
            |f| f.mark_unavailable("history", "store down"),
            Route,
            None,
        )
        .explains("deny-disabled", NotMatched, "false: !requestor.accountEnabled")
        .explains(
            "deny-active",
            Error,
            "error in history.activeElevation: reads `history`, which could not be fetched: store down",
        )
        .check(|d| assert_eq!(d.explanation.rules.len(), 3)),
        case(
            "a guest is still denied when devices are unavailable",
            |f| {
                f.target.user_type = "Guest".into();
                f.mark_unavailable("devices", "Graph 503");
            },
            Deny,
            Some("deny-guests"),
        ),
        case(
            "an approval is withheld when any fact is unavailable",
            |f| f.mark_unavailable("requestor.manager", "Graph 404"),
            Route,
            None,
        )
        .explains("approve-it-ticket", Matched, "matched")
        .check(|d| {
            assert_eq!(d.explanation.fell_back, Some(Fallback::OnError));
            assert_eq!(
                d.explanation.note.as_deref(),
                Some("rule `approve-it-ticket` would approve, but facts are unavailable: requestor.manager")
            );
        }),
        case("a missing answer is an error, and on_error decides", |_| {}, Deny, None)
            .rules(own("request.answers['Ticket'] != ''", "approve"))
            .explains(
                "r",
                Error,
                "error in request.answers['Ticket'] != '': No such key: Ticket",
            )
            .check(|d| assert_eq!(d.explanation.fell_back, Some(Fallback::OnError))),
        case(
            "a given answer is read",
            |f| {
                f.request.answers.push(AnswerFact {
                    question_id: "q-1".into(),
                    question: "Ticket".into(),
                    value: "INC0042".into(),
                    display_value: String::new(),
                });
            },
            Approve,
            Some("r"),
        )
        .rules(own("request.answers['Ticket'].startsWith('INC')", "approve")),
        case(
            "an answer is read by its question's id",
            |f| {
                f.request.answers.clear();
                for (id, value) in [("q-1", "PC-1"), ("q-2", "INC0042")] {
                    f.request.answers.push(AnswerFact {
                        question_id: id.into(),
                        question: "Which one?".into(),
                        value: value.into(),
                        display_value: String::new(),
                    });
                }
            },
            Approve,
            Some("r"),
        )
        .rules(own(
            "request.answers['q-2'] == 'INC0042' && request.answers['Which one?'] == 'PC-1' \
             && request.answerList[1].value == 'INC0042'",
            "approve",
        )),
        case("false wins over an error in &&, as in CEL", |_| {}, Route, None)
            .rules(own(
                "request.answers['x'] == 'y' && requestor.department == 'Sales'",
                "approve",
            ))
            .explains("r", NotMatched, "false: requestor.department == 'Sales'"),
        case("true wins over an error in ||, as in CEL", |_| {}, Deny, Some("r"))
            .rules(own(
                "request.answers['x'] == 'y' || requestor.department == 'IT'",
                "deny",
            ))
            .explains("r", Matched, "matched: requestor.department == 'IT'"),
        case("reasons fill placeholders", |_| {}, Deny, Some("r"))
            .rules(own("requestor.userType == 'Member'", "deny"))
            .check(|d| assert_eq!(d.reason, "by r, Adele Vance")),
        case(
            "the manager can be checked when present",
            |f| {
                f.target.manager = Some(Manager {
                    id: "m".into(),
                    display_name: "Megan Bowen".into(),
                })
            },
            Route,
            Some("r"),
        )
        .rules(own(
            "has(requestor.manager) && requestor.manager.displayName == 'Megan Bowen'",
            "route",
        )),
        case(
            "an absent manager is not an error under has()",
            |f| f.target.manager = None,
            Route,
            None,
        )
        .rules(own(
            "has(requestor.manager) && requestor.manager.displayName == 'Megan Bowen'",
            "deny",
        ))
        .explains("r", NotMatched, "false: has(requestor.manager)"),
        case(
            "a default approve is withheld when facts are unavailable",
            |f| f.mark_unavailable("devices", "Graph 503"),
            Route,
            None,
        )
        .rules("default = \"approve\"\n".to_string())
        .check(|d| {
            assert_eq!(d.explanation.fell_back, Some(Fallback::OnError));
            assert_eq!(
                d.explanation.note.as_deref(),
                Some("the default would approve, but facts are unavailable: devices")
            );
        }),
        case(
            "a false operand decides even when another reads an unavailable fact",
            |f| f.mark_unavailable("devices", "Graph 503"),
            Route,
            None,
        )
        .rules(own("requestor.department == 'Sales' && size(devices) > 0", "deny"))
        .explains("r", NotMatched, "false: requestor.department == 'Sales'")
        .check(|d| assert_eq!(d.explanation.fell_back, Some(Fallback::Default))),
        case(
            "an unavailable fact in an operand that decides is an error",
            |f| f.mark_unavailable("devices", "Graph 503"),
            Deny,
            None,
        )
        .rules(own("requestor.department == 'IT' && size(devices) > 0", "route"))
        .explains(
            "r",
            Error,
            "error in size(devices) > 0: reads `devices`, which could not be fetched: Graph 503",
        ),
        case(
            "has() of an unavailable fact is an error, other fields of its object are not",
            |f| f.mark_unavailable("requestor.manager", "Graph 404"),
            Deny,
            None,
        )
        .rules(own("requestor.userType == 'Member' && has(requestor.manager)", "route"))
        .explains(
            "r",
            Error,
            "error in has(requestor.manager): reads `requestor.manager`, which could not be fetched: Graph 404",
        ),
        case(
            "history counts can be capped",
            |f| f.history.grants_last30_days = 5,
            Deny,
            Some("r"),
        )
        .rules(own("history.grantsLast30Days >= 5", "deny")),
        case(
            "durations add to elevated hours",
            |f| f.history.elevated_hours_last30_days = 37.5,
            Deny,
            Some("r"),
        )
        .rules(own(
            "history.elevatedHoursLast30Days + request.durationHours > 40.0",
            "deny",
        )),
    ]
}

#[test]
fn the_decision_table_holds() {
    run(cases());
}
