//! The functions the rewritten templates call (see [`scan`](super::scan)), and the
//! stubs that stand in for denied built-ins.

use tera::value::ValueKind;
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::ForbiddenKind;
use crate::scope;

/// Registers `__carafe_iter`, `__carafe_grow` (function and filter),
/// `__carafe_enter` and `__carafe_leave`.
pub(crate) fn register(tera: &mut Tera) {
    tera.register_function("__carafe_iter", iter);
    tera.register_function("__carafe_grow", grow_function);
    tera.register_filter("__carafe_grow", grow_filter);
    tera.register_function("__carafe_enter", enter);
    tera.register_function("__carafe_leave", leave);
}

/// How many iterations a `for` over `value` runs.
fn iterations(value: &Value) -> u64 {
    match value.kind() {
        ValueKind::String => value.as_str().map_or(0, |s| s.chars().count()) as u64,
        ValueKind::Array | ValueKind::Map | ValueKind::Bytes => value.len().unwrap_or(0) as u64,
        _ => 0,
    }
}

/// `for x in __carafe_iter(v=(EXPR))`: charges the loop's iterations before it runs.
fn iter(kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let value = kwargs.must_get::<Value>("v")?;
    if let Some(budget) = scope::current_budget() {
        budget.charge_iterations(iterations(&value))?;
    }
    Ok(value)
}

fn grow(value: Value) -> TeraResult<Value> {
    if let Some(budget) = scope::current_budget() {
        budget.measure(&value)?;
        budget.check_time()?;
    }
    Ok(value)
}

/// `set x = __carafe_grow(v=(EXPR))`.
fn grow_function(kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    grow(kwargs.must_get::<Value>("v")?)
}

/// `set x | __carafe_grow`: the captured body.
fn grow_filter(value: Value, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    grow(value)
}

/// At the start of a component's body: one level deeper, one call more.
fn enter(_: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    if let Some(budget) = scope::current_budget() {
        budget.enter_component()?;
    }
    Ok(Value::none())
}

/// At the end of a component's body.
fn leave(_: Kwargs, _: &State<'_>) -> Value {
    if let Some(budget) = scope::current_budget() {
        budget.leave_component();
    }
    Value::none()
}

fn refuse(kind: ForbiddenKind, name: &str) -> tera::Error {
    match scope::current_budget() {
        Some(budget) => budget.forbid(kind, name),
        None => tera::Error::message(format!("the sandbox does not allow the {kind} `{name}`")),
    }
}

/// Replaces a built-in filter, function or test the policy denies: templates that
/// use it are refused when the sandbox is built; this stub is the second line.
pub(crate) fn deny(tera: &mut Tera, kind: ForbiddenKind, name: &'static str) {
    match kind {
        ForbiddenKind::Filter => {
            tera.register_filter(
                name,
                move |_: Value, _: Kwargs, _: &State<'_>| -> TeraResult<Value> {
                    Err(refuse(ForbiddenKind::Filter, name))
                },
            );
        }
        ForbiddenKind::Function => {
            tera.register_function(name, move |_: Kwargs, _: &State<'_>| -> TeraResult<Value> {
                Err(refuse(ForbiddenKind::Function, name))
            });
        }
        ForbiddenKind::Test => {
            tera.register_test(
                name,
                move |_: Value, _: Kwargs, _: &State<'_>| -> TeraResult<bool> {
                    Err(refuse(ForbiddenKind::Test, name))
                },
            );
        }
        _ => {}
    }
}
