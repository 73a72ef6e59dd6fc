//! The functions the rewritten templates call (see [`scan`](super::scan)), and the
//! stubs that stand in for denied built-ins.

use tera::value::ValueKind;
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::ForbiddenKind;
use crate::scope;

/// Registers the filters `__carafe_iter`, `__carafe_grow`, `__carafe_enter` and
/// `__carafe_leave`. They are filters, not functions: a Tera function call builds a
/// keyword-argument map per call, five times the cost of a filter call.
pub(crate) fn register(tera: &mut Tera) {
    tera.register_filter("__carafe_iter", iter);
    tera.register_filter("__carafe_grow", grow);
    tera.register_filter("__carafe_enter", enter);
    tera.register_filter("__carafe_leave", leave);
}

/// How many iterations a `for` over `value` runs.
fn iterations(value: &Value) -> u64 {
    match value.kind() {
        ValueKind::String => value.as_str().map_or(0, |s| s.chars().count()) as u64,
        ValueKind::Array | ValueKind::Map | ValueKind::Bytes => value.len().unwrap_or(0) as u64,
        _ => 0,
    }
}

/// `for x in (EXPR) | __carafe_iter`: charges the loop's iterations before it runs.
fn iter(value: Value, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    scope::with_budget(|budget| budget.charge_iterations(iterations(&value))).transpose()?;
    Ok(value)
}

/// `set x = (EXPR) | __carafe_grow`, `set x | __carafe_grow`: measures the value.
fn grow(value: Value, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    scope::with_budget(|budget| budget.measure(&value).and_then(|()| budget.check_time()))
        .transpose()?;
    Ok(value)
}

/// `{{ 0 | __carafe_enter }}` at the start of a component's body: one level deeper,
/// one call more.
fn enter(_: Value, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    scope::with_budget(|budget| budget.enter_component()).transpose()?;
    Ok(Value::none())
}

/// `{{ 0 | __carafe_leave }}` at the end of a component's body.
fn leave(_: Value, _: Kwargs, _: &State<'_>) -> Value {
    scope::with_budget(|budget| budget.leave_component());
    Value::none()
}

fn refuse(kind: ForbiddenKind, name: &str) -> tera::Error {
    scope::with_budget(|budget| budget.forbid(kind, name)).unwrap_or_else(|| {
        tera::Error::message(format!("the sandbox does not allow the {kind} `{name}`"))
    })
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
