//! `string_enum!`: a string-valued enum that keeps unknown values as `Other(String)`.

/// Define an enum over documented string values, parsed case-insensitively, serialised in
/// the documented spelling, with `Other(String)` for anything else.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value not (yet) documented, as received.
            Other(String),
        }

        impl $name {
            /// Every documented value, in the documented spelling.
            pub const MEMBERS: &'static [&'static str] = &[$($text),+];

            /// Parse a value case-insensitively; unknown values become `Other`.
            pub fn parse(value: &str) -> Self {
                $( if value.eq_ignore_ascii_case($text) { return $name::$variant; } )+
                $name::Other(value.to_string())
            }

            /// The documented spelling (or the value received, for `Other`).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(s) => s,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}

pub(crate) use string_enum;
