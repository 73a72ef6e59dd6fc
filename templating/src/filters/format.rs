//! `format`: printf-style formatting (Python's `%` operator, as Jinja2's `format`).

use tera::value::ValueKind;
use tera::{Kwargs, State, TeraResult, Value};

use super::json::python_float;
use super::{Bounded, char_len, display};
use crate::sandbox::check_string_len;

/// `{{ "%s has %d items" | format(args=[name, n]) }}`: printf-style formatting
/// (`%s %d %i %f %.2f %x %X %o %e %r %%`, width and `-`/`0`/`+` flags).
pub(crate) fn format(text: &str, kwargs: Kwargs, _: &State<'_>) -> TeraResult<String> {
    let args: Vec<Value> = kwargs.get::<Vec<Value>>("args")?.unwrap_or_default();
    let mut args = args.iter();
    let mut out = Bounded::new();
    let mut chars = text.chars().peekable();
    let mut piece = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            piece.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek().filter(|f| "-+0 #".contains(**f)) {
            flags.push(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(p.parse::<usize>().unwrap_or(0));
        }
        let Some(conversion) = chars.next() else {
            return Err(tera::Error::message("format: incomplete format"));
        };
        if conversion == '%' {
            piece.push('%');
            continue;
        }
        let arg = args.next().ok_or_else(|| {
            tera::Error::message("format: not enough arguments for format string")
        })?;
        let width: usize = width.parse().unwrap_or(0);
        check_string_len(width)?;
        let body = convert(arg, conversion, precision, &flags)?;
        let padded = pad(&body, width, &flags, conversion);
        piece.push_str(&padded);
        if piece.len() >= 1024 {
            out.push_str(&piece)?;
            piece.clear();
        }
    }
    if args.next().is_some() {
        return Err(tera::Error::message(
            "format: not all arguments converted during string formatting",
        ));
    }
    out.push_str(&piece)?;
    Ok(out.into_string())
}

fn convert(
    arg: &Value,
    conversion: char,
    precision: Option<usize>,
    flags: &str,
) -> TeraResult<String> {
    let number = || {
        arg.as_f64()
            .filter(|_| arg.is_number() || arg.is_bool())
            .or_else(|| arg.as_bool().map(|b| f64::from(u8::from(b))))
            .ok_or_else(|| {
                tera::Error::message(format!(
                    "format: %{conversion} needs a number, got {}",
                    arg.name()
                ))
            })
    };
    let integer = || -> TeraResult<i128> {
        match arg.as_i128() {
            Some(i) => Ok(i),
            None => Ok(number()?.trunc() as i128),
        }
    };
    let sign = |negative: bool| {
        if negative {
            "-"
        } else if flags.contains('+') {
            "+"
        } else if flags.contains(' ') {
            " "
        } else {
            ""
        }
    };
    Ok(match conversion {
        's' => {
            let s = display(arg);
            match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            }
        }
        'r' => match arg.kind() {
            ValueKind::String => format!("'{}'", arg.as_str().unwrap_or_default()),
            _ => display(arg),
        },
        'd' | 'i' | 'u' => {
            let i = integer()?;
            format!("{}{}", sign(i < 0), i.unsigned_abs())
        }
        'x' | 'X' | 'o' => {
            let i = integer()?;
            let digits = match conversion {
                'x' => format!("{:x}", i.unsigned_abs()),
                'X' => format!("{:X}", i.unsigned_abs()),
                _ => format!("{:o}", i.unsigned_abs()),
            };
            let prefix = match (flags.contains('#'), conversion) {
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                (true, _) => "0o",
                _ => "",
            };
            format!("{}{prefix}{digits}", sign(i < 0))
        }
        'f' | 'F' => {
            let x = number()?;
            format!(
                "{}{:.*}",
                sign(x.is_sign_negative() && x != 0.0),
                precision.unwrap_or(6),
                x.abs()
            )
        }
        'e' | 'E' => {
            let x = number()?;
            let formatted = format!("{:.*e}", precision.unwrap_or(6), x.abs());
            let (mantissa, exponent) = formatted.split_once('e').expect("exponent form");
            let exponent: i32 = exponent.parse().expect("integer exponent");
            let text = format!(
                "{}{mantissa}e{}{:02}",
                sign(x.is_sign_negative() && x != 0.0),
                if exponent < 0 { '-' } else { '+' },
                exponent.abs()
            );
            if conversion == 'E' {
                text.to_uppercase()
            } else {
                text
            }
        }
        'g' => python_float(number()?),
        other => {
            return Err(tera::Error::message(format!(
                "format: unsupported format character '{other}'"
            )));
        }
    })
}

fn pad(body: &str, width: usize, flags: &str, conversion: char) -> String {
    let len = char_len(body);
    if len >= width {
        return body.to_string();
    }
    let fill = width - len;
    if flags.contains('-') {
        format!("{body}{}", " ".repeat(fill))
    } else if flags.contains('0') && conversion != 's' && conversion != 'r' {
        let digits_start = body.find(|c: char| c.is_ascii_alphanumeric()).unwrap_or(0);
        format!(
            "{}{}{}",
            &body[..digits_start],
            "0".repeat(fill),
            &body[digits_start..]
        )
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}
