//! Reading Graph's OData CSDL (EDMX 4.0) into a [`Model`].
//!
//! Only what the checker needs is kept: `EntityType`/`ComplexType` (`BaseType`, `Abstract`,
//! `OpenType`), `Property`/`NavigationProperty` (`Type`, `Nullable`), `EnumType`/`Member`
//! (`IsFlags`), `Action`/`Function` (`IsBound`, parameters, `ReturnType`), and the
//! `EntityContainer`'s `EntitySet`, `Singleton`, `ActionImport` and `FunctionImport`.
//! Annotations are skipped.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use crate::model::{ContainerItem, EnumType, Model, Operation, Parameter, Property, StructType, TypeRef};

/// Parses a CSDL document. Errors name what could not be read.
pub(crate) fn parse(text: &str) -> Result<Model, String> {
    let doc = Document::parse(text).map_err(|e| format!("the CSDL is not XML: {e}"))?;
    let schemas: Vec<Node> = doc.descendants().filter(|n| n.has_tag_name("Schema")).collect();
    if schemas.is_empty() {
        return Err("the CSDL has no Schema element".into());
    }
    let mut aliases = HashMap::new();
    for s in &schemas {
        if let (Some(ns), Some(alias)) = (s.attribute("Namespace"), s.attribute("Alias")) {
            aliases.insert(alias.to_string(), ns.to_string());
        }
    }
    let names = Names { aliases };
    let mut model = Model::default();
    for s in &schemas {
        let ns = s.attribute("Namespace").unwrap_or_default();
        for child in s.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "EntityType" | "ComplexType" => add_struct(&mut model, &names, ns, child),
                "EnumType" => add_enum(&mut model, ns, child),
                "Action" | "Function" => add_operation(&mut model, &names, ns, child),
                "EntityContainer" => add_container(&mut model, &names, child),
                _ => {}
            }
        }
    }
    let mut derived: HashMap<String, Vec<String>> = HashMap::new();
    for t in model.types.values() {
        if let Some(base) = &t.base {
            derived.entry(base.clone()).or_default().push(t.name.clone());
        }
    }
    model.derived = derived;
    Ok(model)
}

/// Resolves the schema aliases (`graph.x` → `microsoft.graph.x`).
struct Names {
    aliases: HashMap<String, String>,
}

impl Names {
    fn qualify(&self, name: &str) -> String {
        if let Some((prefix, rest)) = name.split_once('.') {
            if let Some(ns) = self.aliases.get(prefix) {
                return format!("{ns}.{rest}");
            }
        }
        name.to_string()
    }

    fn type_ref(&self, raw: &str) -> TypeRef {
        match raw.strip_prefix("Collection(").and_then(|r| r.strip_suffix(')')) {
            Some(inner) => TypeRef {
                collection: true,
                name: self.qualify(inner),
            },
            None => TypeRef {
                collection: false,
                name: self.qualify(raw),
            },
        }
    }
}

fn flag(node: Node, attr: &str) -> bool {
    node.attribute(attr).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// CSDL: `Nullable` defaults to true; only an explicit `false` forbids null.
fn nullable(node: Node) -> bool {
    !node
        .attribute("Nullable")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
}

fn add_struct(model: &mut Model, names: &Names, ns: &str, node: Node) {
    let Some(name) = node.attribute("Name") else {
        return;
    };
    let properties = node
        .children()
        .filter(|c| c.has_tag_name("Property") || c.has_tag_name("NavigationProperty"))
        .filter_map(|c| {
            Some(Property {
                name: c.attribute("Name")?.to_string(),
                ty: names.type_ref(c.attribute("Type")?),
                nullable: nullable(c),
                navigation: c.has_tag_name("NavigationProperty"),
            })
        })
        .collect();
    let qualified = format!("{ns}.{name}");
    model.types.insert(
        qualified.clone(),
        StructType {
            name: qualified,
            base: node.attribute("BaseType").map(|b| names.qualify(b)),
            is_abstract: flag(node, "Abstract"),
            open: flag(node, "OpenType"),
            properties,
        },
    );
}

fn add_enum(model: &mut Model, ns: &str, node: Node) {
    let Some(name) = node.attribute("Name") else {
        return;
    };
    let members = node
        .children()
        .filter(|c| c.has_tag_name("Member"))
        .filter_map(|c| c.attribute("Name").map(str::to_string))
        .collect();
    model.enums.insert(
        format!("{ns}.{name}"),
        EnumType {
            members,
            flags: flag(node, "IsFlags"),
        },
    );
}

fn add_operation(model: &mut Model, names: &Names, ns: &str, node: Node) {
    let Some(name) = node.attribute("Name") else {
        return;
    };
    let mut params: Vec<Parameter> = node
        .children()
        .filter(|c| c.has_tag_name("Parameter"))
        .filter_map(|c| {
            Some(Parameter {
                name: c.attribute("Name")?.to_string(),
                ty: names.type_ref(c.attribute("Type")?),
                nullable: nullable(c),
            })
        })
        .collect();
    // The first parameter of a bound operation is the binding parameter.
    let binding = if flag(node, "IsBound") && !params.is_empty() {
        Some(params.remove(0).ty)
    } else {
        None
    };
    let returns = node
        .children()
        .find(|c| c.has_tag_name("ReturnType"))
        .and_then(|r| r.attribute("Type"))
        .map(|t| names.type_ref(t));
    model.operations.entry(name.to_string()).or_default().push(Operation {
        namespace: ns.to_string(),
        name: name.to_string(),
        is_action: node.has_tag_name("Action"),
        binding,
        parameters: params,
        returns,
    });
}

fn add_container(model: &mut Model, names: &Names, node: Node) {
    for c in node.children().filter(Node::is_element) {
        let Some(name) = c.attribute("Name") else {
            continue;
        };
        let item = match c.tag_name().name() {
            "EntitySet" => c.attribute("EntityType").map(|t| {
                ContainerItem::Data(TypeRef {
                    collection: true,
                    name: names.qualify(t),
                })
            }),
            "Singleton" => c.attribute("Type").map(|t| {
                ContainerItem::Data(TypeRef {
                    collection: false,
                    name: names.qualify(t),
                })
            }),
            "ActionImport" => c.attribute("Action").map(|a| ContainerItem::Import(names.qualify(a))),
            "FunctionImport" => c.attribute("Function").map(|f| ContainerItem::Import(names.qualify(f))),
            _ => None,
        };
        if let Some(item) = item {
            model.container.insert(name.to_string(), item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color"><Member Name="red" Value="0" /><Member Name="unknownFutureValue" Value="1" /><Member Name="teal" Value="2" /></EnumType>
      <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
      <EntityType Name="thing" BaseType="graph.entity"><Property Name="color" Type="graph.color" /><NavigationProperty Name="parts" Type="Collection(graph.thing)" ContainsTarget="true" /></EntityType>
      <Action Name="poke" IsBound="true"><Parameter Name="bindingParameter" Type="graph.thing" /><Parameter Name="how" Type="Edm.String" Nullable="false" /></Action>
      <EntityContainer Name="GraphService"><EntitySet Name="things" EntityType="microsoft.graph.thing" /></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

    #[test]
    fn a_small_document_reads_types_enums_operations_and_the_container() {
        let m = parse(SMALL).expect("parse");
        let thing = m.structured("thing").expect("thing");
        assert_eq!(thing.base.as_deref(), Some("microsoft.graph.entity"));
        assert!(m.property("microsoft.graph.thing", "id").is_some_and(|p| !p.nullable));
        let (_, color) = m.enumeration("graph.color").expect("enum");
        assert_eq!(color.evolvable(), ["teal".to_string()]);
        let bound = TypeRef {
            collection: false,
            name: "microsoft.graph.thing".into(),
        };
        let poke = m.bound_operation("microsoft.graph.poke", &bound).expect("poke");
        assert_eq!(poke.parameters.len(), 1);
        assert!(!poke.parameters[0].nullable);
        assert!(matches!(m.container.get("things"), Some(ContainerItem::Data(t)) if t.collection));
        assert_eq!(
            m.derived["microsoft.graph.entity"],
            vec!["microsoft.graph.thing".to_string()]
        );
    }

    #[test]
    fn a_document_that_is_not_xml_is_an_error() {
        assert!(parse("not xml").is_err());
        assert!(parse("<a/>").is_err());
    }
}
