//! The codes of the letting ledger: what kind of entry a line is, what it records and
//! where a let home went. Each code has one spelling (`as_str`, the one stored and
//! written to JSON) and one parser (`FromStr`), and an unknown spelling is an error.

use serde::{Deserialize, Serialize};

use crate::agreement::Channel;

/// A closed set of codes: `ALL`, `as_str`, `FromStr` (an [`UnknownCode`] for anything
/// else) and `Display` (the code).
#[macro_export]
macro_rules! codes {
    ($ty:ident, $what:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The code as stored and written to JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $code),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::agreement::UnknownCode;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($ty::$variant),)+
                    _ => Err($crate::agreement::UnknownCode {
                        what: $what,
                        value: s.to_string(),
                        expected: [$($code),+].join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// What kind of line of the ledger an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A vacancy registered and assigned its channel.
    Register,
    /// What happened to a registered vacancy.
    Outcome,
    /// A letting decision recorded for a department.
    Decision,
}

codes!(EntryKind, "ledger entry kind", {
    Register => "register",
    Outcome => "outcome",
    Decision => "decision",
});

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerAction {
    /// The vacancy was registered.
    Register,
    /// The municipality named its citizen.
    Allocated,
    /// The municipality gave the home back.
    Returned,
    /// The channel in turn did not use the home: on to the next fallback.
    NotUsed,
    /// The home was let.
    Let,
    /// Registered in error.
    Withdrawn,
    /// Samarbejdsforum approved the exemption from the extra share for a year.
    ExemptionApproved,
    /// Exempt in advance for a period.
    ExemptionInAdvance,
    /// The department-step-1 safeguard applies.
    Safeguard,
    /// The organisation's choice for "or" slots.
    OrganisationChoice,
    /// The department's share, decided within the agreement's range.
    ShareDecided,
}

codes!(LedgerAction, "ledger action", {
    Register => "register",
    Allocated => "allocated",
    Returned => "returned",
    NotUsed => "not_used",
    Let => "let",
    Withdrawn => "withdrawn",
    ExemptionApproved => "exemption_approved",
    ExemptionInAdvance => "exemption_in_advance",
    Safeguard => "safeguard",
    OrganisationChoice => "organisation_choice",
    ShareDecided => "share_decided",
});

/// Where a let home went: a channel of the letting wheel, or one of the ways of letting
/// outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetChannel {
    WaitingList,
    Flexible,
    MunicipalAllocation,
    UrbanRenewal,
    InternalTransfer,
    Exchange,
}

codes!(LetChannel, "letting channel", {
    WaitingList => "waiting_list",
    Flexible => "flexible",
    MunicipalAllocation => "municipal_allocation",
    UrbanRenewal => "urban_renewal",
    InternalTransfer => "internal_transfer",
    Exchange => "exchange",
});

impl LetChannel {
    /// The wheel's channel, for the four that are one.
    pub fn channel(self) -> Option<Channel> {
        Some(match self {
            LetChannel::WaitingList => Channel::WaitingList,
            LetChannel::Flexible => Channel::Flexible,
            LetChannel::MunicipalAllocation => Channel::MunicipalAllocation,
            LetChannel::UrbanRenewal => Channel::UrbanRenewal,
            LetChannel::InternalTransfer | LetChannel::Exchange => return None,
        })
    }
}

impl From<Channel> for LetChannel {
    fn from(c: Channel) -> LetChannel {
        match c {
            Channel::WaitingList => LetChannel::WaitingList,
            Channel::Flexible => LetChannel::Flexible,
            Channel::MunicipalAllocation => LetChannel::MunicipalAllocation,
            Channel::UrbanRenewal => LetChannel::UrbanRenewal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_an_unknown_one_is_an_error() {
        for a in LedgerAction::ALL {
            assert_eq!(a.as_str().parse::<LedgerAction>().unwrap(), *a);
            assert_eq!(
                serde_json::to_string(a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
        for c in LetChannel::ALL {
            assert_eq!(c.as_str().parse::<LetChannel>().unwrap(), *c);
        }
        for k in EntryKind::ALL {
            assert_eq!(k.as_str().parse::<EntryKind>().unwrap(), *k);
        }
        let e = "sold".parse::<LedgerAction>().unwrap_err();
        assert_eq!(e.what, "ledger action");
        assert!(e.expected.contains("not_used"), "{}", e.expected);
        assert!("Let".parse::<LedgerAction>().is_err(), "codes are exact");
    }

    #[test]
    fn a_wheel_channel_is_a_let_channel_and_back() {
        for c in Channel::ALL {
            assert_eq!(LetChannel::from(c).channel(), Some(c));
            assert_eq!(LetChannel::from(c).as_str(), c.as_str());
        }
        assert_eq!(LetChannel::Exchange.channel(), None);
    }
}
