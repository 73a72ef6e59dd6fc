//! Parsing the attribute's arguments and checking the function.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, LitBool, LitStr, Pat, Token, Type};

/// The methods `#[route(methods = [...])]` accepts.
pub(crate) const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// `"/rule", methods = ["GET"], endpoint = "name", strict_slashes = false,
/// converters = ["color"]`.
pub(crate) struct RouteArgs {
    pub(crate) rule: LitStr,
    pub(crate) methods: Option<Vec<(String, Span)>>,
    pub(crate) endpoint: Option<LitStr>,
    pub(crate) strict_slashes: Option<LitBool>,
    pub(crate) converters: Vec<LitStr>,
}

impl Parse for RouteArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(
                input.error("expected the rule as a string literal: #[route(\"/path/<int:id>\")]")
            );
        }
        let rule: LitStr = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), "expected the rule as a string literal"))?;
        let mut args = RouteArgs {
            rule,
            methods: None,
            endpoint: None,
            strict_slashes: None,
            converters: Vec::new(),
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key = Ident::parse_any(input)?;
            input.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "methods" => {
                    let content;
                    syn::bracketed!(content in input);
                    let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                    let mut methods = Vec::new();
                    for lit in list {
                        let name = lit.value().to_ascii_uppercase();
                        if !METHODS.contains(&name.as_str()) {
                            return Err(syn::Error::new(
                                lit.span(),
                                format!(
                                    "unknown method {:?} (known: {})",
                                    lit.value(),
                                    METHODS.join(", ")
                                ),
                            ));
                        }
                        methods.push((name, lit.span()));
                    }
                    if methods.is_empty() {
                        return Err(syn::Error::new(key.span(), "give at least one method"));
                    }
                    args.methods = Some(methods);
                }
                "endpoint" => {
                    let lit: LitStr = input.parse()?;
                    if lit.value().is_empty() {
                        return Err(syn::Error::new(lit.span(), "the endpoint may not be empty"));
                    }
                    args.endpoint = Some(lit);
                }
                "strict_slashes" => args.strict_slashes = Some(input.parse()?),
                "converters" => {
                    let content;
                    syn::bracketed!(content in input);
                    let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                    args.converters = list.into_iter().collect();
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown option `{other}` (known: methods, endpoint, strict_slashes, converters)"
                        ),
                    ));
                }
            }
        }
        Ok(args)
    }
}

/// A parameter of the handler.
pub(crate) struct Param {
    pub(crate) ty: Type,
    /// The name, when the pattern is a plain identifier.
    pub(crate) name: Option<Ident>,
}

/// Checks the function: a plain, non-async, non-generic function.
pub(crate) fn handler(item: &ItemFn) -> syn::Result<Vec<Param>> {
    let sig = &item.sig;
    if let Some(token) = &sig.asyncness {
        return Err(syn::Error::new(
            token.span(),
            "handlers are blocking functions: remove `async` (the server runs handlers concurrently)",
        ));
    }
    if let Some(param) = sig
        .generics
        .params
        .iter()
        .find(|param| !matches!(param, syn::GenericParam::Lifetime(_)))
    {
        return Err(syn::Error::new(
            param.span(),
            "a handler cannot be generic: the app calls it with concrete types",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(syn::Error::new(
            variadic.span(),
            "a handler cannot be variadic",
        ));
    }
    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                return Err(syn::Error::new(
                    receiver.span(),
                    "a handler is a plain function, not a method: remove `self`",
                ));
            }
            FnArg::Typed(typed) => {
                if let Type::ImplTrait(_) = &*typed.ty {
                    return Err(syn::Error::new(
                        typed.ty.span(),
                        "a handler parameter needs a concrete type, not `impl Trait`",
                    ));
                }
                let name = match &*typed.pat {
                    Pat::Ident(ident) if ident.subpat.is_none() => Some(ident.ident.clone()),
                    _ => None,
                };
                params.push(Param {
                    ty: (*typed.ty).clone(),
                    name,
                });
            }
        }
    }
    Ok(params)
}
