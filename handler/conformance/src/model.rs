//! The parts of Graph's metadata the checker uses: structured types with their properties,
//! enums with their members, bound and unbound operations, and the entity container.
//!
//! Names are kept namespace-qualified with aliases resolved (`graph.user` becomes
//! `microsoft.graph.user`), so one lookup serves every spelling a document or a body uses.

use std::collections::HashMap;

/// The namespace most of Graph lives in; an unqualified name is looked up there.
pub(crate) const GRAPH_NS: &str = "microsoft.graph";

/// A type reference as a property, parameter or return type writes it: `Collection(graph.x)` or
/// `Edm.String`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeRef {
    /// Whether it is a collection of `name`.
    pub collection: bool,
    /// The qualified element type (`Edm.String`, `microsoft.graph.user`).
    pub name: String,
}

impl TypeRef {
    /// One element of this type (drops `Collection(...)`).
    pub fn element(&self) -> TypeRef {
        TypeRef {
            collection: false,
            name: self.name.clone(),
        }
    }
}

/// A structural or navigation property.
#[derive(Debug, Clone)]
pub(crate) struct Property {
    pub name: String,
    pub ty: TypeRef,
    /// `Nullable="false"` makes this false; CSDL's default is true.
    pub nullable: bool,
    /// A `NavigationProperty`.
    pub navigation: bool,
}

/// An `EntityType` or `ComplexType`.
#[derive(Debug, Clone)]
pub(crate) struct StructType {
    pub name: String,
    pub base: Option<String>,
    pub is_abstract: bool,
    pub open: bool,
    pub properties: Vec<Property>,
}

/// An `EnumType`.
#[derive(Debug, Clone)]
pub(crate) struct EnumType {
    pub members: Vec<String>,
    pub flags: bool,
}

impl EnumType {
    /// The members after `unknownFutureValue`: Graph sends them only to clients that ask with
    /// `Prefer: include-unknown-enum-members`.
    pub fn evolvable(&self) -> &[String] {
        match self.members.iter().position(|m| m == "unknownFutureValue") {
            Some(i) => &self.members[i + 1..],
            None => &[],
        }
    }
}

/// An action or function parameter (the binding parameter is kept apart).
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub name: String,
    pub ty: TypeRef,
    pub nullable: bool,
}

/// An `Action` or `Function`.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub namespace: String,
    pub name: String,
    pub is_action: bool,
    /// The binding parameter's type, for a bound operation.
    pub binding: Option<TypeRef>,
    pub parameters: Vec<Parameter>,
    pub returns: Option<TypeRef>,
}

impl Operation {
    /// `microsoft.graph.accessPackageAssignmentRequest.resume`-style name for messages.
    pub fn display_name(&self) -> String {
        match &self.binding {
            Some(b) if b.collection => format!("Collection({}).{}", b.name, self.name),
            Some(b) => format!("{}.{}", b.name, self.name),
            None => format!("{}.{}", self.namespace, self.name),
        }
    }
}

/// What a container child (`EntitySet`, `Singleton`, `ActionImport`, `FunctionImport`) names.
#[derive(Debug, Clone)]
pub(crate) enum ContainerItem {
    /// An entity set (a collection) or a singleton (one entity).
    Data(TypeRef),
    /// An action or function import: the qualified name of the unbound operation.
    Import(String),
}

/// The parsed metadata.
#[derive(Debug, Default)]
pub(crate) struct Model {
    pub types: HashMap<String, StructType>,
    pub enums: HashMap<String, EnumType>,
    /// Operations by unqualified name (overloads and namespaces side by side).
    pub operations: HashMap<String, Vec<Operation>>,
    pub container: HashMap<String, ContainerItem>,
    /// Direct subtypes of each type.
    pub derived: HashMap<String, Vec<String>>,
}

impl Model {
    /// Finds a structured type by a qualified, aliased (`graph.x`), `#`-prefixed or bare name.
    pub fn structured(&self, name: &str) -> Option<&StructType> {
        let name = name.trim_start_matches('#');
        self.types.get(name).or_else(|| {
            self.types
                .get(&format!("{GRAPH_NS}.{}", name.trim_start_matches("graph.")))
        })
    }

    /// Finds an enum like [`Model::structured`] does.
    pub fn enumeration(&self, name: &str) -> Option<(&str, &EnumType)> {
        let name = name.trim_start_matches('#');
        self.enums
            .get_key_value(name)
            .map(|(k, v)| (k.as_str(), v))
            .or_else(|| {
                let q = format!("{GRAPH_NS}.{}", name.trim_start_matches("graph."));
                self.enums.get_key_value(&q).map(|(k, v)| (k.as_str(), v))
            })
    }

    /// The type and its base types, most derived first.
    pub fn chain<'a>(&'a self, name: &str) -> Vec<&'a StructType> {
        let mut out = Vec::new();
        let mut next = self.structured(name);
        while let Some(t) = next {
            if out.iter().any(|o: &&StructType| o.name == t.name) {
                break;
            }
            out.push(t);
            next = t.base.as_deref().and_then(|b| self.structured(b));
        }
        out
    }

    /// A property (structural or navigation) of the type or a base type.
    pub fn property(&self, type_name: &str, prop: &str) -> Option<&Property> {
        self.chain(type_name)
            .into_iter()
            .find_map(|t| t.properties.iter().find(|p| p.name == prop))
    }

    /// A property of a type derived (at any depth) from `type_name`, with the type that declares it.
    pub fn derived_property(&self, type_name: &str, prop: &str) -> Option<(&str, &Property)> {
        let mut stack: Vec<&str> = self
            .derived
            .get(type_name)
            .map(|d| d.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut seen = 0usize;
        while let Some(name) = stack.pop() {
            seen += 1;
            if seen > 10_000 {
                break;
            }
            if let Some(t) = self.types.get(name) {
                if let Some(p) = t.properties.iter().find(|p| p.name == prop) {
                    return Some((t.name.as_str(), p));
                }
            }
            if let Some(d) = self.derived.get(name) {
                stack.extend(d.iter().map(String::as_str));
            }
        }
        None
    }

    /// Whether `derived` is `base` or derives from it.
    pub fn derives_from(&self, derived: &str, base: &str) -> bool {
        let Some(base) = self.structured(base) else {
            return false;
        };
        self.chain(derived).iter().any(|t| t.name == base.name)
    }

    /// Every property name of the type and its bases (structural and navigation).
    pub fn property_names(&self, type_name: &str) -> Option<Vec<&str>> {
        let chain = self.chain(type_name);
        if chain.is_empty() {
            return None;
        }
        Some(
            chain
                .iter()
                .flat_map(|t| t.properties.iter().map(|p| p.name.as_str()))
                .collect(),
        )
    }

    /// Whether the open-type flag is set on the type or a base type.
    pub fn is_open(&self, type_name: &str) -> bool {
        self.chain(type_name).iter().any(|t| t.open)
    }

    /// The bound operations named `name` (optionally namespace-qualified) whose binding parameter
    /// accepts `bound_to` (the same type or a base type, the same collection-ness).
    pub fn bound_operation(&self, name: &str, bound_to: &TypeRef) -> Option<&Operation> {
        let (namespace, bare) = split_qualified(name);
        let chain: Vec<&str> = self.chain(&bound_to.name).iter().map(|t| t.name.as_str()).collect();
        // The overload bound to the most derived type wins (`delta` of groups, not of directoryObjects).
        self.operations
            .get(bare)?
            .iter()
            .filter(|op| namespace.is_none_or(|ns| ns == op.namespace || resolves_to(ns, &op.namespace)))
            .filter_map(|op| {
                let b = op.binding.as_ref().filter(|b| b.collection == bound_to.collection)?;
                let depth = chain.iter().position(|t| *t == b.name)?;
                Some((depth, op))
            })
            .min_by_key(|(depth, _)| *depth)
            .map(|(_, op)| op)
    }

    /// An unbound operation by qualified name.
    pub fn unbound_operation(&self, qualified: &str) -> Option<&Operation> {
        let (namespace, bare) = split_qualified(qualified);
        self.operations
            .get(bare)?
            .iter()
            .find(|op| op.binding.is_none() && namespace.is_none_or(|ns| ns == op.namespace))
    }

    /// Names close to `wanted` among `candidates`, for "did you mean" hints.
    pub fn suggest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        let mut scored: Vec<(usize, &str)> = candidates
            .map(|c| (distance(&wanted.to_ascii_lowercase(), &c.to_ascii_lowercase()), c))
            .filter(|(d, c)| *d <= (c.len() / 3).max(2))
            .collect();
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored.into_iter().take(3).map(|(_, c)| c).collect()
    }
}

/// `microsoft.graph.syncDevice` → (`Some("microsoft.graph")`, `syncDevice`); `resume` → (`None`, `resume`).
pub(crate) fn split_qualified(name: &str) -> (Option<&str>, &str) {
    match name.rsplit_once('.') {
        Some((ns, bare)) => (Some(ns), bare),
        None => (None, name),
    }
}

/// Whether an alias-style namespace (`graph`) names `namespace`.
fn resolves_to(alias: &str, namespace: &str) -> bool {
    alias == "graph" && namespace == GRAPH_NS
}

/// Levenshtein distance, for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_a_misspelling() {
        let names = ["source", "type", "data"];
        assert_eq!(Model::suggest("sourse", names.into_iter()), vec!["source"]);
        assert!(Model::suggest("zzzzzzzz", names.into_iter()).is_empty());
    }

    #[test]
    fn qualified_names_split_at_the_last_dot() {
        assert_eq!(
            split_qualified("microsoft.graph.syncDevice"),
            (Some("microsoft.graph"), "syncDevice")
        );
        assert_eq!(split_qualified("resume"), (None, "resume"));
    }
}
