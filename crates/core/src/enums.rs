//! Open enums of the wire format: known values get a variant, anything else is kept verbatim.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept exactly as received.
            Other(String),
        }

        impl $name {
            /// Every known value, in documentation order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Parses the exact wire spelling; anything else becomes `Other`.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// True when the value is one this version knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }

            /// Case-insensitive lookup among the known values (for people typing at a CLI).
            pub fn parse_loose(s: &str) -> Option<Self> {
                Self::KNOWN
                    .iter()
                    .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
                    .cloned()
            }

            /// The known wire spellings joined by ", ".
            pub fn known_list() -> String {
                Self::KNOWN.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::from_wire(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::from_wire(&s))
            }
        }
    };
}

open_enum! {
    /// Day of the week for weekly schedules (`weekDay`).
    WeekDay {
        /// Monday.
        Monday => "MONDAY",
        /// Tuesday.
        Tuesday => "TUESDAY",
        /// Wednesday.
        Wednesday => "WEDNESDAY",
        /// Thursday.
        Thursday => "THURSDAY",
        /// Friday.
        Friday => "FRIDAY",
        /// Saturday.
        Saturday => "SATURDAY",
        /// Sunday.
        Sunday => "SUNDAY",
    }
}

impl WeekDay {
    /// Days after Monday (Monday = 0), `None` for unknown values.
    pub fn index_from_monday(&self) -> Option<u8> {
        Self::KNOWN.iter().position(|k| k == self).map(|i| i as u8)
    }

    /// The day `n` days after Monday (wrapping).
    pub fn from_index_from_monday(n: u8) -> Self {
        Self::KNOWN[usize::from(n % 7)].clone()
    }
}

open_enum! {
    /// Registry type (`registryType`).
    RegistryType {
        /// Docker Registry HTTP API V2.
        V2 => "V2",
        /// Private V2 registry.
        V2Private => "V2_PRIVATE",
        /// Docker Hub.
        DockerHub => "DockerHub",
        /// AWS ECR.
        Aws => "AWS",
        /// Azure Container Registry.
        Azure => "Azure",
        /// Google Container Registry.
        Gcp => "GCP",
        /// Google Artifact Registry.
        GoogleArtifactRegistry => "GOOGLE_ARTIFACT_REGISTRY",
    }
}

open_enum! {
    /// Status of a schedule or of its job (`status`).
    ScheduleStatus {
        /// Created, not yet queued.
        Created => "Created",
        /// Waiting to run.
        Queued => "Queued",
        /// Paused.
        Paused => "Paused",
        /// Running now.
        Running => "Running",
        /// Finished successfully.
        Completed => "Completed",
        /// Finished.
        Finished => "Finished",
        /// Ended with an error.
        Error => "Error",
        /// Failed.
        Failed => "Failed",
        /// Baseline scan created.
        BaselineCreated => "BaselineCreated",
        /// Baseline scan queued.
        BaselineQueued => "BaselineQueued",
        /// Baseline scan running.
        BaselineRunning => "BaselineRunning",
        /// Baseline scan completed.
        BaselineCompleted => "BaselineCompleted",
        /// Canceled.
        Canceled => "Canceled",
        /// Unknown to Qualys itself.
        Unknown => "Unknown",
    }
}

impl ScheduleStatus {
    /// A job is executing: the schedule can be neither updated nor deleted (spec §3).
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running | Self::BaselineRunning)
    }

    /// A terminal status: nothing more happens to this job by itself.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Completed
                | Self::Finished
                | Self::Error
                | Self::Failed
                | Self::Canceled
                | Self::BaselineCompleted
        )
    }

    /// Statuses a single cancel accepts (spec §3, [oas]).
    pub fn can_cancel(&self) -> bool {
        matches!(
            self,
            Self::Created
                | Self::Queued
                | Self::Paused
                | Self::Running
                | Self::BaselineQueued
                | Self::BaselineRunning
        )
    }

    /// Statuses bulk delete skips silently (spec §3, [doc]).
    pub fn skipped_by_bulk_delete(&self) -> bool {
        matches!(self, Self::Queued | Self::Unknown | Self::Running)
    }

    /// Statuses bulk cancel skips silently (spec §3, [doc]).
    pub fn skipped_by_bulk_cancel(&self) -> bool {
        matches!(self, Self::Finished | Self::Unknown | Self::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept_verbatim() {
        let s: ScheduleStatus = serde_json::from_str("\"Hibernating\"").expect("decodes");
        assert_eq!(s, ScheduleStatus::Other("Hibernating".into()));
        assert_eq!(
            serde_json::to_string(&s).expect("encodes"),
            "\"Hibernating\""
        );
        assert!(!s.is_known());
    }

    #[test]
    fn known_values_round_trip() {
        for k in RegistryType::KNOWN {
            assert_eq!(RegistryType::from_wire(k.as_str()), *k);
        }
        assert_eq!(WeekDay::parse_loose(" monday"), Some(WeekDay::Monday));
        assert_eq!(WeekDay::from_index_from_monday(10), WeekDay::Thursday);
        assert_eq!(WeekDay::Sunday.index_from_monday(), Some(6));
    }
}
