//! The checker's rules for operators and functions.

use super::{comparable, ordered, unify, Checker};
use crate::diagnostic::suggestion;
use crate::schema::Ty;
use cel::common::ast::{operators as op, CallExpr, Expr, LiteralValue};
use cel::{Context, Env, IdedExpr};
use std::sync::{Arc, LazyLock};

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

impl Checker<'_> {
    pub(super) fn call(&mut self, e: &IdedExpr, call: &CallExpr) -> Ty {
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
}
