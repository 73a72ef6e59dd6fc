//! Code generation for `#[route]` and friends.

use carafe_routing::{
    ParsedRule, ValueKind, builtin_converter, builtin_converter_kind, parse_rule,
};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr};

use crate::parse::{self, Param, RouteArgs};

/// Built-in converter names, for messages.
const BUILTIN: &str = "default, string, int, float, path, uuid, any";

pub(crate) fn route(method: Option<&str>, attr: TokenStream, item: TokenStream) -> TokenStream {
    match try_route(method, attr, item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => {
            // Keep the function so the rest of the crate still type-checks,
            // and report the error once.
            let error = error.to_compile_error();
            quote!(#error #item)
        }
    }
}

/// The span of bytes `start..end` of the literal's value, when the compiler
/// can point inside literals (nightly); the whole literal otherwise.
pub(crate) fn sub_span(lit: &LitStr, start: usize, end: usize) -> Span {
    let token = lit.token();
    let text = token.to_string();
    let value = lit.value();
    if text.len() >= 2
        && text.starts_with('"')
        && text[1..text.len() - 1] == value
        && let Some(span) = token.subspan(start + 1..end + 1)
    {
        return span;
    }
    lit.span()
}

/// "message\n  rule\n  ^^^" so the position is clear even when the span is
/// the whole literal.
fn pointed(message: &str, rule: &str, start: usize, end: usize) -> String {
    let column = rule[..start.min(rule.len())].chars().count();
    let width = rule[start.min(rule.len())..end.min(rule.len())]
        .chars()
        .count()
        .max(1);
    format!(
        "{message}\n  {rule}\n  {}{}",
        " ".repeat(column),
        "^".repeat(width)
    )
}

fn try_route(
    method: Option<&str>,
    attr: TokenStream,
    item: TokenStream,
) -> syn::Result<TokenStream> {
    let args: RouteArgs = syn::parse2(attr)?;
    let function: ItemFn = syn::parse2(item)?;
    if method.is_some()
        && let Some(methods) = &args.methods
    {
        return Err(syn::Error::new(
            methods[0].1,
            "the methods come from the attribute's name here: use #[route(..., methods = [...])] for several",
        ));
    }
    let params = parse::handler(&function)?;
    let source = args.rule.value();
    let rule = parse_rule(&source).map_err(|error| {
        let start = error.offset();
        syn::Error::new(
            sub_span(&args.rule, start, (start + 1).min(source.len())),
            pointed(&error.to_string(), &source, start, start + 1),
        )
    })?;
    check_converters(&args, &rule, &source)?;
    let bound = bind_variables(&args, &rule, &source, &params)?;
    Ok(generate(method, &args, &function, &params, &rule, &bound))
}

fn check_converters(args: &RouteArgs, rule: &ParsedRule<'_>, source: &str) -> syn::Result<()> {
    for variable in rule.variables() {
        let (start, end) = (variable.offset(), variable.offset() + variable.len());
        let name = variable.converter();
        match builtin_converter(name, variable.args()) {
            Some(Ok(_)) => {}
            Some(Err(message)) => {
                return Err(syn::Error::new(
                    sub_span(&args.rule, start, end),
                    pointed(
                        &format!(
                            "converter '{name}' of variable '{}' {message}",
                            variable.name()
                        ),
                        source,
                        start,
                        end,
                    ),
                ));
            }
            None if args.converters.iter().any(|c| c.value() == name) => {}
            None => {
                return Err(syn::Error::new(
                    sub_span(&args.rule, start, end),
                    pointed(
                        &format!(
                            "unknown converter '{name}' (known: {BUILTIN}); a converter the app \
                             registers itself is declared with `converters = [\"{name}\"]`"
                        ),
                        source,
                        start,
                        end,
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A rule variable and the parameter receiving it.
struct Bound {
    /// Index into the parameters.
    param: usize,
    name: String,
    kind: Option<ValueKind>,
    converter: String,
}

fn bind_variables(
    args: &RouteArgs,
    rule: &ParsedRule<'_>,
    source: &str,
    params: &[Param],
) -> syn::Result<Vec<Bound>> {
    let mut bound = Vec::new();
    for variable in rule.variables() {
        let position = params.iter().position(|param| {
            param
                .name
                .as_ref()
                .is_some_and(|name| name.unraw() == variable.name())
        });
        let Some(param) = position else {
            let (start, end) = (variable.offset(), variable.offset() + variable.len());
            return Err(syn::Error::new(
                sub_span(&args.rule, start, end),
                pointed(
                    &format!(
                        "rule variable '{0}' has no parameter: add `{0}: <type>` to the \
                         handler's parameters",
                        variable.name()
                    ),
                    source,
                    start,
                    end,
                ),
            ));
        };
        bound.push(Bound {
            param,
            name: variable.name().to_owned(),
            kind: builtin_converter_kind(variable.converter()),
            converter: variable.converter().to_owned(),
        });
    }
    Ok(bound)
}

fn kind_ident(kind: ValueKind) -> Option<proc_macro2::Ident> {
    let name = match kind {
        ValueKind::Str => "Str",
        ValueKind::Int => "Int",
        ValueKind::Float => "Float",
        ValueKind::Bool => "Bool",
        ValueKind::Uuid => "Uuid",
        ValueKind::List => "List",
        ValueKind::Custom => "Custom",
        _ => return None,
    };
    Some(proc_macro2::Ident::new(name, Span::call_site()))
}

fn generate(
    method: Option<&str>,
    args: &RouteArgs,
    function: &ItemFn,
    params: &[Param],
    _rule: &ParsedRule<'_>,
    bound: &[Bound],
) -> TokenStream {
    let name = &function.sig.ident;
    let vis = &function.vis;
    let rule = &args.rule;
    let endpoint = match &args.endpoint {
        Some(endpoint) => endpoint.value(),
        None => name.unraw().to_string(),
    };
    let args_struct = format_ident!("__url_values_of_{}", name.unraw());

    let methods: Vec<String> = match (method, &args.methods) {
        (Some(method), _) => vec![method.to_owned()],
        (None, Some(methods)) => methods.iter().map(|(m, _)| m.clone()).collect(),
        (None, None) => vec!["GET".to_owned()],
    };
    let methods = methods
        .iter()
        .map(|m| proc_macro2::Ident::new(m, Span::call_site()));
    let strict = args
        .strict_slashes
        .as_ref()
        .map(|lit| quote!(.strict_slashes(#lit)));

    let fields = bound.iter().map(|b| {
        let param = &params[b.param];
        let field = param.name.clone().into_iter();
        let ty = &param.ty;
        quote!(#(pub #field: #ty,)*)
    });

    let last = params.len().saturating_sub(1);
    let extract = params.iter().enumerate().map(|(i, param)| {
        let var = format_ident!("__carafe_p{}", i);
        let ty = &param.ty;
        if let Some(b) = bound.iter().find(|b| b.param == i) {
            let value_name = &b.name;
            quote_spanned! {ty.span()=>
                let #var: #ty = match ::carafe::__private::take_value::<#ty>(&__carafe_values, #value_name) {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(error) => return ::carafe::IntoResponse::into_response(error),
                };
            }
        } else if i == last {
            quote_spanned! {ty.span()=>
                let #var: #ty = match <#ty as ::carafe::extract::FromRequest<'_>>::from_request(__carafe_request) {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(error) => return ::carafe::IntoResponse::into_response(error),
                };
            }
        } else {
            quote_spanned! {ty.span()=>
                let #var: #ty = match <#ty as ::carafe::extract::FromRequestParts<'_>>::from_request_parts(__carafe_request) {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(error) => return ::carafe::IntoResponse::into_response(error),
                };
            }
        }
    });
    let call_args = (0..params.len()).map(|i| format_ident!("__carafe_p{}", i));
    let sig = &function.sig;
    let output_span = match &sig.output {
        syn::ReturnType::Default => sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    let respond = quote_spanned! {output_span=>
        ::carafe::IntoResponse::into_response(#name(#(#call_args),*))
    };

    let kind_checks = bound.iter().filter_map(|b| {
        let kind = kind_ident(b.kind?)?;
        let ty = &params[b.param].ty;
        let message = format!(
            "parameter `{}` cannot receive the value of rule variable `{}` (converter '{}' \
             produces a {}): use a type that converter produces (FromValue::ACCEPTS)",
            b.name,
            b.name,
            b.converter,
            b.kind.map(ValueKind::name).unwrap_or_default()
        );
        Some(quote_spanned! {ty.span()=>
            const _: () = ::core::assert!(
                ::carafe::routing::ValueKind::#kind.is_in(<#ty as ::carafe::routing::FromValue>::ACCEPTS),
                #message
            );
        })
    });

    quote! {
        #function

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #args_struct {
            #(#fields)*
        }

        impl ::carafe::Route for #name {
            const ENDPOINT: &'static str = #endpoint;
            const SITE: ::carafe::Site = ::carafe::Site::new(::core::file!(), ::core::line!(), ::core::column!());
            const HANDLER: Self = #name {};
            type UrlArgs = #args_struct;

            fn rule() -> ::carafe::routing::Rule {
                ::carafe::routing::Rule::new(#rule, #endpoint)
                    .methods([#(::carafe::routing::Method::#methods),*])
                    #strict
            }

            fn call(
                &self,
                __carafe_request: &::carafe::wrappers::Request,
                __carafe_values: ::carafe::routing::Values<'_>,
            ) -> ::carafe::wrappers::Response {
                #(#extract)*
                #respond
            }
        }

        #(#kind_checks)*

        const _: () = {
            fn __carafe_function_id() -> ::core::any::TypeId {
                ::carafe::__private::type_id_of(&#name)
            }
            ::carafe::__private::inventory::submit! {
                ::carafe::__private::RouteEntry::new::<#name>(::core::module_path!(), __carafe_function_id)
            }
        };
    }
}
