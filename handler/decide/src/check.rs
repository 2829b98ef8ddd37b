//! The static checker: walks a compiled `when` against the facts schema and
//! reports unknown variables and fields, unknown functions, and type mismatches.

use crate::diagnostic::suggestion;
use crate::schema::{FactsSchema, Ty};
use cel::common::ast::{operators as op, CallExpr, ComprehensionExpr, EntryExpr, Expr, LiteralValue, SourceInfo};
use cel::{Context, Env, IdedExpr};
use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

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
const FUNCTIONS: [&str; 25] = [
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "bytes",
    "dyn",
    "type",
    "timestamp",
    "duration",
    "getFullYear",
    "getMonth",
    "getDayOfYear",
    "getDayOfMonth",
    "getDate",
    "getDayOfWeek",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
];

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

struct Checker<'a> {
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
                let field_at = self.at(e) + 1;
                let ty = self.field(operand, &s.operand, &s.field, field_at);
                if let Some(path) = self.path_of(e) {
                    self.paths.insert(path);
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

    fn call(&mut self, e: &IdedExpr, call: &CallExpr) -> Ty {
        let name = call.func_name.as_str();
        let target = call.target.as_deref().map(|t| self.expr(t));
        let args: Vec<Ty> = call.args.iter().map(|a| self.expr(a)).collect();
        let at = self.at(e);
        if name == "matches" {
            self.literal_regex(call);
        }
        if (name == "timestamp" || name == "duration") && call.target.is_none() {
            self.literal_time(e, call);
        }
        match name {
            op::LOGICAL_AND | op::LOGICAL_OR | op::LOGICAL_NOT | op::NOT_STRICTLY_FALSE => {
                let sym = match name {
                    op::LOGICAL_AND => "&&",
                    op::LOGICAL_OR => "||",
                    _ => "!",
                };
                for (a, ty) in call.args.iter().zip(&args) {
                    if !matches!(ty, Ty::Bool | Ty::Dyn) {
                        let at = self.at(a);
                        self.problem(at, format!("operand of `{sym}` must be bool, found {ty}"));
                    }
                }
                Ty::Bool
            }
            op::EQUALS | op::NOT_EQUALS => {
                if !comparable(args[0], args[1]) {
                    let sym = if name == op::EQUALS { "==" } else { "!=" };
                    self.problem(at, format!("cannot compare {} with {} using `{sym}`", args[0], args[1]));
                }
                Ty::Bool
            }
            op::LESS | op::LESS_EQUALS | op::GREATER | op::GREATER_EQUALS => {
                if !ordered(args[0], args[1]) {
                    let sym = name.trim_matches('_');
                    self.problem(at, format!("cannot compare {} with {} using `{sym}`", args[0], args[1]));
                }
                Ty::Bool
            }
            op::ADD | op::SUBSTRACT | op::MULTIPLY | op::DIVIDE | op::MODULO => self.arith(name, args[0], args[1], at),
            op::NEGATE => match args[0] {
                Ty::Int | Ty::Double | Ty::Duration | Ty::Dyn => args[0],
                other => self.problem(at, format!("cannot negate {other}")),
            },
            op::CONDITIONAL => {
                if !matches!(args[0], Ty::Bool | Ty::Dyn) {
                    let at = self.at(&call.args[0]);
                    self.problem(at, format!("condition of `? :` must be bool, found {}", args[0]));
                }
                unify(args[1], args[2])
            }
            op::INDEX => self.index(args[0], args[1], at),
            op::IN => {
                let ok = match args[1] {
                    Ty::List(el) => comparable(args[0], *el),
                    Ty::Map(k, _) => comparable(args[0], *k),
                    Ty::Dyn => true,
                    _ => false,
                };
                if !ok {
                    self.problem(at, format!("cannot look for {} in {}", args[0], args[1]));
                }
                Ty::Bool
            }
            _ => self.function(name, target, &args, at),
        }
    }

    /// A literal pattern of `matches` is compiled now: a bad one is a problem, a good one is kept.
    fn literal_regex(&mut self, call: &CallExpr) {
        let pattern = if call.target.is_some() {
            call.args.first()
        } else {
            call.args.get(1)
        };
        if let Some(p) = pattern {
            if let Expr::Literal(LiteralValue::String(s)) = &p.expr {
                if let Err(msg) = crate::regex_cache::precompile(s.inner()) {
                    let why = msg
                        .lines()
                        .last()
                        .unwrap_or(&msg)
                        .trim()
                        .trim_start_matches("error: ")
                        .to_string();
                    self.problem(self.at(p), format!("invalid regex in `matches`: {why}"));
                }
            }
        }
    }

    /// `timestamp('...')` and `duration('...')` of a literal are evaluated now: a bad one is a problem.
    fn literal_time(&mut self, e: &IdedExpr, call: &CallExpr) {
        if let [arg @ IdedExpr {
            expr: Expr::Literal(LiteralValue::String(_)),
            ..
        }] = call.args.as_slice()
        {
            static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(Env::stdlib()));
            if Context::with_env(Arc::clone(&ENV)).resolve(e).is_err() {
                let want = if call.func_name == "duration" {
                    "a duration such as '90m', '1h30m' or '3600s'"
                } else {
                    "an RFC 3339 time such as '2026-01-06T09:00:00Z'"
                };
                self.problem(
                    self.at(arg),
                    format!("invalid `{}` literal: expected {want}", call.func_name),
                );
            }
        }
    }

    fn arith(&mut self, name: &str, a: Ty, b: Ty, at: usize) -> Ty {
        use Ty::*;
        let sym = name.trim_matches('_');
        let result = match (name, a, b) {
            (_, Dyn, _) | (_, _, Dyn) => Some(Dyn),
            (op::MODULO, Int, Int) | (op::MODULO, Uint, Uint) => Some(a),
            (op::MODULO, _, _) => None,
            (_, Int, Int) | (_, Uint, Uint) | (_, Double, Double) => Some(a),
            (op::ADD, String, String) | (op::ADD, Bytes, Bytes) => Some(a),
            (op::ADD, List(x), List(y)) => Some(List(unify(*x, *y).to_static())),
            (op::ADD, Timestamp, Duration) | (op::ADD, Duration, Timestamp) => Some(Timestamp),
            (op::ADD, Duration, Duration) | (op::SUBSTRACT, Duration, Duration) => Some(Duration),
            (op::SUBSTRACT, Timestamp, Timestamp) => Some(Duration),
            (op::SUBSTRACT, Timestamp, Duration) => Some(Timestamp),
            _ => None,
        };
        result.unwrap_or_else(|| {
            let hint = if a.is_numeric() && b.is_numeric() {
                " (CEL does not mix numeric types: convert with double() or int(), or write 8.0 for a double)"
            } else {
                ""
            };
            self.problem(at, format!("cannot apply `{sym}` to {a} and {b}{hint}"))
        })
    }

    fn index(&mut self, container: Ty, key: Ty, at: usize) -> Ty {
        match container {
            Ty::List(el) => {
                if !matches!(key, Ty::Int | Ty::Uint | Ty::Dyn) {
                    self.problem(at, format!("a list index must be int, found {key}"));
                }
                *el
            }
            Ty::Map(k, v) => {
                if !comparable(key, *k) {
                    self.problem(at, format!("a key of {container} must be {k}, found {key}"));
                }
                *v
            }
            Ty::Object(_) | Ty::Dyn => Ty::Dyn,
            other => self.problem(at, format!("cannot index a {other}")),
        }
    }

    fn function(&mut self, name: &str, target: Option<Ty>, args: &[Ty], at: usize) -> Ty {
        // The recorded offset of a call is its `(`: point at the name instead.
        let name_at = at.saturating_sub(name.chars().count());
        // Member form `x.f(a)` and global form `f(x, a)` are checked alike.
        let all: Vec<Ty> = target.into_iter().chain(args.iter().copied()).collect();
        let want = |this: &mut Self, i: usize, ok: &[Ty], what: &str| {
            if let Some(&t) = all.get(i) {
                if t != Ty::Dyn && !ok.contains(&t) {
                    this.problem(name_at, format!("`{name}` {what}, found {t}"));
                }
            }
        };
        let arity = |this: &mut Self, n: &[usize]| {
            if !n.contains(&all.len()) {
                this.problem(
                    name_at,
                    format!("`{name}` takes {} argument(s), found {}", n[0], all.len()),
                );
            }
        };
        match name {
            "size" => {
                arity(self, &[1]);
                if let Some(&t) = all.first() {
                    if !matches!(
                        t,
                        Ty::String | Ty::Bytes | Ty::List(_) | Ty::Map(..) | Ty::Object(_) | Ty::Dyn
                    ) {
                        self.problem(name_at, format!("`size` needs a string, bytes, list or map, found {t}"));
                    }
                }
                Ty::Int
            }
            "contains" | "startsWith" | "endsWith" | "matches" => {
                arity(self, &[2]);
                want(self, 0, &[Ty::String], "applies to a string");
                want(self, 1, &[Ty::String], "takes a string argument");
                Ty::Bool
            }
            "int" | "uint" | "double" | "string" | "bool" | "bytes" => {
                arity(self, &[1]);
                match name {
                    "int" => Ty::Int,
                    "uint" => Ty::Uint,
                    "double" => Ty::Double,
                    "string" => Ty::String,
                    "bool" => Ty::Bool,
                    _ => Ty::Bytes,
                }
            }
            "dyn" => Ty::Dyn,
            "type" => Ty::Type,
            "timestamp" => {
                arity(self, &[1]);
                want(
                    self,
                    0,
                    &[Ty::String, Ty::Int, Ty::Timestamp],
                    "takes an RFC 3339 string",
                );
                Ty::Timestamp
            }
            "duration" => {
                arity(self, &[1]);
                want(self, 0, &[Ty::String, Ty::Duration], "takes a string such as '8h'");
                Ty::Duration
            }
            _ if name.starts_with("get") && FUNCTIONS.contains(&name) => {
                arity(self, &[1, 2]);
                want(
                    self,
                    0,
                    &[Ty::Timestamp, Ty::Duration],
                    "applies to a timestamp or duration",
                );
                want(self, 1, &[Ty::String], "takes a time zone name");
                Ty::Int
            }
            _ => {
                let hint = suggestion(name, FUNCTIONS);
                self.problem(name_at, format!("unknown function `{name}`{hint}"))
            }
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
