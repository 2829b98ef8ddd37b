//! The static checker: walks a compiled `when` against the facts schema and
//! reports unknown variables and fields, unknown functions, and type mismatches.

mod calls;

use crate::diagnostic::suggestion;
use crate::schema::{FactsSchema, Ty};
use cel::common::ast::{ComprehensionExpr, EntryExpr, Expr, LiteralValue, SourceInfo};
use cel::IdedExpr;
use std::collections::BTreeSet;

/// A problem at a character offset in the expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub offset: usize,
    pub message: String,
}

/// What the checker learned about an expression.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The expression's type (`dyn` where unknown).
    pub ty: Ty,
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// The fact paths read (`requestor.userType`, `devices`), for unavailable facts.
    pub paths: BTreeSet<String>,
}

/// Functions a rule may call, as the checker knows them.
const TYPE_NAMES: [&str; 10] = [
    "bool",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
];

/// Checks `expr` (compiled from `source`) against `schema`.
pub(crate) fn check(expr: &IdedExpr, info: &SourceInfo, schema: &FactsSchema) -> Checked {
    let mut c = Checker {
        info,
        schema,
        locals: Vec::new(),
        problems: Vec::new(),
        paths: BTreeSet::new(),
    };
    let ty = c.expr(expr);
    let mut problems = c.problems;
    problems.sort_by_key(|p| p.offset);
    problems.dedup();
    Checked {
        ty,
        problems,
        paths: prune(c.paths),
    }
}

/// Keeps only the longest paths (`requestor.id` rather than `requestor` too).
fn prune(paths: BTreeSet<String>) -> BTreeSet<String> {
    paths
        .iter()
        .filter(|p| {
            !paths
                .iter()
                .any(|q| q.len() > p.len() && q.starts_with(&format!("{p}.")))
        })
        .cloned()
        .collect()
}

pub(super) struct Checker<'a> {
    info: &'a SourceInfo,
    schema: &'a FactsSchema,
    locals: Vec<(String, Ty)>,
    problems: Vec<Problem>,
    paths: BTreeSet<String>,
}

impl Checker<'_> {
    fn at(&self, e: &IdedExpr) -> usize {
        self.info.offset_for(e.id).map_or(0, |(start, _)| start as usize)
    }

    fn problem(&mut self, offset: usize, message: String) -> Ty {
        self.problems.push(Problem { offset, message });
        Ty::Dyn
    }

    /// Where `.field` is written after `operand` (a `has()` node records the macro's position).
    fn field_after(&self, operand: &IdedExpr, field: &str) -> usize {
        let from = self.at(operand);
        let chars: Vec<char> = self.info.source.chars().collect();
        let want: Vec<char> = format!(".{field}").chars().collect();
        (from..chars.len())
            .find(|&i| chars[i..].starts_with(&want))
            .map_or(from, |i| i + 1)
    }

    /// The dotted fact path an expression reads, if it is one (`requestor.manager.id`).
    fn path_of(&self, e: &IdedExpr) -> Option<String> {
        match &e.expr {
            Expr::Ident(name) if !self.locals.iter().any(|(n, _)| n == name) => {
                self.schema.variable(name).map(|_| name.clone())
            }
            Expr::Select(s) if !s.test => self.path_of(&s.operand).map(|p| format!("{p}.{}", s.field)),
            _ => None,
        }
    }

    fn expr(&mut self, e: &IdedExpr) -> Ty {
        match &e.expr {
            Expr::Literal(l) => literal(l),
            Expr::Ident(name) => self.ident(e, name),
            Expr::Select(s) => {
                let operand = self.expr(&s.operand);
                let field_at = if s.test {
                    self.field_after(&s.operand, &s.field)
                } else {
                    self.at(e) + 1
                };
                let ty = self.field(operand, &s.operand, &s.field, field_at);
                if let Some(path) = self.path_of(&s.operand) {
                    self.paths.insert(format!("{path}.{}", s.field));
                }
                if s.test {
                    Ty::Bool
                } else {
                    ty
                }
            }
            Expr::Call(call) => self.call(e, call),
            Expr::Comprehension(c) => self.comprehension(c),
            Expr::List(l) => {
                let tys: Vec<Ty> = l.elements.iter().map(|x| self.expr(x)).collect();
                Ty::List(unify_all(&tys).to_static())
            }
            Expr::Map(m) => {
                let mut keys = Vec::new();
                let mut values = Vec::new();
                for entry in &m.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        keys.push(self.expr(&me.key));
                        values.push(self.expr(&me.value));
                    }
                }
                Ty::Map(unify_all(&keys).to_static(), unify_all(&values).to_static())
            }
            Expr::Struct(s) => self.problem(
                self.at(e),
                format!("message literals (`{} {{...}}`) are not supported", s.type_name),
            ),
            Expr::Unspecified => Ty::Dyn,
        }
    }

    fn ident(&mut self, e: &IdedExpr, name: &str) -> Ty {
        if let Some((_, ty)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return *ty;
        }
        if let Some(ty) = self.schema.variable(name) {
            self.paths.insert(name.to_string());
            return ty;
        }
        if TYPE_NAMES.contains(&name) {
            return Ty::Type;
        }
        let mut candidates: Vec<&str> = self.schema.variables.iter().map(|(n, _)| *n).collect();
        candidates.extend(self.locals.iter().map(|(n, _)| n.as_str()));
        let hint = suggestion(name, candidates.iter().copied());
        self.problem(self.at(e), format!("unknown variable `{name}`{hint}"))
    }

    fn field(&mut self, operand: Ty, operand_expr: &IdedExpr, field: &str, at: usize) -> Ty {
        match operand {
            Ty::Object(o) => match o.field(field) {
                Some(f) => f.ty,
                None => {
                    let hint = suggestion(field, o.fields.iter().map(|f| f.name));
                    let whose = self.path_of(operand_expr).unwrap_or_else(|| o.name.to_string());
                    self.problem(at, format!("unknown field `{field}` of `{whose}`{hint}"))
                }
            },
            Ty::Map(_, v) => *v,
            Ty::Dyn => Ty::Dyn,
            other => self.problem(at, format!("`{field}`: a {other} has no fields")),
        }
    }

    fn comprehension(&mut self, c: &ComprehensionExpr) -> Ty {
        let range = self.expr(&c.iter_range);
        let (first, second) = match range {
            Ty::List(el) => (if c.iter_var2.is_some() { Ty::Int } else { *el }, *el),
            Ty::Map(k, v) => (*k, *v),
            Ty::Dyn => (Ty::Dyn, Ty::Dyn),
            other => {
                let at = self.at(&c.iter_range);
                self.problem(at, format!("cannot iterate over {other}"));
                (Ty::Dyn, Ty::Dyn)
            }
        };
        let accu = self.expr(&c.accu_init);
        let depth = self.locals.len();
        self.locals.push((c.iter_var.clone(), first));
        if let Some(v2) = &c.iter_var2 {
            self.locals.push((v2.clone(), second));
        }
        self.locals.push((c.accu_var.clone(), accu));
        self.expr(&c.loop_cond);
        let step = self.expr(&c.loop_step);
        self.locals.truncate(depth);
        self.locals.push((c.accu_var.clone(), unify(accu, step)));
        let result = self.expr(&c.result);
        self.locals.truncate(depth);
        result
    }
}

fn literal(l: &LiteralValue) -> Ty {
    match l {
        LiteralValue::Boolean(_) => Ty::Bool,
        LiteralValue::Bytes(_) => Ty::Bytes,
        LiteralValue::Double(_) => Ty::Double,
        LiteralValue::Int(_) => Ty::Int,
        LiteralValue::Null => Ty::Null,
        LiteralValue::String(_) => Ty::String,
        LiteralValue::UInt(_) => Ty::Uint,
    }
}

/// The common type of two, or `dyn`.
fn unify(a: Ty, b: Ty) -> Ty {
    if a == b {
        a
    } else {
        Ty::Dyn
    }
}

fn unify_all(tys: &[Ty]) -> Ty {
    tys.iter().copied().reduce(unify).unwrap_or(Ty::Dyn)
}

fn kind(t: Ty) -> u8 {
    match t {
        Ty::Int | Ty::Uint | Ty::Double => 1,
        Ty::List(_) => 2,
        Ty::Map(..) | Ty::Object(_) => 3,
        _ => 0,
    }
}

/// Whether `==` between the two can ever be true (CEL compares numbers across types).
fn comparable(a: Ty, b: Ty) -> bool {
    a == Ty::Dyn || b == Ty::Dyn || a == Ty::Null || b == Ty::Null || a == b || (kind(a) != 0 && kind(a) == kind(b))
}

/// Whether `<` applies to the two.
fn ordered(a: Ty, b: Ty) -> bool {
    use Ty::*;
    match (a, b) {
        (Dyn, _) | (_, Dyn) => true,
        _ if a.is_numeric() && b.is_numeric() => true,
        (String, String) | (Bytes, Bytes) | (Bool, Bool) | (Timestamp, Timestamp) | (Duration, Duration) => true,
        _ => false,
    }
}
